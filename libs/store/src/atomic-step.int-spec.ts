import { createRedis } from '@lib/platform';
import { integrationConfig, uniqueId } from '@lib/testing';
import { AtomicStepPlan, BALANCES_KEY, DECLINE_MARK, HOLDS_KEY, HoldRecord, runAtomicStep, StepKeys } from './atomic-step';
import { keys } from './keys';

/** The generic primitive against the real Redis: checks, moves, dedupe, staleness, holds, outbox. */
const redis = createRedis(integrationConfig().redis, 'atomic-step-test');
beforeAll(() => redis.connect());
afterAll(() => redis.quit());

const NOW = Date.UTC(2026, 10, 22, 10, 0, 0);

async function fund(accountId: string, minor: number) {
  await redis.hset(keys.balances(accountId), 'EUR:ledger', minor, 'EUR:avail', minor);
}

function debitPlan(amount: number, fee = 0, extra: Partial<AtomicStepPlan> = {}): AtomicStepPlan {
  return {
    checks: [{ name: 'funds', type: 'hbump', key: BALANCES_KEY, field: 'EUR:avail', by: -(amount + fee), min: 0 }],
    onDecline: { funds: [{ type: 'post', currency: 'EUR', by: -15, covered: true }] },
    report: [{ key: BALANCES_KEY, field: 'EUR:ledger' }, { key: BALANCES_KEY, field: 'EUR:avail' }],
    ...extra,
  };
}

