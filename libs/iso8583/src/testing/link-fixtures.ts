import * as net from 'net';
import { IsoMessage } from '../codec/iso-message';
import { unpack } from '../codec/unpack';
import { FrameDecoder } from '../framing/frame-decoder';
import { buildResponse } from '../link/responses';
import { goldenBody, loadGoldenVectors } from './golden-vectors';

const purchaseBody = goldenBody(loadGoldenVectors().find((v) => v.file === '0100-purchase.json')!);

/** The golden 0100 purchase with another STAN (and optionally field 7). */
export function purchase(stan: number, transmissionDateTime = '1122101530'): IsoMessage {
  return unpack(purchaseBody).set(11, String(stan).padStart(6, '0')).set(7, transmissionDateTime);
}

export const approve = (request: IsoMessage): Promise<IsoMessage> => Promise.resolve(buildResponse(request, '00')!);

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/** A plain TCP peer that writes raw bytes and collects response frames, for wire-level tests. */
export class RawPeer {
  readonly responses: IsoMessage[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder();

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk, (body) => this.responses.push(unpack(body))));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  async waitForResponses(count: number, timeoutMs = 5000): Promise<IsoMessage[]> {
    await waitFor(() => this.responses.length >= count, timeoutMs);
    return this.responses;
  }

  waitForClose(timeoutMs = 5000): Promise<void> {
    return waitFor(() => this.closed, timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
