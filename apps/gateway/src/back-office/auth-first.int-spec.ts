import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootApp } from '@lib/testing';
import { gatewayApp } from '../gateway.app';
import { BACK_OFFICE_KEY, BackOfficeClient } from './testing/back-office-client';

/**
 * http-and-events.md: "Every back-office route requires `Authorization: Bearer <key>` ... a
 * missing or wrong key is 401, nothing else is revealed". The key is checked before the body is
 * read on every back-office route of the gateway, whichever module declares it: a body that is
 * not JSON, or not of a type the route reads, still gets the one 401.
 */
const UNAUTHORIZED = { error: { code: 'unauthorized', reason: 'a valid back-office key is required' } };

describe('back-office key before anything else, on every back-office route (HTTP)', () => {
  let app: NestFastifyApplication;
  let client: BackOfficeClient;
  beforeAll(async () => {
    app = await bootApp(gatewayApp, { ...process.env, GATEWAY_TCP_PORT: '0' });
    client = new BackOfficeClient(app);
  });
  afterAll(() => app.close());

  const NOT_JSON = { body: '{"broken', headers: { 'content-type': 'application/json' } };
  const ROUTES: [string, 'GET' | 'POST', string, { body?: string; headers?: Record<string, string> }][] = [
    ['open account, bad JSON', 'POST', '/v1/accounts', NOT_JSON],
    ['account view', 'GET', '/v1/accounts/acc_x', {}],
    ['load, bad JSON', 'POST', '/v1/accounts/acc_x/loads', NOT_JSON],
    ['issue card, bad JSON', 'POST', '/v1/accounts/acc_x/cards', NOT_JSON],
    ['card block, bad JSON', 'POST', '/v1/cards/card_x/block', NOT_JSON],
    ['consent revoke', 'POST', '/v1/cards/card_x/recurring-consents/M1/revoke', {}],
    ['statement, bad query', 'GET', '/v1/accounts/acc_x/statement?limit=0', {}],
    ['dispute, bad JSON', 'POST', '/v1/accounts/acc_x/disputes', NOT_JSON],
    ['clock', 'GET', '/v1/clock', {}],
    ['clock, bad JSON', 'POST', '/v1/clock', NOT_JSON],
    ['clearing file, no content type', 'POST', '/v1/clearing/files', { body: 'x' }],
    ['clearing file, JSON', 'POST', '/v1/clearing/files', { body: '{}', headers: { 'content-type': 'application/json' } }],
    ['clearing file, bad NDJSON', 'POST', '/v1/clearing/files', { body: '{"fileId"', headers: { 'content-type': 'application/x-ndjson' } }],
  ];

  for (const [name, method, url, options] of ROUTES) {
    it(`${method} ${url} (${name}): 401, the one body, with no key and with a wrong key`, async () => {
      for (const authorization of [null, 'Bearer not-the-back-office-key', `Basic ${BACK_OFFICE_KEY}`]) {
        const response = await client.call(method, url, { ...options, authorization });
        expect([authorization, response.statusCode]).toEqual([authorization, 401]);
        expect(response.json()).toEqual(UNAUTHORIZED);
        expect(response.headers['www-authenticate']).toBe('Bearer');
      }
    });
  }

  it('answers a path under /v1 that no route serves 401 without a key, 404 with it; the network route keeps its own setting', async () => {
    const noKey = { authorization: null };
    expect((await client.call('GET', '/v1/no-such-route', noKey)).statusCode).toBe(401);
    expect((await client.call('POST', '/v1/accounts/acc_x/no-such-action', noKey)).statusCode).toBe(401);
    expect((await client.call('GET', '/v1/no-such-route', { authorization: `Bearer ${BACK_OFFICE_KEY}` })).statusCode).toBe(404);
    expect((await client.call('GET', '/v1/network/no-such-route', noKey)).statusCode).toBe(404);
  });

  it('lets the key through in any scheme case, to the route\'s own answer', async () => {
    const dispute = await client.call('POST', '/v1/accounts/acc_x/disputes', { ...NOT_JSON, authorization: `bearer ${BACK_OFFICE_KEY}` });
    expect(dispute.statusCode).toBe(400);
    const file = await client.call('POST', '/v1/clearing/files', { body: 'x', headers: { 'content-type': 'text/plain' }, authorization: `BEARER ${BACK_OFFICE_KEY}` });
    expect(file.statusCode).toBe(415);
  });
});
