import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { CLOCK, SharedSimulatedClock } from '@lib/clock';
import { ALL_CONFIG_SECTIONS, loadConfig, settlementConfigSchema } from '@lib/config';
import { REDIS } from '@lib/platform';
import { uniqueId } from '@lib/testing';
import { SettlementModule } from '../settlement.module';

/**
 * The routes every app serves (http-and-events.md), on the settlement app: `GET /metrics`
 * (Prometheus text, no auth, no card data) and `GET /v1/clock` (the simulated clock shared by
 * every app; 404 when the flag is off). The consumer is off: the routes need no traffic. The
 * simulated clock under test has a key of its own (the apps' shared key is left alone).
 */
const env = { ...process.env, SETTLEMENT_CONSUMER: 'false', SETTLEMENT_RECONCILIATION_INTERVAL_MS: '0' };

async function settlementWith(simulated: boolean, clockKey?: string): Promise<NestFastifyApplication> {
  const config = loadConfig(settlementConfigSchema, { env: { ...env, CLOCK_SIMULATED: String(simulated) }, otherSections: ALL_CONFIG_SECTIONS });
  expect(config.clock.simulated).toBe(simulated);
  const builder = Test.createTestingModule({ imports: [SettlementModule.forRoot(config)] });
  if (clockKey !== undefined) {
    builder.overrideProvider(CLOCK).useFactory({
      inject: [REDIS],
      factory: async (redis: Redis) => {
        const clock = new SharedSimulatedClock(redis, { key: clockKey });
        await clock.start();
        return clock;
      },
    });
  }
  const app = (await builder.compile()).createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

const keyOf = () => loadConfig(settlementConfigSchema, { env, otherSections: ALL_CONFIG_SECTIONS }).security.backOfficeKeys[0];
const get = (app: NestFastifyApplication, url: string, headers: Record<string, string> = {}) => app.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers });

describe('settlement: GET /metrics', () => {
  it('serves Prometheus text without a key: the consumer, the ledger, the DLQs and the process', async () => {
    const app = await settlementWith(false);
    try {
      const response = await get(app, '/metrics');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = response.body;
      for (const family of [
        '# TYPE settlement_events_consumed_total counter',
        '# TYPE settlement_journal_entries_posted_total counter',
        '# TYPE settlement_clearing_records_total counter',
        '# TYPE settlement_dead_letters_total counter',
        '# TYPE settlement_postings_published_total counter',
        '# TYPE settlement_chunk_settle_seconds histogram',
        '# TYPE settlement_consumer_lag_messages gauge',
        '# TYPE settlement_consumer_joined gauge',
        '# TYPE process_cpu_user_seconds_total counter',
        '# TYPE nodejs_eventloop_lag_seconds gauge',
      ]) {
        expect(text).toContain(family);
      }
      // Zero series exist before any traffic, so rates and alerts work from the first scrape.
      expect(text).toContain('settlement_events_consumed_total{topic="card.clearing",outcome="posted"} 0');
      expect(text).toContain('settlement_dead_letters_total{topic="ledger.postings"} 0');
      expect(text).toContain('settlement_consumer_joined 0');
    } finally {
      await app.close();
    }
  }, 30_000);
});

describe('settlement: GET /v1/clock', () => {
  it('with the flag on: answers the clock the gateway moves (shared through Redis), read-only', async () => {
    const clockKey = uniqueId('clock');
    const app = await settlementWith(true, clockKey);
    // The gateway's side: another SharedSimulatedClock on the same key moves it forward 15 days.
    const gatewayClock = new SharedSimulatedClock(app.get<Redis>(REDIS), { key: clockKey });
    await gatewayClock.start();
    try {
      const auth = { authorization: `Bearer ${keyOf()}` };
      const first = await get(app, '/v1/clock', auth);
      expect(first.statusCode).toBe(200);
      expect(Math.abs(Date.parse(first.json().now) - Date.now())).toBeLessThan(5_000);

      const moved = await gatewayClock.advance(15 * 24 * 3600);
      expect(moved.ok).toBe(true);
      // The subscriber hears the change at once; the refresh timer catches it within a second.
      let seenMs = 0;
      for (let i = 0; i < 40 && seenMs < moved.nowMs; i++) {
        seenMs = Date.parse((await get(app, '/v1/clock', auth)).json().now);
        if (seenMs < moved.nowMs) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(seenMs).toBeGreaterThanOrEqual(moved.nowMs);
      expect(seenMs - moved.nowMs).toBeLessThan(5_000);

      expect((await get(app, '/v1/clock')).statusCode).toBe(401);
      const post = await app.getHttpAdapter().getInstance().inject({ method: 'POST', url: '/v1/clock', headers: auth, payload: { advanceSeconds: 60 } });
      expect(post.statusCode).toBe(404);
    } finally {
      await gatewayClock.stop();
      await app.close();
    }
  }, 30_000);

  it('with the flag off: 404 (401 first without the back-office key)', async () => {
    const app = await settlementWith(false);
    try {
      const off = await get(app, '/v1/clock', { authorization: `Bearer ${keyOf()}` });
      expect(off.statusCode).toBe(404);
      expect(off.json().error.code).toBe('not-found');
      expect((await get(app, '/v1/clock')).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  }, 30_000);
});
