import * as net from 'node:net';
import { encodeFrame, FrameDecoder, IsoClient, IsoMessage, IsoTimeoutError, tryUnpack } from '@lib/iso8583';
import { corruptAmount, NetworkDriver } from './network-driver';

/**
 * The network's ISO 8583 link over TCP (IsoClient): sign-on at connect, echo when idle,
 * reconnect after a drop, many requests in flight per connection, answers matched whatever their
 * order. Several connections share the load round-robin.
 */
export interface TcpDriverOptions {
  readonly host: string;
  readonly port: number;
  readonly connections: number;
  readonly maxInFlight: number;
  readonly signOn: boolean;
  readonly echoIdleMs: number;
  /** Field 32 of the network's own 0800 messages. */
  readonly acquirerId: string;
  readonly onLateReply?: (reply: IsoMessage) => void;
}

export class TcpDriver implements NetworkDriver {
  readonly kind = 'tcp' as const;
  private clients: IsoClient[] = [];
  private next = 0;

  constructor(private readonly options: TcpDriverOptions) {}

  async start(): Promise<void> {
    this.clients = Array.from(
      { length: this.options.connections },
      () =>
        new IsoClient({
          host: this.options.host,
          port: this.options.port,
          maxInFlight: Math.max(16, Math.ceil(this.options.maxInFlight / this.options.connections) * 2),
          signOnAtConnect: this.options.signOn,
          echoIdleMs: this.options.echoIdleMs,
          acquirerId: this.options.acquirerId,
          reconnect: true,
          onLateReply: (reply) => this.options.onLateReply?.(reply),
        }),
    );
    await Promise.all(this.clients.map((client) => client.connect()));
  }

  send(message: IsoMessage, timeoutMs: number): Promise<IsoMessage> {
    const client = this.clients[this.next++ % this.clients.length];
    return client.send(message, { timeoutMs });
  }

  /** A raw frame on a connection of its own: the client refuses to pack a malformed message. */
  sendMalformed(message: IsoMessage, timeoutMs: number): Promise<IsoMessage> {
    const frame = encodeFrame(corruptAmount(message));
    return new Promise<IsoMessage>((resolve, reject) => {
      const socket = net.connect({ host: this.options.host, port: this.options.port, noDelay: true });
      const decoder = new FrameDecoder();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new IsoTimeoutError(message.mti, message.get(11) ?? '', timeoutMs));
      }, timeoutMs);
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on('connect', () => socket.write(frame));
      socket.on('data', (chunk: Buffer) => {
        decoder.push(chunk, (body) => {
          clearTimeout(timer);
          socket.end();
          const result = tryUnpack(body);
          if (result.ok) resolve(result.message);
          else reject(new Error(`unreadable answer to a malformed message (${result.error.reason})`));
        });
      });
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close({ drainTimeoutMs: 2000, signOff: this.options.signOn })));
  }

  metrics(): Readonly<Record<string, number>> {
    const total: Record<string, number> = {};
    for (const client of this.clients) for (const [key, value] of Object.entries(client.metrics)) total[key] = (total[key] ?? 0) + value;
    return total;
  }
}
