import type { AddressInfo } from 'net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootApp } from '@lib/testing';
import { gatewayApp } from '../gateway.app';

/**
 * The real gateway, listening: `POST /v1/network/messages` answered by the fast path on the
 * socket gives what the framework's controller gives through `inject()` (which bypasses the
 * socket, so it always reaches the controller), for answers that do not depend on state.
 */
describe('gateway: the network route on its fast path answers as the controller does', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;

  beforeAll(async () => {
    app = await bootApp(gatewayApp, { ...process.env, GATEWAY_TCP_PORT: '0', GATEWAY_NETWORK_HTTP_ROUTE: 'open' });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  const viaSocket = async (body: unknown) => {
    const response = await fetch(`${baseUrl}/v1/network/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const viaFramework = async (body: unknown) => {
    const reply = await app.getHttpAdapter().getInstance().inject({ method: 'POST', url: '/v1/network/messages', payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { status: reply.statusCode, body: reply.json() as unknown };
  };

  it.each([
    ['an echo', { mti: '0800', fields: { '7': '1123101530', '11': '000123', '70': '301' } }],
    ['a sign-on', { mti: '0800', fields: { '7': '1123101531', '11': '000124', '70': '001' } }],
    ['a 0100 missing mandatory fields (30, echoing what it has)', { mti: '0100', fields: { '2': '4000001234567899', '7': '1123101532', '11': '000125', '49': '978' } }],
    ['a message without fields', { mti: '0800' }],
    ['a number for a body', 42],
    ['an MTI that is not 4 digits', { mti: '08', fields: {} }],
  ])('%s', async (_name, body) => {
    const socket = await viaSocket(body);
    expect(socket).toEqual(await viaFramework(body));
  });

  it('an invalid JSON body is a 400 in the API error shape', async () => {
    const response = await fetch(`${baseUrl}/v1/network/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"mti":' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'invalid-json', reason: 'the body is not valid JSON' } });
  });

  it('the rest of the API is still served by the framework on the same server', async () => {
    const health = await fetch(`${baseUrl}/health`);
    expect(health.status).toBe(200);
    const refused = await fetch(`${baseUrl}/v1/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(401);
  });
});
