import { IsoMessage } from '../codec/iso-message';
import { approve, purchase, sleep, waitFor } from '../testing/link-fixtures';
import { IsoClient, IsoClientOptions } from './iso-client';
import { IsoRequestHandler, IsoServer } from './iso-server';
import { IsoConnectionError, IsoDuplicateRequestError, IsoTimeoutError } from './link-errors';
import { buildResponse } from './responses';

/** IsoClient against a real IsoServer on 127.0.0.1. */

const servers: IsoServer[] = [];
const clients: IsoClient[] = [];

async function startServer(handler: IsoRequestHandler = approve, port = 0): Promise<{ server: IsoServer; port: number }> {
  const server = new IsoServer({ host: '127.0.0.1', port, drainTimeoutMs: 100 }, handler);
  servers.push(server);
  return { server, port: (await server.listen()).port };
}

function newClient(port: number, options: Partial<IsoClientOptions> = {}): IsoClient {
  const c = new IsoClient({ host: '127.0.0.1', port, reconnect: false, ...options });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 100 })));
  await Promise.all(servers.splice(0).map((s) => s.close(50)));
});

describe('IsoClient matching', () => {
  it('matches on MTI pair + 32 + 11 + 7, never on STAN alone', async () => {
    // Answers in reverse order of arrival, so matching cannot rely on order.
    const waiting: Array<() => void> = [];
    const reverse: IsoRequestHandler = (request) =>
      new Promise((resolve) => {
        waiting.push(() => resolve(buildResponse(request, '00')!.set(38, `T${request.get(7)!.slice(5)}`)));
        if (waiting.length === 2) waiting.reverse().forEach((release) => release());
      });
    const { port } = await startServer(reverse);
    const c = newClient(port);
    await c.connect();
    const [first, second] = await Promise.all([c.send(purchase(42, '1122101530')), c.send(purchase(42, '1122101531'))]);
    expect(first.get(7)).toBe('1122101530');
    expect(second.get(7)).toBe('1122101531');
    expect(first.get(38)).toBe('T01530');
  });

  it('refuses a second request with the same key while the first is in flight', async () => {
    const { port } = await startServer(async (request) => {
      await sleep(50);
      return buildResponse(request, '00')!;
    });
    const c = newClient(port);
    await c.connect();
    const first = c.send(purchase(1));
    await expect(c.send(purchase(1))).rejects.toBeInstanceOf(IsoDuplicateRequestError);
    await expect(first).resolves.toBeInstanceOf(IsoMessage);
  });

  it('rejects send when not connected', async () => {
    const c = newClient(1);
    await expect(c.send(purchase(1))).rejects.toBeInstanceOf(IsoConnectionError);
  });

  it('rejects connect to a closed port with IsoConnectionError and can connect later', async () => {
    const { server, port } = await startServer();
    await server.close(0);
    const c = newClient(port);
    await expect(c.connect()).rejects.toBeInstanceOf(IsoConnectionError);
    await startServer(approve, port);
    await c.connect();
    await expect(c.send(purchase(1))).resolves.toBeInstanceOf(IsoMessage);
  });
});

describe('IsoClient timeouts', () => {
  it('rejects with IsoTimeoutError and reports the late reply', async () => {
    const { port } = await startServer(async (request) => {
      if (request.get(11) === '000001') await sleep(150);
      return buildResponse(request, '00')!;
    });
    const late: Array<{ stan: string | undefined; elapsedMs: number; timeoutMs: number }> = [];
    const c = newClient(port, { onLateReply: (reply, info) => late.push({ stan: reply.get(11), ...info }) });
    await c.connect();
    const slow = c.send(purchase(1), { timeoutMs: 30 });
    await expect(slow).rejects.toBeInstanceOf(IsoTimeoutError);
    await expect(slow).rejects.toMatchObject({ mti: '0100', stan: '000001', timeoutMs: 30 });
    await expect(c.send(purchase(2), { timeoutMs: 1000 })).resolves.toBeInstanceOf(IsoMessage);
    await waitFor(() => late.length === 1);
    expect(late[0].stan).toBe('000001');
    expect(late[0].elapsedMs).toBeGreaterThanOrEqual(100);
    expect(c.metrics).toMatchObject({ timeouts: 1, lateReplies: 1, responsesMatched: 1, unmatchedReplies: 0 });
  });
});

describe('IsoClient connection life', () => {
  it('fails in-flight requests when the connection drops and reconnects with backoff', async () => {
    const never: IsoRequestHandler = () => new Promise(() => undefined);
    const first = await startServer(never);
    const connects: number[] = [];
    const c = newClient(first.port, { reconnect: true, reconnectInitialDelayMs: 20, reconnectMaxDelayMs: 80, onConnect: () => connects.push(Date.now()) });
    await c.connect();
    const pending = c.send(purchase(1), { timeoutMs: 5000 });
    await waitFor(() => first.server.metrics.requestsDispatched === 1);
    await first.server.close(0);
    await expect(pending).rejects.toBeInstanceOf(IsoConnectionError);
    expect(c.isConnected).toBe(false);
    await sleep(250); // several attempts fail while nothing listens: the delay doubles, capped at 80 ms
    expect(c.metrics.reconnectAttempts).toBeGreaterThanOrEqual(2);
    expect(c.metrics.reconnectAttempts).toBeLessThanOrEqual(6);
    await startServer(approve, first.port);
    await waitFor(() => c.isConnected, 3000);
    await expect(c.send(purchase(2))).resolves.toBeInstanceOf(IsoMessage);
    expect(connects).toHaveLength(2);
    expect(c.metrics.disconnects).toBe(1);
  });

  it('signs on at connect, echoes when idle, signs off at close', async () => {
    const { server, port } = await startServer();
    const c = newClient(port, { signOnAtConnect: true, echoIdleMs: 40, acquirerId: '12345678' });
    await c.connect();
    expect(server.metrics.networkManagementAnswered).toBe(1);
    await waitFor(() => c.metrics.echoesSent >= 2, 2000);
    await waitFor(() => server.metrics.networkManagementAnswered >= 3);
    expect(c.metrics.echoFailures).toBe(0);
    const before = server.metrics.networkManagementAnswered;
    await c.close({ signOff: true });
    expect(server.metrics.networkManagementAnswered).toBe(before + 1);
    await expect(c.send(purchase(1))).rejects.toBeInstanceOf(IsoConnectionError);
  });

  it('fails the connect when sign-on is refused', async () => {
    const refuse: IsoRequestHandler = (request) => Promise.resolve(buildResponse(request, '91')!.set(70, '001'));
    const server = new IsoServer({ host: '127.0.0.1', port: 0, answerNetworkManagement: false }, refuse);
    servers.push(server);
    const { port } = await server.listen();
    const c = newClient(port, { signOnAtConnect: true });
    await expect(c.connect()).rejects.toThrow('sign-on refused');
    expect(c.isConnected).toBe(false);
  });

  it('drops the connection when an echo goes unanswered', async () => {
    const mute: IsoRequestHandler = () => new Promise(() => undefined);
    const server = new IsoServer({ host: '127.0.0.1', port: 0, answerNetworkManagement: false, drainTimeoutMs: 10 }, mute);
    servers.push(server);
    const { port } = await server.listen();
    const c = newClient(port, { echoIdleMs: 20, defaultTimeoutMs: 50 });
    await c.connect();
    await waitFor(() => c.metrics.echoFailures === 1, 2000).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(c.metrics)}`);
    });
    await waitFor(() => !c.isConnected);
  });
});
