import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootApp, integrationConfig } from '@lib/testing';
import { gatewayApp } from '../gateway.app';

/**
 * `POST /v1/network/messages` behind the back-office key (GATEWAY_NETWORK_HTTP_ROUTE=
 * back-office-key): the back office's own check, same header rules and same 401 body.
 */
describe('gateway: the network route behind the back-office key', () => {
  let app: NestFastifyApplication;
  const key = integrationConfig().security.backOfficeKeys[0];
  const echo = { mti: '0800', fields: { '7': '1123101530', '11': '000123', '70': '301' } };

  beforeAll(async () => {
    app = await bootApp(gatewayApp, { ...process.env, GATEWAY_TCP_PORT: '0', GATEWAY_NETWORK_HTTP_ROUTE: 'back-office-key' });
  });
  afterAll(() => app.close());

  const post = (authorization?: string) =>
    app
      .getHttpAdapter()
      .getInstance()
      .inject({ method: 'POST', url: '/v1/network/messages', payload: echo, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) } });

  it.each([
    ['no key', undefined],
    ['a wrong key', 'Bearer not-the-key-at-all-0000'],
    ['a key that is a prefix of the right one', `Bearer ${key.slice(0, -1)}`],
  ])('refuses %s with the back office 401 body', async (_name, authorization) => {
    const reply = await post(authorization);
    expect(reply.statusCode).toBe(401);
    expect(reply.json()).toEqual({ error: { code: 'unauthorized', reason: 'a valid back-office key is required' } });
  });

  it('refuses a body over 1 MiB (413) before parsing it: a huge body cannot hold the event loop', async () => {
    const huge = { mti: '0800', fields: { '7': '1123101530', '11': '000123', '70': '301', '43': 'x'.repeat(2 * 1024 * 1024) } };
    const reply = await app
      .getHttpAdapter()
      .getInstance()
      .inject({ method: 'POST', url: '/v1/network/messages', payload: huge, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` } });
    expect(reply.statusCode).toBe(413);
  });

  it('answers with the key, the scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer']) {
      const reply = await post(`${scheme} ${key}`);
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({ mti: '0810', fields: { '39': '00' } });
    }
  });
});
