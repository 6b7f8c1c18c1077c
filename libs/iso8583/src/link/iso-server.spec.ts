import { IsoMessage } from '../codec/iso-message';
import { encodeFrame, packFrame } from '../framing/frame-encoder';
import { approve, purchase, RawPeer, sleep, waitFor } from '../testing/link-fixtures';
import { IsoClient } from './iso-client';
import { IsoRequestHandler, IsoServer, IsoServerOptions } from './iso-server';
import { FRAME_HEADER_BYTES } from '../framing/frame-decoder';
import { buildResponse, ECHOED_FIELDS } from './responses';

/** IsoServer on real TCP (127.0.0.1, ephemeral port). */

const servers: IsoServer[] = [];
const peers: RawPeer[] = [];
const clients: IsoClient[] = [];

async function startServer(handler: IsoRequestHandler = approve, options: Partial<IsoServerOptions> = {}): Promise<{ server: IsoServer; port: number }> {
  const server = new IsoServer({ host: '127.0.0.1', port: 0, drainTimeoutMs: 1000, ...options }, handler);
  servers.push(server);
  const { port } = await server.listen();
  return { server, port };
}

async function rawPeer(port: number): Promise<RawPeer> {
  const peer = await RawPeer.connect(port);
  peers.push(peer);
  return peer;
}

async function client(port: number): Promise<IsoClient> {
  const c = new IsoClient({ host: '127.0.0.1', port, reconnect: false, defaultTimeoutMs: 5000 });
  clients.push(c);
  await c.connect();
  return c;
}

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.destroy();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close(100)));
});

