import fc from 'fast-check';
import { money } from '@lib/money';
import { dayIdOf, localDateOf, startOfLocalDay, parseDayId } from '../calendar/zoned-time';
import { at, program } from '../spec-helpers';
import {
  accountActivityAt,
  addMonthsClamped,
  collectWithin,
  hasPeriodicFees,
  managementWindow,
  maxPeriodicFeeMinor,
  monthsWithoutTransaction,
  periodCharge,
  periodicFeesDue,
  periodsDue,
} from './periodic-fees';

const PARIS = 'Europe/Paris';
const premium = program('eur-premium');
const standard = program('eur-standard');
const travel = program('travel-multicurrency');
const day = (id: string) => {
  const date = parseDayId(id);
  if (date === undefined) throw new Error(id);
  return date;
};
const midnight = (id: string) => startOfLocalDay(day(id), PARIS);
const types = (lines: { type: string; amount: { amountMinor: bigint } }[]) => lines.map((l) => `${l.type} ${l.amount.amountMinor}`);

describe('charge days (opening day of each month, Paris calendar)', () => {
  it('charges period n on the opening day n months later, from local midnight', () => {
    const opened = at('2026-01-15T10:30:00+01:00');
    const first = periodCharge(opened, 1, PARIS);
    expect(first.chargeDayId).toBe('2026-02-15');
    expect(first.dueFromMs).toBe(at('2026-02-15T00:00:00+01:00'));
    expect(periodCharge(opened, 12, PARIS).chargeDayId).toBe('2027-01-15');
    // Summer time: midnight is 22:00 UTC the day before.
    expect(periodCharge(opened, 6, PARIS).dueFromMs).toBe(Date.parse('2026-07-14T22:00:00Z'));
  });

  it('uses the opening day in Paris, not in UTC', () => {
    // 23:30 UTC on 31 March is 01:30 on 1 April in Paris.
    const opened = Date.parse('2026-03-31T23:30:00Z');
    expect(dayIdOf(localDateOf(opened, PARIS))).toBe('2026-04-01');
    expect(periodCharge(opened, 1, PARIS).chargeDayId).toBe('2026-05-01');
  });

  it('charges a month without the opening day on its last day, then returns to the opening day', () => {
    const opened = at('2026-01-31T09:00:00+01:00');
    const days = [1, 2, 3, 4, 13, 25].map((n) => periodCharge(opened, n, PARIS).chargeDayId);
    expect(days).toEqual(['2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2027-02-28', '2028-02-29']);
    expect(periodCharge(at('2028-02-29T09:00:00+01:00'), 12, PARIS).chargeDayId).toBe('2029-02-28');
  });

  it('addMonthsClamped goes both ways across year ends', () => {
    expect(dayIdOf(addMonthsClamped(day('2026-12-31'), 2))).toBe('2027-02-28');
    expect(dayIdOf(addMonthsClamped(day('2026-03-31'), -1))).toBe('2026-02-28');
    expect(dayIdOf(addMonthsClamped(day('2026-01-15'), -13))).toBe('2024-12-15');
  });

  it('lists the periods due, oldest first, from the one after the last charged (catch-up)', () => {
    const opened = at('2026-01-15T10:30:00+01:00');
    expect(periodsDue(opened, 0, at('2026-02-14T23:59:59+01:00'), PARIS)).toEqual([]);
    expect(periodsDue(opened, 0, at('2026-02-15T00:00:00+01:00'), PARIS).map((c) => c.periodIndex)).toEqual([1]);
    // The clock jumped five months: every missed period, each once, in order.
    const jumped = at('2026-07-20T12:00:00+02:00');
    expect(periodsDue(opened, 0, jumped, PARIS).map((c) => c.chargeDayId)).toEqual(['2026-02-15', '2026-03-15', '2026-04-15', '2026-05-15', '2026-06-15', '2026-07-15']);
    expect(periodsDue(opened, 3, jumped, PARIS).map((c) => c.periodIndex)).toEqual([4, 5, 6]);
    expect(periodsDue(opened, 0, jumped, PARIS, 2).map((c) => c.periodIndex)).toEqual([1, 2]);
    expect(periodsDue(opened, 6, jumped, PARIS)).toEqual([]);
  });

  it('never lists a period twice nor skips one, whatever the instants (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * 365 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 400 }), (openDay, splitDays, laterDays) => {
        const opened = midnight('2026-01-01') + openDay * 86_400_000 + 3_600_000 * 13;
        const first = opened + splitDays * 86_400_000;
        const second = first + laterDays * 86_400_000;
        const a = periodsDue(opened, 0, first, PARIS);
        const through = a.length === 0 ? 0 : a[a.length - 1].periodIndex;
        const b = periodsDue(opened, through, second, PARIS);
        const all = [...a, ...b].map((c) => c.periodIndex);
        expect(all).toEqual(periodsDue(opened, 0, second, PARIS).map((c) => c.periodIndex));
        expect(all).toEqual(all.map((_, i) => i + 1));
      }),
    );
  });
});

