import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { REDIS } from '@lib/platform';
import { bootApp, integrationConfig, runBuiltApp } from '@lib/testing';
import { settlementApp } from './settlement.app';

describe('settlement app', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await bootApp(settlementApp);
  });
  afterAll(() => app.close());

  it('boots against the real services and answers GET /health', async () => {
    const response = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks).sort()).toEqual(['redis', 'kafka', 'database'].sort());
  });

  it('answers 503 with a reason, not a 500, when Redis cannot be reached', async () => {
    const cut = await bootApp(settlementApp);
    try {
      (cut.get(REDIS) as Redis).disconnect(false);
      const key = integrationConfig().security.backOfficeKeys[0];
      const response = await cut.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/v1/reconciliation?accountId=acc0000000000001', headers: { authorization: `Bearer ${key}` } });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: { code: 'unavailable' } });
    } finally {
      await cut.close();
    }
  });

  it('stops at boot with one line naming the key of a bad config value', () => {
    const run = runBuiltApp('settlement', { SETTLEMENT_HTTP_PORT: 'not-a-port' });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^settlement: config error: .*http\.port: must be an integer between 0 and 65535, got "not-a-port" \(from env SETTLEMENT_HTTP_PORT\)$/);
  });
});