describe('IsoServer framing on the wire', () => {
  it('answers frames written one byte per write', async () => {
    const { port } = await startServer();
    const peer = await rawPeer(port);
    const frame = Buffer.concat([packFrame(purchase(1)), packFrame(purchase(2))]);
    for (const byte of frame) {
      peer.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const responses = await peer.waitForResponses(2);
    expect(responses.map((r) => [r.mti, r.get(11), r.get(39)])).toEqual([
      ['0110', '000001', '00'],
      ['0110', '000002', '00'],
    ]);
  });

  it('answers many frames coalesced in one write', async () => {
    const { server, port } = await startServer();
    const peer = await rawPeer(port);
    peer.write(Buffer.concat(Array.from({ length: 200 }, (_, i) => packFrame(purchase(i + 1)))));
    const responses = await peer.waitForResponses(200);
    expect(new Set(responses.map((r) => r.get(11))).size).toBe(200);
    expect(server.metrics.framesReceived).toBe(200);
  });
});

describe('IsoServer with 1,000 requests in flight on one connection', () => {
  it('answers them out of order and the client matches every one', async () => {
    const completionOrder: string[] = [];
    const slowRandom: IsoRequestHandler = async (request) => {
      await sleep(Math.floor(Math.random() * 40));
      completionOrder.push(request.get(11)!);
      return buildResponse(request, '00')!.set(38, `A${request.get(11)!.slice(1)}`);
    };
    const { server, port } = await startServer(slowRandom, { maxInFlightPerConnection: 1000 });
    const c = await client(port);
    const stans = Array.from({ length: 1000 }, (_, i) => i + 1);
    const responses = await Promise.all(stans.map((stan) => c.send(purchase(stan))));
    responses.forEach((response, i) => {
      const stan = String(stans[i]).padStart(6, '0');
      expect(response.get(11)).toBe(stan);
      expect(response.get(38)).toBe(`A${stan.slice(1)}`);
    });
    const sentOrder = stans.map((s) => String(s).padStart(6, '0'));
    expect(completionOrder).not.toEqual(sentOrder);
    expect(server.metrics.requestsDispatched).toBe(1000);
    expect(c.metrics.responsesMatched).toBe(1000);
  });
});

describe('IsoServer and malformed input', () => {
  it('answers a malformed message with 30 (echoing 7, 11, 32) and keeps the connection', async () => {
    const { server, port } = await startServer();
    const peer = await rawPeer(port);
    const body = packFrame(purchase(7));
    const at = body.indexOf(Buffer.from('000000001250')) + 5;
    body[at] = 'A'.charCodeAt(0); // a letter in field 4 (n12)
    peer.write(body);
    const [answer] = await peer.waitForResponses(1);
    expect(answer.mti).toBe('0110');
    expect(answer.get(39)).toBe('30');
    expect([answer.get(7), answer.get(11), answer.get(32)]).toEqual(['1122101530', '000007', '12345678']);
    peer.write(packFrame(purchase(8)));
    const responses = await peer.waitForResponses(2);
    expect(responses[1].get(39)).toBe('00');
    expect(server.metrics.formatErrorsAnswered).toBe(1);
  });

  it('answers a missing mandatory field with 30, echoing every echoed field the request has', async () => {
    const { port } = await startServer();
    const peer = await rawPeer(port);
    const request = purchase(9).delete(49);
    peer.write(packFrame(request));
    const [answer] = await peer.waitForResponses(1);
    expect(answer.mti).toBe('0110');
    expect(answer.get(39)).toBe('30');
    const echoed = ECHOED_FIELDS.filter((field) => request.has(field));
    expect(echoed).toEqual([2, 3, 4, 7, 11, 32, 37, 41, 42]);
    expect(echoed.map((field) => [field, answer.get(field)])).toEqual(echoed.map((field) => [field, request.get(field)]));
    expect(answer.has(49)).toBe(false);
  });

  it('drops a message whose missing mandatory field is the STAN (nothing to match a 30 on)', async () => {
    const { server, port } = await startServer();
    const peer = await rawPeer(port);
    peer.write(packFrame(purchase(11).delete(11)));
    peer.write(packFrame(purchase(12)));
    const responses = await peer.waitForResponses(1);
    await sleep(20);
    expect(responses.map((r) => r.get(11))).toEqual(['000012']);
    expect(server.metrics.malformedDropped).toBe(1);
  });

  it('answers a lower-case bitmap with 30 echoing the readable 7, 11 and 32', async () => {
    const { server, port } = await startServer();
    const peer = await rawPeer(port);
    const frame = packFrame(purchase(13));
    const bitmapStart = FRAME_HEADER_BYTES + 4;
    const bitmap = frame.subarray(bitmapStart, bitmapStart + 16);
    expect(bitmap.toString('ascii')).toMatch(/[A-F]/);
    bitmap.set(Buffer.from(bitmap.toString('ascii').toLowerCase(), 'ascii'));
    peer.write(frame);
    const [answer] = await peer.waitForResponses(1);
    expect(answer.mti).toBe('0110');
    expect(answer.get(39)).toBe('30');
    expect([answer.get(7), answer.get(11), answer.get(32)]).toEqual(['1122101530', '000013', '12345678']);
    expect(answer.has(2)).toBe(false);
    expect(server.metrics.formatErrorsAnswered).toBe(1);
    expect(server.metrics.requestsDispatched).toBe(0);
  });

  it('drops and counts an unreadable message, and the connection stays up', async () => {
    const { server, port } = await startServer();
    const peer = await rawPeer(port);
    peer.write(encodeFrame(Buffer.from('XXXXgarbage')));
    peer.write(encodeFrame(Buffer.from('0110' + '7220000102000000')));
    peer.write(packFrame(purchase(10)));
    const responses = await peer.waitForResponses(1);
    expect(responses[0].get(11)).toBe('000010');
    await sleep(20);
    expect(peer.responses).toHaveLength(1);
    expect(server.metrics.malformedDropped).toBe(2);
    expect(peer.closed).toBe(false);
  });

  it('closes the connection when framing is lost (length 0 or above the maximum)', async () => {
    const { server, port } = await startServer(approve, { maxFrameBytes: 1000 });
    const zero = await rawPeer(port);
    zero.write(Buffer.from([0, 0]));
    await zero.waitForClose();
    const tooLong = await rawPeer(port);
    tooLong.write(Buffer.from([0x03, 0xe9]));
    await tooLong.waitForClose();
    expect(server.metrics.framingErrors).toBe(2);
  });

  it('answers 96 when the handler throws, rejects, or returns an unpackable response', async () => {
    let call = 0;
    const faulty: IsoRequestHandler = () => {
      call++;
      if (call === 1) throw new Error('boom');
      if (call === 2) return Promise.reject(new Error('store down'));
      return Promise.resolve(new IsoMessage('0110').set(11, 'bad'));
    };
    const { server, port } = await startServer(faulty);
    const c = await client(port);
    const responses = await Promise.all([c.send(purchase(1)), c.send(purchase(2)), c.send(purchase(3))]);
    expect(responses.map((r) => r.get(39))).toEqual(['96', '96', '96']);
    expect(server.metrics.handlerErrors).toBe(2);
    expect(server.metrics.invalidResponses).toBe(1);
  });
});

describe('IsoServer network management', () => {
  it('answers 0800 sign-on, echo and sign-off itself with 0810 39 = 00', async () => {
    const handler = jest.fn(approve);
    const { server, port } = await startServer(handler);
    const c = new IsoClient({ host: '127.0.0.1', port, reconnect: false, acquirerId: '12345678' });
    clients.push(c);
    await c.connect();
    for (const code of ['001', '301', '002'] as const) {
      const response = await c.sendNetworkManagement(code);
      expect(response.mti).toBe('0810');
      expect(response.get(39)).toBe('00');
      expect(response.get(70)).toBe(code);
      expect(response.get(32)).toBe('12345678');
    }
    expect(handler).not.toHaveBeenCalled();
    expect(server.metrics.networkManagementAnswered).toBe(3);
  });

  it('passes 0800 to the handler when asked to', async () => {
    const handler = jest.fn((request: IsoMessage) => Promise.resolve(buildResponse(request, '00')!.set(70, request.get(70)!)));
    const { port } = await startServer(handler, { answerNetworkManagement: false });
    const c = await client(port);
    await c.sendNetworkManagement('301');
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('IsoServer connection control', () => {
  it('refuses a peer outside the allow-list', async () => {
    const { server, port } = await startServer(approve, { allowList: ['10.1.2.3'] });
    const peer = await rawPeer(port);
    await peer.waitForClose();
    expect(server.metrics.connectionsRefusedAllowList).toBe(1);
    expect(server.metrics.connectionsAccepted).toBe(0);
  });

  it('refuses connections above maxConnections', async () => {
    const { server, port } = await startServer(approve, { maxConnections: 1 });
    const first = await rawPeer(port);
    await waitFor(() => server.connectionCount === 1);
    const second = await rawPeer(port);
    await second.waitForClose();
    expect(first.closed).toBe(false);
    expect(server.metrics.connectionsRefusedLimit).toBe(1);
  });

  it('stops handing requests to the handler at the in-flight limit and resumes when answers go out', async () => {
    const held: Array<() => void> = [];
    const holding: IsoRequestHandler = (request) =>
      new Promise((resolve) => held.push(() => resolve(buildResponse(request, '00')!)));
    const { server, port } = await startServer(holding, { maxInFlightPerConnection: 4 });
    const peer = await rawPeer(port);
    peer.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => packFrame(purchase(i + 1)))));
    await waitFor(() => held.length === 4);
    await sleep(30);
    expect(held).toHaveLength(4);
    expect(server.metrics.backpressurePauses).toBeGreaterThanOrEqual(1);
    while (peer.responses.length < 10) {
      held.splice(0).forEach((release) => release());
      await sleep(5);
    }
    expect(server.metrics.requestsDispatched).toBe(10);
  });

  it('pauses reading while the peer does not read its responses (write buffer full)', async () => {
    const bigResponse: IsoRequestHandler = (request) =>
      Promise.resolve(buildResponse(request, '00')!.setTag('ZZ', 'x'.repeat(900)).setTag('TI', '123456789012345'));
    const { server, port } = await startServer(bigResponse, { maxInFlightPerConnection: 10_000 });
    const peer = await rawPeer(port);
    peer.socket.pause(); // the peer stops reading: its receive window, then our send buffer, fill up
    // ~8.4 MB of answers: more than loopback's kernel buffers (send autotunes up to 4 MB here).
    const total = 8000;
    peer.write(Buffer.concat(Array.from({ length: total }, (_, i) => packFrame(purchase(i + 1)))));
    // Dispatching must stall short of the total while the peer does not read.
    let previous = -1;
    await waitFor(() => {
      // Sampled every few ms by waitFor: two equal samples in a row = stalled.
      const now = server.metrics.requestsDispatched;
      const stalled = now === previous && now > 0;
      previous = now;
      return stalled;
    }, 10_000);
    await sleep(100);
    expect(server.metrics.requestsDispatched).toBe(previous);
    expect(previous).toBeLessThan(total);
    expect(server.metrics.backpressurePauses).toBeGreaterThan(0);
    peer.socket.resume();
    await peer.waitForResponses(total, 20_000);
    expect(server.metrics.requestsDispatched).toBe(total);
  });

  it('closes an idle connection', async () => {
    const { server, port } = await startServer(approve, { idleTimeoutMs: 50 });
    const peer = await rawPeer(port);
    await peer.waitForClose(2000);
    expect(server.metrics.idleTimeouts).toBe(1);
  });
});

describe('IsoServer graceful close', () => {
  it('stops accepting, drains in-flight requests (their responses are written), then closes', async () => {
    const slow: IsoRequestHandler = async (request) => {
      await sleep(100);
      return buildResponse(request, '00')!;
    };
    const { server, port } = await startServer(slow);
    const peer = await rawPeer(port);
    peer.write(Buffer.concat([1, 2, 3, 4, 5].map((stan) => packFrame(purchase(stan)))));
    await waitFor(() => server.metrics.requestsDispatched === 5);
    const closing = server.close(2000);
    await expect(RawPeer.connect(port)).rejects.toThrow();
    await closing;
    expect(peer.responses.map((r) => r.get(39))).toEqual(['00', '00', '00', '00', '00']);
    await peer.waitForClose();
    expect(server.connectionCount).toBe(0);
  });

  it('cuts connections whose requests outlive the drain timeout', async () => {
    const never: IsoRequestHandler = () => new Promise(() => undefined);
    const { server, port } = await startServer(never);
    const peer = await rawPeer(port);
    peer.write(packFrame(purchase(1)));
    await waitFor(() => server.metrics.requestsDispatched === 1);
    await server.close(50);
    await peer.waitForClose();
  });
});