describe('what a period charges', () => {
  const busy = { transactionsInWindow: 6, monthsWithoutTransaction: 0 };
  const quiet = { transactionsInWindow: 5, monthsWithoutTransaction: 0 };
  const asleep = { transactionsInWindow: 0, monthsWithoutTransaction: 12 };

  it('premium monthly: 3.00 every period, plus the management fee below 6 transactions in 60 days', () => {
    expect(types(periodicFeesDue(premium, 'monthly', 1, busy))).toEqual(['subscription 300']);
    expect(types(periodicFeesDue(premium, 'monthly', 1, quiet))).toEqual(['subscription 300', 'account-management 250']);
  });

  it('premium yearly: 25.00 on the opening day of each year only', () => {
    expect(types(periodicFeesDue(premium, 'yearly', 1, busy))).toEqual([]);
    expect(types(periodicFeesDue(premium, 'yearly', 11, busy))).toEqual([]);
    expect(types(periodicFeesDue(premium, 'yearly', 12, busy))).toEqual(['subscription 2500']);
    expect(types(periodicFeesDue(premium, 'yearly', 24, quiet))).toEqual(['subscription 2500', 'account-management 250']);
  });

  it('inactivity replaces the management fee, never both', () => {
    expect(types(periodicFeesDue(standard, 'monthly', 13, asleep))).toEqual(['inactivity 250']);
    expect(types(periodicFeesDue(premium, 'monthly', 13, asleep))).toEqual(['subscription 300', 'inactivity 250']);
    expect(types(periodicFeesDue(standard, 'monthly', 13, { transactionsInWindow: 0, monthsWithoutTransaction: 11 }))).toEqual(['account-management 250']);
  });

  it('standard: no subscription line (0.00), travel: no periodic fee at all', () => {
    expect(types(periodicFeesDue(standard, 'monthly', 1, busy))).toEqual([]);
    expect(hasPeriodicFees(travel)).toBe(false);
    expect(hasPeriodicFees(standard)).toBe(true);
    expect(types(periodicFeesDue(travel, 'none', 1, asleep))).toEqual([]);
  });

  it('the most a period charges bounds every activity', () => {
    expect(maxPeriodicFeeMinor(premium, 'monthly', 1)).toBe(550n);
    expect(maxPeriodicFeeMinor(premium, 'yearly', 1)).toBe(250n);
    expect(maxPeriodicFeeMinor(premium, 'yearly', 12)).toBe(2_750n);
    expect(maxPeriodicFeeMinor(travel, 'none', 1)).toBe(0n);
  });
});

describe('the activity conditions', () => {
  const opened = at('2026-01-15T10:30:00+01:00');
  const charge = periodCharge(opened, 3, PARIS); // 2026-04-15

  it('the 60-day window is the 60 local days before the charge day, the charge day excluded', () => {
    const window = managementWindow(premium, charge);
    expect(window).toEqual({ fromMs: at('2026-02-14T00:00:00+01:00'), toMs: at('2026-04-15T00:00:00+02:00') });
    expect(managementWindow(travel, charge)).toBeNull();
  });

  it('6 transactions in the window: no management fee; 5: the fee (the boundary)', () => {
    const activity = (n: number) => accountActivityAt(charge, opened, { transactionsInWindow: n, lastTransactionMs: at('2026-04-10T12:00:00+02:00') }, PARIS, managementWindow(premium, charge)!.fromMs);
    expect(types(periodicFeesDue(premium, 'monthly', 3, activity(6)))).toEqual(['subscription 300']);
    expect(types(periodicFeesDue(premium, 'monthly', 3, activity(5)))).toEqual(['subscription 300', 'account-management 250']);
  });

  it("no management fee before a full 60-day window of the account's life (seed 004 note 1)", () => {
    const quiet = { transactionsInWindow: 0, lastTransactionMs: null };
    const feesOf = (period: number) => {
      const c = periodCharge(opened, period, PARIS);
      return types(periodicFeesDue(premium, 'monthly', period, accountActivityAt(c, opened, quiet, PARIS, managementWindow(premium, c)!.fromMs)));
    };
    // 2026-02-15 and 2026-03-15: the window starts before the opening day (2026-01-15).
    expect(feesOf(1)).toEqual(['subscription 300']);
    expect(feesOf(2)).toEqual(['subscription 300']);
    // 2026-04-15: the window 2026-02-14 .. 04-14 lies in the account's life.
    expect(feesOf(3)).toEqual(['subscription 300', 'account-management 250']);
  });

  it('inactive only after 12 whole months without a transaction; the opening counts as activity', () => {
    const charge13 = periodCharge(opened, 13, PARIS); // 2027-02-15
    // Never a transaction, opened 13 months before the charge day: 12 whole months after the opening day, inactive.
    expect(monthsWithoutTransaction(charge13, opened, PARIS)).toBe(12);
    expect(monthsWithoutTransaction(periodCharge(opened, 12, PARIS), opened, PARIS)).toBe(11);
    // A new account without transactions is not inactive.
    expect(accountActivityAt(periodCharge(opened, 1, PARIS), opened, { transactionsInWindow: 0, lastTransactionMs: null }, PARIS).monthsWithoutTransaction).toBe(0);
    // Last transaction on 2026-02-15 (the day 12 months before the charge day): not yet 12 months.
    expect(monthsWithoutTransaction(charge13, at('2026-02-15T08:00:00+01:00'), PARIS)).toBe(11);
    // On 2026-02-14: 12 whole months.
    expect(monthsWithoutTransaction(charge13, at('2026-02-14T23:00:00+01:00'), PARIS)).toBe(12);
  });

  it('takes what the available balance covers, in order, never below zero, and records the shortfall', () => {
    const due = periodicFeesDue(premium, 'monthly', 1, { transactionsInWindow: 0, monthsWithoutTransaction: 1 });
    const full = collectWithin(due, 10_000n, 'EUR');
    expect(types(full.charged)).toEqual(['subscription 300', 'account-management 250']);
    expect(full.shortfall).toEqual(money(0n, 'EUR'));
    const partial = collectWithin(due, 420n, 'EUR');
    expect(types(partial.charged)).toEqual(['subscription 300', 'account-management 120']);
    expect(partial.shortfall).toEqual(money(130n, 'EUR'));
    expect(collectWithin(due, -500n, 'EUR')).toEqual({ charged: [], shortfall: money(550n, 'EUR') });
  });
});
