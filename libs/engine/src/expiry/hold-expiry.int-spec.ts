import { SharedSimulatedClock } from '@lib/clock';
import { AuthorizationEvent, toAuthorizationEvent, validateEvent } from '@lib/events';
import { keys } from '@lib/store';
import { uniqueId } from '@lib/testing';
import { NetworkMessageHandler } from '../network-message.handler';
import { DAY_MS, EngineHarness, NOW } from '../testing/engine-harness';
import { completionAdvice, incrementalRequest } from '../testing/messages';
import { HoldExpirySweeper } from './hold-expiry-sweeper';

/**
 * Holds age on the clock: a pre-authorisation left alone for 15 x 24 h is released by the sweeper
 * (no message needs to touch the account), exactly once, with exactly one hold.expired entry; a
 * completion arriving after that is answered 00 and posted all the same, flagged lateAfterExpiry.
 */
const h = new EngineHarness();
let sweeper: HoldExpirySweeper;
// The test Redis is shared with other suites running at their own (simulated) times: this sweeper
// touches only the accounts of this file, so it never expires another suite's holds.
const mine = new Set<string>();
const cardOn = async (program: string, eurMinor: bigint) => {
  const card = await h.cardOn(program, eurMinor);
  mine.add(card.accountId);
  return card;
};
beforeAll(async () => {
  await h.start('expiry-test');
  sweeper = new HoldExpirySweeper(h.redis, h.clock, { intervalMs: 20, safetyScanIntervalMs: 1_000, batchSize: 1_000_000, accepts: (accountId) => mine.has(accountId) });
});
afterAll(async () => {
  sweeper.stop();
  await h.stop();
});
beforeEach(() => h.clock.set(NOW));

/** The hold.expired events of the account's outbox, as the relay builds them. */
async function expiredEvents(accountId: string): Promise<AuthorizationEvent[]> {
  const entries = await h.redis.xrange(keys.outbox(accountId), '-', '+');
  return entries
    .filter(([, f]) => f[1] === 'hold.expired')
    .map(([, f]) => {
      const fields: Record<string, string> = {};
      for (let i = 0; i < f.length; i += 2) fields[f[i]] = f[i + 1];
      const built = toAuthorizationEvent(accountId, fields);
      if (!built.ok) throw new Error(built.reason);
      expect(validateEvent(built.event)).toEqual({ valid: true });
      return built.event as AuthorizationEvent;
    });
}

