import type Redis from 'ioredis';
import { createRedis } from '@lib/platform';
import { integrationConfig, uniqueId, waitFor } from '@lib/testing';
import { ManualClock } from './clock';
import { SharedSimulatedClock } from './shared-simulated-clock';

/**
 * The shared simulated clock against the real Redis: two clocks on one state stand for two apps
 * (gateway, settlement). Each test uses a key of its own so suites running at the same time on
 * the shared test Redis do not move each other's clock.
 */
const REAL = Date.UTC(2026, 10, 22, 10, 0, 0);
const DAY_MS = 24 * 3600 * 1000;
let redis: Redis;
const started: SharedSimulatedClock[] = [];

beforeAll(async () => {
  redis = createRedis(integrationConfig().redis, 'clock-test');
  await redis.connect();
});
afterAll(async () => {
  await Promise.all(started.map((clock) => clock.stop()));
  await redis.quit();
});

async function clockOn(key: string, real: ManualClock, refreshIntervalMs = 60_000): Promise<SharedSimulatedClock> {
  const clock = new SharedSimulatedClock(redis, { key, real, refreshIntervalMs });
  await clock.start();
  started.push(clock);
  return clock;
}

describe('shared simulated clock (real Redis)', () => {
  it('starts at the real time, ticks with it, and an advance made by one app is seen by the other', async () => {
    const key = uniqueId('clock');
    const real = new ManualClock(REAL);
    const gateway = await clockOn(key, real);
    const settlement = await clockOn(key, real);
    expect(gateway.nowMs()).toBe(REAL);
    real.advance(1_500);
    expect(settlement.nowMs()).toBe(REAL + 1_500);
    // The change applies at once in the process that made it...
    expect(await gateway.advance(15 * 24 * 3600)).toEqual({ ok: true, nowMs: REAL + 1_500 + 15 * DAY_MS });
    expect(gateway.nowMs()).toBe(REAL + 1_500 + 15 * DAY_MS);
    // ...and in the other one by pub/sub (its refresh timer is a minute away).
    await waitFor(() => (settlement.nowMs() === REAL + 1_500 + 15 * DAY_MS ? true : undefined), 2_000, 5);
    real.advance(2_000);
    expect([gateway.nowMs(), settlement.nowMs()]).toEqual([REAL + 3_500 + 15 * DAY_MS, REAL + 3_500 + 15 * DAY_MS]);
    expect(JSON.parse((await redis.get(key))!)).toEqual({ baseMs: REAL + 1_500 + 15 * DAY_MS, setAtRealMs: REAL + 1_500 });
  });

  it('sets a later instant, the current one again, but never an earlier one', async () => {
    const key = uniqueId('clock');
    const real = new ManualClock(REAL);
    const clock = await clockOn(key, real);
    const target = Date.UTC(2026, 11, 7, 10, 0, 0);
    expect(await clock.set(target)).toEqual({ ok: true, nowMs: target });
    real.advance(10_000);
    expect(await clock.set(target + 9_999)).toEqual({ ok: false, reason: 'backwards', nowMs: target + 10_000 });
    expect(clock.nowMs()).toBe(target + 10_000);
    expect(await clock.set(target + 10_000)).toEqual({ ok: true, nowMs: target + 10_000 });
    expect(await clock.advance(0)).toEqual({ ok: true, nowMs: target + 10_000 });
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('a clock started later reads the state; the periodic refresh catches a change whose notice was missed', async () => {
    const key = uniqueId('clock');
    const real = new ManualClock(REAL);
    const first = await clockOn(key, real);
    await first.advance(3_600);
    const late = await clockOn(key, real, 20);
    expect(late.nowMs()).toBe(REAL + 3_600_000);
    // A state written without its pub/sub notice (a lost message):
    await redis.set(key, JSON.stringify({ baseMs: REAL + 7_200_000, setAtRealMs: REAL }));
    await waitFor(() => (late.nowMs() === REAL + 7_200_000 ? true : undefined), 2_000, 5);
  });

  it('never answers less than it answered before, even if the shared state moves back', async () => {
    const key = uniqueId('clock');
    const real = new ManualClock(REAL);
    const clock = await clockOn(key, real, 20);
    await clock.advance(600);
    await redis.set(key, JSON.stringify({ baseMs: REAL, setAtRealMs: REAL }));
    await clock.refresh();
    expect(clock.nowMs()).toBe(REAL + 600_000);
    real.advance(1_000);
    expect(clock.nowMs()).toBe(REAL + 600_000);
  });
});
