import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { CLOCK, SharedSimulatedClock } from '@lib/clock';
import { InfraModule, REDIS } from '@lib/platform';
import { integrationConfig, uniqueId } from '@lib/testing';
import { ClockModule } from './clock.module';

/**
 * `POST /v1/clock` with an Idempotency-Key (http-and-events.md: "Writes take an Idempotency-Key
 * header: the same key with the same body returns the first result; with another body, 409"),
 * against the real Redis, on a clock key of its own.
 */
const config = integrationConfig();
const auth = { authorization: `Bearer ${config.security.backOfficeKeys[0]}` };
const HOUR_S = 3600;
let app: NestFastifyApplication;

beforeAll(async () => {
  const clockKey = uniqueId('clock');
  const moduleRef = await Test.createTestingModule({
    imports: [InfraModule.forRoot({ appName: 'clock-idem-test', config: { ...config, clock: { simulated: true } }, redis: config.redis }), ClockModule],
  })
    .overrideProvider(CLOCK)
    .useFactory({
      inject: [REDIS],
      factory: async (redis: Redis) => {
        const clock = new SharedSimulatedClock(redis, { key: clockKey });
        await clock.start();
        return clock;
      },
    })
    .compile();
  app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
});
afterAll(() => app?.close());

const post = (payload: unknown, idempotencyKey?: string) =>
  app.getHttpAdapter().getInstance().inject({
    method: 'POST',
    url: '/v1/clock',
    headers: { ...auth, ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }) },
    payload: payload as object,
  });
const now = async () => Date.parse((await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/v1/clock', headers: auth })).json().now);

describe('POST /v1/clock with an Idempotency-Key (real Redis)', () => {
  it('advances once: the same key and body replay the first answer, another body is 409', async () => {
    const key = uniqueId('idem');
    const before = await now();
    const first = await post({ advanceSeconds: HOUR_S }, key);
    expect(first.statusCode).toBe(200);
    expect(first.headers['idempotency-replayed']).toBeUndefined();
    const replay = await post({ advanceSeconds: HOUR_S }, key);
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    // Moved by one hour, not two.
    const after = await now();
    expect(after - before).toBeGreaterThanOrEqual(HOUR_S * 1000);
    expect(after - before).toBeLessThan(2 * HOUR_S * 1000);

    const conflict = await post({ advanceSeconds: 60 }, key);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toEqual({ error: { code: 'idempotency-conflict', reason: 'this Idempotency-Key was used with another request (method, route or body)' } });
    expect((await now()) - after).toBeLessThan(60_000);
  });

  it('advances once for concurrent requests with one key: the others wait and replay the first answer', async () => {
    const key = uniqueId('idem');
    const before = await now();
    const answers = await Promise.all(Array.from({ length: 5 }, () => post({ advanceSeconds: HOUR_S }, key)));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotency-replayed'] === 'true')).toHaveLength(4);
    expect((await now()) - before).toBeLessThan(2 * HOUR_S * 1000);
  });

  it('replays a refused set (409 clock-backwards) as it was', async () => {
    const key = uniqueId('idem');
    const body = { set: '2000-01-01T00:00:00Z' };
    const first = await post(body, key);
    expect(first.statusCode).toBe(409);
    expect(first.json().error.code).toBe('clock-backwards');
    await post({ advanceSeconds: 60 }); // the clock moves on; the replay is still the first answer
    const replay = await post(body, key);
    expect(replay.statusCode).toBe(409);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
  });

  it('keeps no 400 for the key, and refuses a malformed key', async () => {
    const key = uniqueId('idem');
    expect((await post({ advanceSeconds: 1.5 }, key)).statusCode).toBe(400);
    const corrected = await post({ advanceSeconds: 1 }, key);
    expect(corrected.statusCode).toBe(200);
    expect(corrected.headers['idempotency-replayed']).toBeUndefined();
    const malformed = await post({ advanceSeconds: 1 }, 'a key with spaces');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.field).toBe('headers.idempotency-key');
  });
});