describe('atomic step (real Redis)', () => {
  it('approves and moves, or declines on the first failing check and applies only its decline ops', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 1000);
    const k = new StepKeys(accountId);
    const approved = await runAtomicStep(redis, k, debitPlan(900), NOW, '{"n":1}');
    expect(approved).toEqual({ status: 'done', outcome: { declined: false, report: ['1000', '100'] } });
    // 200 > 100 available: declined on funds, the 0.15 decline fee is covered and taken.
    const declined = await runAtomicStep(redis, k, debitPlan(200), NOW, '{"n":2}');
    expect(declined).toEqual({ status: 'done', outcome: { declined: 'funds', report: ['985', '85'] } });
    const outbox = await redis.xrange(keys.outbox(accountId), '-', '+');
    expect(outbox).toHaveLength(2);
    expect(JSON.parse(outbox[1][1][3])).toEqual({ record: { n: 2 }, outcome: { declined: 'funds', report: ['985', '85'] } });
  });

  it('puts the text of the deciding check at the records\' mark, and nothing on approval', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 1000);
    const k = new StepKeys(accountId);
    const message = (n: number) => ({ key: k.ref(keys.message(accountId, `0100:1:${n}`)), ttlMs: 60_000 });
    const declineTexts = { funds: '"funds":{"code":"51"}', other: '"other":{"code":"61"}' };
    const record = `{"declines":{${DECLINE_MARK}},"n":1}`;
    const retry = `{"declines":{${DECLINE_MARK}}}`;
    await runAtomicStep(redis, k, debitPlan(900, 0, { dedupe: message(1), declineTexts }), NOW, record, undefined, retry);
    await runAtomicStep(redis, k, debitPlan(200, 0, { dedupe: message(2), declineTexts }), NOW, record, undefined, retry);
    const outbox = await redis.xrange(keys.outbox(accountId), '-', '+');
    expect(JSON.parse(outbox[0][1][3]).record).toEqual({ declines: {}, n: 1 });
    expect(JSON.parse(outbox[1][1][3]).record).toEqual({ declines: { funds: { code: '51' } }, n: 1 });
    const stored = await redis.get(keys.message(accountId, '0100:1:2'));
    expect(JSON.parse(stored!).record).toEqual({ declines: { funds: { code: '51' } } });
    expect(stored).not.toContain('\u0000');
  });

  it('never takes a decline fee the balance does not cover', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 10);
    const k = new StepKeys(accountId);
    const result = await runAtomicStep(redis, k, debitPlan(200), NOW, '{}');
    expect(result).toEqual({ status: 'done', outcome: { declined: 'funds', report: ['10', '10'] } });
  });

  it('answers a retried message with the stored decision and changes nothing', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 1000);
    const k = new StepKeys(accountId);
    const dedupe = { key: k.ref(keys.message(accountId, '0100:123:000001:1122101530')), ttlMs: 86_400_000 };
    const first = await runAtomicStep(redis, k, debitPlan(100, 0, { dedupe }), NOW, '{"auth":"A1"}');
    const again = await runAtomicStep(redis, k, debitPlan(100, 0, { dedupe }), NOW, '{"auth":"B2"}');
    expect(first.status).toBe('done');
    expect(again).toEqual({ status: 'duplicate', stored: { record: { auth: 'A1' }, outcome: { declined: false, report: ['1000', '900'] } } });
    expect(await redis.hget(keys.balances(accountId), 'EUR:avail')).toBe('900');
    expect(await redis.xlen(keys.outbox(accountId))).toBe(1);
    expect(await redis.pttl(keys.message(accountId, '0100:123:000001:1122101530'))).toBeGreaterThan(86_000_000);
  });

  it('refuses a plan computed from a state that changed since', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 1000);
    const k = new StepKeys(accountId);
    const card = k.ref(keys.card(accountId, 'c1'));
    await redis.hset(keys.card(accountId, 'c1'), 'version', '2');
    const result = await runAtomicStep(redis, k, debitPlan(100, 0, { expect: [{ key: card, field: 'version', value: '1' }] }), NOW, '{}');
    expect(result).toEqual({ status: 'stale', reason: `${card}:version` });
    expect(await redis.hget(keys.balances(accountId), 'EUR:avail')).toBe('1000');
  });

  it('checks count limits, then amount limits over rolling buckets, in the plan order', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 100_000);
    const k = new StepKeys(accountId);
    const today = k.ref(keys.counter(accountId, 'spend.7d:2026-11-22'));
    const yesterday = k.ref(keys.counter(accountId, 'spend.7d:2026-11-21'));
    const count = k.ref(keys.counter(accountId, 'pay.count.day:2026-11-22'));
    await redis.set(keys.counter(accountId, 'spend.7d:2026-11-21'), '15000');
    const plan = (amount: number): AtomicStepPlan => ({
      checks: [
        { name: 'count', type: 'bump', key: count, by: 1, max: 2, expireAt: NOW + 86_400_000 },
        { name: 'rolling', type: 'bumpSum', keys: [today, yesterday], by: amount, max: 20_000, expireAt: NOW + 8 * 86_400_000 },
        { name: 'funds', type: 'hbump', key: BALANCES_KEY, field: 'EUR:avail', by: -amount, min: 0 },
      ],
    });
    // 15,000 yesterday + 5,001 today > 20,000 over the window: declined, and the count not moved.
    expect(await runAtomicStep(redis, k, plan(5001), NOW, '{}')).toMatchObject({ outcome: { declined: 'rolling' } });
    expect(await redis.get(keys.counter(accountId, 'pay.count.day:2026-11-22'))).toBe(null);
    expect(await runAtomicStep(redis, k, plan(5000), NOW, '{}')).toMatchObject({ outcome: { declined: false } });
    expect(await redis.get(keys.counter(accountId, 'spend.7d:2026-11-22'))).toBe('5000');
    expect(await runAtomicStep(redis, k, plan(1), NOW, '{}')).toMatchObject({ outcome: { declined: 'rolling' } });
    await redis.set(keys.counter(accountId, 'pay.count.day:2026-11-22'), '2');
    expect(await runAtomicStep(redis, k, plan(0), NOW, '{}')).toMatchObject({ outcome: { declined: 'count' } });
  });

  it('opens a hold, releases it when it expires, once, with a hold.expired entry', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 10_000);
    const k = new StepKeys(accountId);
    const hold: HoldRecord = { holdId: 'h1', transactionId: '123456789012345', cardId: 'c1', currency: 'EUR', amountMinor: 3000, remainingMinor: 3000, feesMinor: 0, openedAt: NOW, expiresAt: NOW + 15 * 86_400_000, kind: 'pre-authorisation' };
    await runAtomicStep(redis, k, { ...debitPlan(3000), onApprove: [{ type: 'hold', hold }] }, NOW, '{}');
    expect(await redis.hget(keys.balances(accountId), 'EUR:avail')).toBe('7000');
    const empty: AtomicStepPlan = { report: [{ key: BALANCES_KEY, field: 'EUR:avail' }], publish: false };
    expect(await runAtomicStep(redis, k, empty, hold.expiresAt - 1, '{}')).toMatchObject({ outcome: { report: ['7000'] } });
    expect(await runAtomicStep(redis, k, empty, hold.expiresAt, '{}')).toMatchObject({ outcome: { report: ['10000'] } });
    expect(await runAtomicStep(redis, k, empty, hold.expiresAt + 1, '{}')).toMatchObject({ outcome: { report: ['10000'] } });
    const kinds = (await redis.xrange(keys.outbox(accountId), '-', '+')).map(([, fields]) => fields[1]);
    expect(kinds).toEqual(['decision', 'hold.expired']);
    expect(await redis.hlen(keys.holds(accountId))).toBe(0);
  });

  it('approves exactly k of 1,000 concurrent debits an account can afford k times', async () => {
    const accountId = uniqueId('acct');
    const affordable = 137;
    await fund(accountId, affordable * 1250 + 1249);
    const k = new StepKeys(accountId);
    const results = await Promise.all(Array.from({ length: 1000 }, () => runAtomicStep(redis, k, debitPlan(1250, 0, { onDecline: {} }), NOW, '{}')));
    const approved = results.filter((r) => r.status === 'done' && r.outcome.declined === false).length;
    expect(approved).toBe(affordable);
    expect(await redis.hget(keys.balances(accountId), 'EUR:avail')).toBe('1249');
  });
});