describe('hold expiry (real Redis)', () => {
  it('publishes hold.expired with the card, MCC and merchant of the authorisation that opened the hold, after an increment too', async () => {
    const card = await cardOn('eur-standard', 50_000n);
    const preAuth = h.request(card, { amountMinor: 20_000, condition: '06', mcc: '7011', merchantId: 'HOTEL0000000042', merchantName: 'HOTEL DU LAC' });
    expect((await h.send(preAuth)).get(39)).toBe('00');
    // The increment rewrites the hold record in Lua (cjson): what it kept of the original stays.
    expect((await h.send(incrementalRequest(preAuth, { stan: h.nextStan(), amountMinor: 5_000 }))).get(39)).toBe('00');
    h.clock.set(NOW + 15 * DAY_MS);
    await sweeper.sweepAccount(card.accountId, h.clock.nowMs());
    const [original, increment] = (await h.decisions(card.accountId)).map((d) => d.record);
    // The increment's event names the hold it grew and its unchanged expiry.
    expect(increment.approved.hold).toEqual(original.approved.hold);
    expect(increment.approved.holdEffect).toMatchObject({ holdId: original.approved.hold!.holdId, effect: 'grown' });
    const [event] = await expiredEvents(card.accountId);
    expect(original.merchant.id).toBe('HOTEL0000000042');
    expect(event).toMatchObject({
      type: 'hold.expired',
      panMasked: original.panMasked,
      mcc: '7011',
      merchant: original.merchant,
      // The authorisation's own amount, billing and FX, not the amount held (fees included).
      amount: original.amount,
      billing: original.billing,
      fx: original.fx,
      mti: '0100',
      processingCode: original.processingCode,
      context: { holdKind: 'pre-authorisation' },
      hold: { released: { minor: '25000', currency: 'EUR' } },
    });
    expect(event.panMasked).toMatch(/^\d{6}\*+\d{4}$/);
  });

  it('releases a pre-authorisation aged 15 days once, with one hold.expired, then posts a late completion all the same', async () => {
    const card = await cardOn('eur-standard', 50_000n);
    const preAuth = h.request(card, { amountMinor: 20_000, condition: '06', mcc: '7011' });
    await h.send(preAuth);
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 50_000n, available: 30_000n });

    // One millisecond short of 15 x 24 h: still held.
    h.clock.set(NOW + 15 * DAY_MS - 1);
    await sweeper.sweepDue();
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 50_000n, available: 30_000n });
    expect(await h.expiredHolds(card.accountId)).toHaveLength(0);

    h.clock.set(NOW + 15 * DAY_MS);
    const report = await sweeper.sweepDue();
    expect(report.holdsExpired).toBeGreaterThanOrEqual(1);
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 50_000n, available: 50_000n });
    // Again, and through a message touching the account: nothing more.
    h.clock.advance(DAY_MS);
    await sweeper.sweepDue();
    await sweeper.sweepAccount(card.accountId, h.clock.nowMs());
    const expired = await h.expiredHolds(card.accountId);
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ transactionId: preAuth.tag('TI'), remainingMinor: 20_000 });
    expect(await h.redis.sismember(keys.outboxPending(), card.accountId)).toBe(1);
    expect(await h.redis.zscore(keys.holdExpiryIndex(), card.accountId)).toBeNull();

    const completion = await h.send(completionAdvice(preAuth, { stan: h.nextStan(), amountMinor: 18_000 }));
    expect(completion.mti).toBe('0230');
    expect(completion.get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 32_000n, available: 32_000n });
    const late = (await h.decisions(card.accountId)).find((d) => d.record.approved.type === 'completion.applied')!;
    expect(late.record.approved).toMatchObject({ lateAfterExpiry: true, holdEffect: null, posted: { minor: '-18000', currency: 'EUR' } });
    expect(await h.expiredHolds(card.accountId)).toHaveLength(1);
    await h.expectConserved(card.accountId);
  });

  it('a completion after expiry can take the available balance below zero: it suspends the account', async () => {
    const card = await cardOn('eur-standard', 10_000n);
    const preAuth = h.request(card, { amountMinor: 8_000, condition: '06', mcc: '7011' });
    await h.send(preAuth);
    h.clock.set(NOW + 15 * DAY_MS);
    await sweeper.sweepAccount(card.accountId, h.clock.nowMs());
    // The released funds are spent again, then the hotel completes its expired pre-authorisation.
    expect((await h.send(h.request(card, { amountMinor: 9_500 }))).get(39)).toBe('00');
    expect((await h.send(completionAdvice(preAuth, { stan: h.nextStan(), amountMinor: 9_000 }))).get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 1_000n, available: -8_500n });
    expect((await h.send(h.request(card, { amountMinor: 1 }))).get(39)).toBe('05');
    await h.expectConserved(card.accountId);
  });

  it('sweeps on its own timer and finds accounts missing from the index by the safety scan', async () => {
    const card = await cardOn('eur-standard', 10_000n);
    await h.send(h.request(card, { amountMinor: 4_000, condition: '06', mcc: '7011' }));
    // A gateway that died between its step and the index write (written at the end of the tick):
    await new Promise((resolve) => setImmediate(resolve));
    await h.redis.zrem(keys.holdExpiryIndex(), card.accountId);
    h.clock.set(NOW + 15 * DAY_MS);
    await sweeper.sweepDue();
    expect((await h.wallet(card.accountId)).available).toBe(6_000n);
    expect(await sweeper.safetyScan()).toBeGreaterThanOrEqual(1);
    expect(await h.redis.zscore(keys.holdExpiryIndex(), card.accountId)).toBe(String(NOW + 15 * DAY_MS));
    sweeper.start();
    const deadline = Date.now() + 5_000;
    while ((await h.wallet(card.accountId)).available !== 10_000n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    sweeper.stop();
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 10_000n, available: 10_000n });
    expect(await h.expiredHolds(card.accountId)).toHaveLength(1);
  });

  it('ages a pre-authorisation 15 days on the shared simulated clock (POST /v1/clock advanceSeconds): one hold.expired', async () => {
    // The clock the apps share when clock.simulated is on, on a key of this test's own.
    const simulated = new SharedSimulatedClock(h.redis, { key: uniqueId('clock') });
    await simulated.start();
    try {
      const handler = new NetworkMessageHandler({ ...h.deps, clock: simulated });
      const ageing = new HoldExpirySweeper(h.redis, simulated, { intervalMs: 10, safetyScanIntervalMs: 60_000, batchSize: 1_000_000, accepts: (accountId) => mine.has(accountId) });
      const card = await cardOn('eur-standard', 50_000n);
      const preAuth = h.request(card, { amountMinor: 12_000, condition: '06', mcc: '7011' });
      expect((await handler.handle(preAuth))!.get(39)).toBe('00');
      const [hold] = await h.holds(card.accountId);
      expect(hold.expiresAt - hold.openedAt).toBe(15 * DAY_MS);
      await simulated.advance(15 * 24 * 3600 - 60);
      await ageing.sweepDue();
      expect((await h.wallet(card.accountId)).available).toBe(38_000n);
      await simulated.advance(60);
      ageing.start();
      const deadline = Date.now() + 5_000;
      while ((await h.wallet(card.accountId)).available !== 50_000n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 50));
      ageing.stop();
      expect(await h.wallet(card.accountId)).toEqual({ ledger: 50_000n, available: 50_000n });
      expect(await h.expiredHolds(card.accountId)).toHaveLength(1);
    } finally {
      await simulated.stop();
    }
  });

  it('keeps the index on the next expiry of an account with several holds', async () => {
    const card = await cardOn('eur-standard', 10_000n);
    await h.send(h.request(card, { amountMinor: 1_000 }));
    await h.send(h.request(card, { amountMinor: 2_000, condition: '06', mcc: '7011' }));
    expect(await h.redis.zscore(keys.holdExpiryIndex(), card.accountId)).toBe(String(NOW + 7 * DAY_MS));
    h.clock.set(NOW + 7 * DAY_MS);
    await sweeper.sweepDue();
    expect((await h.wallet(card.accountId)).available).toBe(8_000n);
    expect(await h.redis.zscore(keys.holdExpiryIndex(), card.accountId)).toBe(String(NOW + 15 * DAY_MS));
  });
});
