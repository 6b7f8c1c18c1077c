import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { CLOCK, SharedSimulatedClock, SystemClock } from '@lib/clock';
import { InfraModule, REDIS } from '@lib/platform';
import { integrationConfig, uniqueId } from '@lib/testing';
import { ClockModule } from './clock.module';

/**
 * `GET` / `POST /v1/clock` against the real Redis. The clock under test has a key of its own (the
 * shared key of the apps is left alone: other suites and a running demo may be reading it); the
 * wiring of InfraModule (flag on: SharedSimulatedClock, off: SystemClock) is checked apart.
 */
const config = integrationConfig();
const auth = { authorization: `Bearer ${config.security.backOfficeKeys[0]}` };

async function appWith(simulated: boolean, clockKey?: string): Promise<NestFastifyApplication> {
  const builder = Test.createTestingModule({
    imports: [InfraModule.forRoot({ appName: 'clock-test', config: { ...config, clock: { simulated } }, redis: config.redis }), ClockModule],
  });
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

const call = (app: NestFastifyApplication, method: 'GET' | 'POST', payload?: unknown, headers: Record<string, string> = auth) =>
  app.getHttpAdapter().getInstance().inject({ method, url: '/v1/clock', headers, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('simulated clock routes (real Redis)', () => {
  it('with the flag on: answers now, advances, sets forward, refuses backwards (409) and bad bodies (400)', async () => {
    const app = await appWith(true, uniqueId('clock'));
    try {
      const first = Date.parse((await call(app, 'GET')).json().now);
      expect(Math.abs(first - Date.now())).toBeLessThan(5_000);
      const advanced = await call(app, 'POST', { advanceSeconds: 15 * 24 * 3600 });
      expect(advanced.statusCode).toBe(200);
      const afterAdvance = Date.parse(advanced.json().now);
      expect(afterAdvance - first).toBeGreaterThanOrEqual(15 * 24 * 3600 * 1000);
      expect(afterAdvance - first).toBeLessThan(15 * 24 * 3600 * 1000 + 5_000);
      expect(Date.parse((await call(app, 'GET')).json().now)).toBeGreaterThanOrEqual(afterAdvance);

      const target = new Date(afterAdvance + 30 * 24 * 3600 * 1000).toISOString();
      // It keeps ticking from the instant set: the answer is that instant, give or take the step's ms.
      const set = Date.parse((await call(app, 'POST', { set: target })).json().now) - Date.parse(target);
      expect(set).toBeGreaterThanOrEqual(0);
      expect(set).toBeLessThan(1_000);
      const backwards = await call(app, 'POST', { set: new Date(first).toISOString() });
      expect(backwards.statusCode).toBe(409);
      expect(backwards.json().error.code).toBe('clock-backwards');
      expect(Date.parse(backwards.json().error.now)).toBeGreaterThanOrEqual(Date.parse(target));

      const invalid = await call(app, 'POST', { advanceSeconds: 1.5 });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json()).toEqual({ error: { code: 'validation', field: 'advanceSeconds', reason: 'must be an integer number of seconds' } });
      expect((await call(app, 'POST', { set: 'tomorrow' })).json().error.field).toBe('set');
      expect((await call(app, 'GET', undefined, {})).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('with the flag off: 404 on both routes (401 without the back-office key)', async () => {
    const app = await appWith(false);
    try {
      expect(app.get(CLOCK)).toBeInstanceOf(SystemClock);
      expect((await call(app, 'GET')).statusCode).toBe(404);
      const post = await call(app, 'POST', { advanceSeconds: 60 });
      expect(post.statusCode).toBe(404);
      expect(post.json().error.code).toBe('not-found');
      expect((await call(app, 'POST', { advanceSeconds: 60 }, { authorization: 'Bearer wrong-key-wrong-key' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('InfraModule provides the shared simulated clock when clock.simulated is on (CLOCK_SIMULATED=true)', async () => {
    const flagged = integrationConfig({ ...process.env, CLOCK_SIMULATED: 'true' });
    expect(flagged.clock.simulated).toBe(true);
    const module = await Test.createTestingModule({ imports: [InfraModule.forRoot({ appName: 'clock-wiring-test', config: flagged, redis: flagged.redis })] }).compile();
    const app = module.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    try {
      const clock = app.get(CLOCK);
      expect(clock).toBeInstanceOf(SharedSimulatedClock);
      expect(typeof clock.nowMs()).toBe('number');
    } finally {
      await app.close();
    }
  });
});
