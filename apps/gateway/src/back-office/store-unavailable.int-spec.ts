import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { REDIS } from '@lib/platform';
import { bootApp, integrationConfig } from '@lib/testing';
import { gatewayApp } from '../gateway.app';

/**
 * Redis gone while the gateway runs: back-office routes answer 503 with a reason in their error
 * shape, not a 500 and a stack trace.
 */
describe('gateway: back office while Redis cannot be reached', () => {
  let app: NestFastifyApplication;
  const auth = { authorization: `Bearer ${integrationConfig().security.backOfficeKeys[0]}` };

  beforeAll(async () => {
    app = await bootApp(gatewayApp);
    // The app's own client, closed for good: every command now fails as with Redis down.
    (app.get(REDIS) as Redis).disconnect(false);
  });
  afterAll(() => app.close());

  const inject = (method: 'GET' | 'POST', url: string, payload?: object) =>
    app.getHttpAdapter().getInstance().inject({ method, url, headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': 'unavailable-1' }, ...(payload ? { payload } : {}) });

  it.each([
    ['GET', '/v1/accounts/acc0000000000001', undefined],
    ['POST', '/v1/accounts', { program: 'eur-standard', holder: { name: 'Ada Lovelace', email: 'ada@example.test' } }],
    ['POST', '/v1/accounts/acc0000000000001/loads', { amount: { minor: '1000', currency: 'EUR' }, method: 'sepa-transfer' }],
  ] as const)('%s %s: 503 unavailable', async (method, url, payload) => {
    const reply = await inject(method, url, payload);
    expect(reply.statusCode).toBe(503);
    expect(reply.json()).toMatchObject({ error: { code: 'unavailable' } });
  });
});