describe('atomic step: hold moves and generic additions (issue 6)', () => {
  const hold = (holdId: string, amount: number, expiresAt = NOW + 86_400_000): HoldRecord => ({
    holdId,
    transactionId: '123456789012345',
    cardId: 'c1',
    currency: 'EUR',
    amountMinor: amount,
    remainingMinor: amount,
    feesMinor: 0,
    openedAt: NOW,
    expiresAt,
    kind: 'authorisation',
  });
  const report = [{ key: BALANCES_KEY, field: 'EUR:ledger' }, { key: BALANCES_KEY, field: 'EUR:avail' }];
  const storedHold = async (accountId: string, holdId: string) => {
    const raw = await redis.hget(keys.holds(accountId), holdId);
    return raw === null ? null : (JSON.parse(raw) as HoldRecord);
  };

  it('grows a hold, releases part of it, then closes it giving back what is left', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 10_000);
    const k = new StepKeys(accountId);
    await runAtomicStep(redis, k, { onApprove: [{ type: 'hbump', key: BALANCES_KEY, field: 'EUR:avail', by: -3_000 }, { type: 'hold', hold: hold('h1', 3_000) }] }, NOW, '{}');
    await runAtomicStep(redis, k, { onApprove: [{ type: 'hbump', key: BALANCES_KEY, field: 'EUR:avail', by: -500 }, { type: 'grow', holdId: 'h1', by: 500 }] }, NOW, '{}');
    expect(await storedHold(accountId, 'h1')).toMatchObject({ amountMinor: 3_500, remainingMinor: 3_500, expiresAt: NOW + 86_400_000 });
    expect(await runAtomicStep(redis, k, { onApprove: [{ type: 'release', holdId: 'h1', by: 1_000 }], report }, NOW, '{}')).toMatchObject({ outcome: { report: ['10000', '7500'] } });
    expect(await storedHold(accountId, 'h1')).toMatchObject({ remainingMinor: 2_500 });
    // A release larger than the hold gives back what is held, and ends it.
    expect(await runAtomicStep(redis, k, { onApprove: [{ type: 'release', holdId: 'h1', by: 9_999 }], report }, NOW, '{}')).toMatchObject({ outcome: { report: ['10000', '10000'] } });
    expect(await storedHold(accountId, 'h1')).toBeNull();
    expect(await redis.zscore(keys.holdExpiries(accountId), 'h1')).toBeNull();
    // Releasing an ended hold changes nothing.
    expect(await runAtomicStep(redis, k, { onApprove: [{ type: 'release', holdId: 'h1', close: true }], report }, NOW, '{}')).toMatchObject({ outcome: { report: ['10000', '10000'] } });
  });

  it('closes a hold with close: true (all of it back), and posts a completion below zero when not covered', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 1_000);
    const k = new StepKeys(accountId);
    await runAtomicStep(redis, k, { onApprove: [{ type: 'hbump', key: BALANCES_KEY, field: 'EUR:avail', by: -800 }, { type: 'hold', hold: hold('h2', 800) }] }, NOW, '{}');
    const complete: AtomicStepPlan = { onApprove: [{ type: 'post', currency: 'EUR', by: -1_200 }, { type: 'release', holdId: 'h2', close: true }], report };
    expect(await runAtomicStep(redis, k, complete, NOW, '{}')).toMatchObject({ outcome: { report: ['-200', '-200'] } });
    // A `covered` post is skipped when the available balance does not cover it.
    expect(await runAtomicStep(redis, k, { onApprove: [{ type: 'post', currency: 'EUR', by: -15, covered: true }], report }, NOW, '{}')).toMatchObject({ outcome: { report: ['-200', '-200'] } });
  });

  it('checks a hash field absent (absent with field), and pins a stored hold with expect', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 1_000);
    const k = new StepKeys(accountId);
    const ti = k.ref(keys.transaction(accountId, '123456789012345'));
    await redis.hset(keys.transaction(accountId, '123456789012345'), 'rev:x', '{}');
    const plan: AtomicStepPlan = { checks: [{ name: 'reused', type: 'absent', key: ti, field: 'messageKey' }], onApprove: [{ type: 'hset', key: ti, values: { messageKey: 'm1' } }] };
    expect(await runAtomicStep(redis, k, plan, NOW, '{}')).toMatchObject({ outcome: { declined: false } });
    expect(await runAtomicStep(redis, k, plan, NOW, '{}')).toMatchObject({ outcome: { declined: 'reused' } });
    await runAtomicStep(redis, k, { onApprove: [{ type: 'hold', hold: hold('h3', 100) }] }, NOW, '{}');
    const raw = (await redis.hget(keys.holds(accountId), 'h3'))!;
    const pinned: AtomicStepPlan = { expect: [{ key: HOLDS_KEY, field: 'h3', value: raw }] };
    expect((await runAtomicStep(redis, k, pinned, NOW, '{}')).status).toBe('done');
    await runAtomicStep(redis, k, { onApprove: [{ type: 'grow', holdId: 'h3', by: 1 }] }, NOW, '{}');
    expect(await runAtomicStep(redis, k, pinned, NOW, '{}')).toEqual({ status: 'stale', reason: `${HOLDS_KEY}:h3` });
  });

  it('applies onDeclineOther to a decline with no ops of its own, and nothing to one opted out', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 100);
    const k = new StepKeys(accountId);
    const note = k.ref(keys.counter(accountId, 'declines'));
    const plan = (limitPasses: boolean, amount: number): AtomicStepPlan => ({
      checks: [
        { name: 'optout', type: 'const', pass: amount !== 7 },
        { name: 'limit', type: 'const', pass: limitPasses },
        { name: 'funds', type: 'hbump', key: BALANCES_KEY, field: 'EUR:avail', by: -amount, min: 0 },
      ],
      onDecline: { optout: [], funds: [{ type: 'bump', key: note, by: 100 }] },
      onDeclineOther: [{ type: 'bump', key: note, by: 1 }],
    });
    await runAtomicStep(redis, k, plan(false, 1), NOW, '{}');
    expect(await redis.get(keys.counter(accountId, 'declines'))).toBe('1');
    await runAtomicStep(redis, k, plan(true, 1_000), NOW, '{}');
    expect(await redis.get(keys.counter(accountId, 'declines'))).toBe('101');
    await runAtomicStep(redis, k, plan(true, 7), NOW, '{}');
    expect(await redis.get(keys.counter(accountId, 'declines'))).toBe('101');
  });

  it('names the holds it expired in the outcome', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 1_000);
    const k = new StepKeys(accountId);
    await runAtomicStep(redis, k, { onApprove: [{ type: 'hold', hold: hold('h4', 100, NOW + 10) }, { type: 'hold', hold: hold('h5', 100, NOW + 20) }] }, NOW, '{}');
    const empty: AtomicStepPlan = { publish: false };
    expect(await runAtomicStep(redis, k, empty, NOW + 10, '{}')).toMatchObject({ outcome: { expired: ['h4'] } });
    const later = await runAtomicStep(redis, k, empty, NOW + 30, '{}');
    expect(later).toMatchObject({ outcome: { expired: ['h5'] } });
    const none = await runAtomicStep(redis, k, empty, NOW + 40, '{}');
    expect(none.status === 'done' && none.outcome.expired).toBeUndefined();
  });
});

