import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { IsoMessage } from '@lib/iso8583';
import type { NetworkHandler } from './engine.providers';
import { installNetworkFastPath, NetworkFastPath } from './network-fast-path';

/**
 * The fast path on a real listening server, in front of a stand-in for the framework's listener
 * (which answers 299 so that a request it got is recognisable). The handler is a stand-in too:
 * what is under test is which requests the fast path takes and how it reads and answers them; its
 * answers against the real gateway are compared with the framework's in network-fast-path.int-spec.ts.
 */
const KEY = 'fast-path-test-key-0001';
const echo = { mti: '0800', fields: { '7': '1123101530', '11': '000123', '70': '301' } };

type Mode = 'open' | 'back-office-key' | 'off';

let server: Server;
let baseUrl: string;
let handled: IsoMessage[];
let frameworkCalls: number;
let handle: (request: IsoMessage) => Promise<IsoMessage | undefined>;
let mode: Mode;
let logged: string[];

const handler: NetworkHandler = { handle: (request) => handle(request) };

beforeEach(async () => {
  handled = [];
  logged = [];
  frameworkCalls = 0;
  mode = 'open';
  handle = async (request) => {
    handled.push(request);
    const response = new IsoMessage('0810');
    response.fields.set(7, request.fields.get(7) ?? '');
    response.fields.set(11, request.fields.get(11) ?? '');
    response.fields.set(39, '00');
    response.fields.set(70, '301');
    return response;
  };
  server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    frameworkCalls += 1;
    res.writeHead(299).end('framework');
  });
  const config = {
    get gateway() {
      return { networkHttpRoute: mode } as never;
    },
    security: { backOfficeKeys: [KEY] } as never,
  };
  installNetworkFastPath(server, new NetworkFastPath(handler, config, 200, { error: (line: string) => logged.push(line) }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function post(body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, path = '/v1/network/messages') {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', body, headers });
  return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') };
}

describe('NetworkFastPath', () => {
  it('answers a JSON network message itself, with the handler response as JSON', async () => {
    const answer = await post(JSON.stringify(echo));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.text)).toEqual({ mti: '0810', fields: { '7': '1123101530', '11': '000123', '39': '00', '70': '301' } });
    expect(handled).toHaveLength(1);
    expect(frameworkCalls).toBe(0);
  });

  it('takes the route with a query string and a charset in the content type', async () => {
    const answer = await post(JSON.stringify(echo), { 'content-type': 'Application/JSON; charset=utf-8' }, '/v1/network/messages?trace=1');
    expect(answer.status).toBe(200);
    expect(frameworkCalls).toBe(0);
  });

  it.each([
    ['another path', '/v1/network/messages/x', { 'content-type': 'application/json' }],
    ['another content type', '/v1/network/messages', { 'content-type': 'text/plain' }],
    ['a compressed body', '/v1/network/messages', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
  ])('leaves %s to the framework', async (_name, path, headers) => {
    const answer = await post(JSON.stringify(echo), headers, path);
    expect(answer.status).toBe(299);
    expect(handled).toHaveLength(0);
  });

  it('leaves other methods to the framework', async () => {
    const response = await fetch(`${baseUrl}/v1/network/messages`);
    expect(response.status).toBe(299);
  });

  it('leaves the route to the framework when it is off, or when the key it needs is missing or wrong', async () => {
    mode = 'off';
    expect((await post(JSON.stringify(echo))).status).toBe(299);
    mode = 'back-office-key';
    expect((await post(JSON.stringify(echo))).status).toBe(299);
    expect((await post(JSON.stringify(echo), { 'content-type': 'application/json', authorization: 'Bearer wrong-key-000000000' })).status).toBe(299);
    expect((await post(JSON.stringify(echo), { 'content-type': 'application/json', authorization: `bearer ${KEY}` })).status).toBe(200);
    expect(handled).toHaveLength(1);
  });

  it('answers an invalid JSON body 400 in the API error shape, without calling the handler', async () => {
    const answer = await post('{"mti":"0800",');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({ error: { code: 'invalid-json', reason: 'the body is not valid JSON' } });
    expect(handled).toHaveLength(0);
  });

  it('refuses a body with a "__proto__" or "constructor.prototype" key at any depth (as Fastify does), not a value that mentions it', async () => {
    for (const body of [
      '{"__proto__":{"x":1},"mti":"0800","fields":{}}',
      '{"mti":"0800","fields":{"48":{"__proto__":{"TI":"1"}}}}',
      '{"mti":"0800","fields":{},"constructor":{"prototype":{"x":1}}}',
    ]) {
      const answer = await post(body);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toEqual({ error: { code: 'invalid-json', reason: 'the body has a "__proto__" or "constructor.prototype" key' } });
    }
    expect(handled).toHaveLength(0);
    const mention = await post(JSON.stringify({ ...echo, fields: { ...echo.fields, '43': '__proto__ SHOP' } }));
    expect(mention.status).toBe(200);
    // Deeply nested, with the key at the bottom: found without recursion (no stack overflow).
    const deep = '['.repeat(50) + '{"__proto__":1}' + ']'.repeat(50);
    expect((await post(deep)).status).toBe(400);
  });

  it('answers a message that is not one 400 naming the problem', async () => {
    const answer = await post('[]');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({ error: { code: 'format', field: null, reason: 'message must be a JSON object with "mti" and "fields"' } });
  });

  it('refuses a body over the limit (413) without parsing it, whether announced or streamed', async () => {
    const big = JSON.stringify({ ...echo, fields: { ...echo.fields, '43': 'x'.repeat(500) } });
    const announced = await post(big);
    expect(announced.status).toBe(413);
    expect(JSON.parse(announced.text)).toEqual({ error: { code: 'payload-too-large', reason: 'the body exceeds 200 bytes' } });
    const streamed = await fetch(`${baseUrl}/v1/network/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(handled).toHaveLength(0);
  });

  it('answers 503 when a backing service is unreachable, 500 (no detail) on anything else', async () => {
    handle = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:16379'), { code: 'ECONNREFUSED' });
    };
    const unavailable = await post(JSON.stringify(echo));
    expect(unavailable.status).toBe(503);
    expect(JSON.parse(unavailable.text).error.code).toBe('unavailable');
    handle = async () => {
      throw new Error('a bug');
    };
    const failed = await post(JSON.stringify(echo));
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.text)).toEqual({ error: { code: 'internal', reason: 'internal error' } });
    expect(logged).toEqual(['POST /v1/network/messages: Error: a bug']);
  });

  it('serves many messages on one keep-alive connection', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => post(JSON.stringify(echo))));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(handled).toHaveLength(20);
  });
});