describe('atomic step report', () => {
  it('reports fields in the plan order, across keys, missing ones as 0', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 700);
    const k = new StepKeys(accountId);
    const card = k.ref(keys.card(accountId, 'c1'));
    await redis.hset(keys.card(accountId, 'c1'), 'version', '4');
    const plan: AtomicStepPlan = {
      report: [
        { key: BALANCES_KEY, field: 'EUR:ledger' },
        { key: card, field: 'version' },
        { key: BALANCES_KEY, field: 'EUR:avail' },
        { key: BALANCES_KEY, field: 'USD:avail' },
      ],
    };
    expect(await runAtomicStep(redis, k, plan, NOW, '{}')).toEqual({ status: 'done', outcome: { declined: false, report: ['700', '4', '700', '0'] } });
  });
});

describe('atomic step guards', () => {
  it('applies nothing past its deadline (no late approval after a 91)', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 1000);
    const k = new StepKeys(accountId);
    const result = await runAtomicStep(redis, k, debitPlan(100), NOW, '{}', Date.now() - 5);
    expect(result.status).toBe('late');
    expect(await redis.hget(keys.balances(accountId), 'EUR:avail')).toBe('1000');
    expect(await redis.xlen(keys.outbox(accountId))).toBe(0);
    expect((await runAtomicStep(redis, k, debitPlan(100), NOW, '{}', Date.now() + 5000)).status).toBe('done');
  });

  it('turns a failed stale-marked check into stale, not a decline', async () => {
    const accountId = uniqueId('acct');
    await fund(accountId, 1000);
    const k = new StepKeys(accountId);
    const quota = k.ref(keys.counter(accountId, 'free-atm.month:2026-11'));
    await redis.set(keys.counter(accountId, 'free-atm.month:2026-11'), '3');
    const plan: AtomicStepPlan = { ...debitPlan(100), checks: [{ name: 'free-quota', type: 'bump', key: quota, by: 1, max: 3, stale: true }, ...debitPlan(100).checks!] };
    expect(await runAtomicStep(redis, k, plan, NOW, '{}')).toEqual({ status: 'stale', reason: 'free-quota' });
    expect(await redis.xlen(keys.outbox(accountId))).toBe(0);
  });
});
