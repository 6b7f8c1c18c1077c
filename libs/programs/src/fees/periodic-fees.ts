import { Money, money } from '@lib/money';
import {
  InstantMs,
  LocalDate,
  addDays,
  dayIdOf,
  localDateOf,
  startOfLocalDay,
} from '../calendar/zoned-time';
import type { Program } from '../program';
import { AccountActivity, FeeLine, monthlyAccountFees, subscriptionFee } from './fees';

/**
 * The periodic fees of the settlement side (seed 004 annex: "Frais mensuels / annuels de
 * souscription", "Frais de gestion mensuels" note 1, "Frais d'inactivité mensuels" note 2), as
 * pure rules over the account's opening instant and the instants it is charged at. Time is passed
 * in (STYLE.md 4); calendar periods are in the program's zone (Europe/Paris).
 *
 * Periods. Period n (n >= 1) of an account is charged on its **charge day**: the opening day of
 * the month, n months after the opening month. A month without that day (an account opened on
 * the 31st, in February) is charged on its last day: the charge stays in its own month and the
 * next one is back on the opening day (our choice, docs/settlement.md "Periodic fees"). The charge
 * is due from the first instant of the charge day (Paris midnight). Nothing is charged on the
 * opening day itself: the first subscription month is charged one month after opening.
 *
 * What is due for period n: the subscription every period for monthly billing, every 12th period
 * for yearly billing (the opening day of each year); and, every period, the account management
 * fee or, instead of it, the inactivity fee, per the account's activity before the charge day.
 */
export type Billing = 'monthly' | 'yearly' | 'none';

/** One charge of an account: period n, its local charge day and the instant it is due from. */
export interface PeriodCharge {
  readonly periodIndex: number;
  readonly chargeDate: LocalDate;
  /** 'YYYY-MM-DD' of the charge day. */
  readonly chargeDayId: string;
  /** First instant of the charge day (local midnight). */
  readonly dueFromMs: InstantMs;
}

const MAX_PERIOD_INDEX = 12_000; // 1,000 years: a sanity bound on catch-up loops

/** The date `months` months after `date` (negative goes back), its day clamped to the month's last day. */
export function addMonthsClamped(date: LocalDate, months: number): LocalDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const last = lastDayOf(year, month);
  return { year, month, day: Math.min(date.day, last) };
}

/** The last day of a month: the day before the first of the next one (calendar arithmetic, no clock). */
function lastDayOf(year: number, month: number): number {
  const next = month === 12 ? { year: year + 1, month: 1, day: 1 } : { year, month: month + 1, day: 1 };
  return addDays(next, -1).day;
}

/** Period n of an account opened at `openedAtMs`. */
export function periodCharge(openedAtMs: InstantMs, periodIndex: number, timeZone: string): PeriodCharge {
  if (!Number.isInteger(periodIndex) || periodIndex < 1 || periodIndex > MAX_PERIOD_INDEX)
    throw new Error(`periodIndex must be an integer between 1 and ${MAX_PERIOD_INDEX}, got ${periodIndex}`);
  const chargeDate = addMonthsClamped(localDateOf(openedAtMs, timeZone), periodIndex);
  return { periodIndex, chargeDate, chargeDayId: dayIdOf(chargeDate), dueFromMs: startOfLocalDay(chargeDate, timeZone) };
}

/**
 * The periods due at `nowMs` that are not charged yet: every period after `chargedThrough` whose
 * charge day has begun, oldest first, at most `max` (catch-up after the clock jumped forward goes
 * period by period, each charged once).
 */
export function periodsDue(
  openedAtMs: InstantMs,
  chargedThrough: number,
  nowMs: InstantMs,
  timeZone: string,
  max = Number.MAX_SAFE_INTEGER,
): PeriodCharge[] {
  const due: PeriodCharge[] = [];
  for (let n = chargedThrough + 1; n <= MAX_PERIOD_INDEX && due.length < max; n += 1) {
    const charge = periodCharge(openedAtMs, n, timeZone);
    if (charge.dueFromMs > nowMs) break;
    due.push(charge);
  }
  return due;
}

/** The instant the next period after `chargedThrough` is due from. */
export function nextChargeDueMs(openedAtMs: InstantMs, chargedThrough: number, timeZone: string): InstantMs {
  return periodCharge(openedAtMs, chargedThrough + 1, timeZone).dueFromMs;
}

/** True when the program has any periodic fee (the travel program has none: seed 002 lists none). */
export function hasPeriodicFees(program: Program): boolean {
  const { subscription, accountManagement, inactivity } = program.fees;
  return subscription !== null || accountManagement !== null || inactivity !== null;
}

/**
 * The window of the account management condition (note 1: "moins de 6 transactions dans les 60
 * derniers jours consécutifs"): the `windowDays` local days before the charge day, the charge day
 * excluded, as [fromMs, toMs).
 */
export function managementWindow(program: Program, charge: PeriodCharge): { fromMs: InstantMs; toMs: InstantMs } | null {
  const rule = program.fees.accountManagement;
  if (rule === null) return null;
  return { fromMs: startOfLocalDay(addDays(charge.chargeDate, -rule.windowDays), program.timeZone), toMs: charge.dueFromMs };
}

/** What the job counts in the ledger for one charge (see docs/settlement.md for what a transaction is). */
export interface ActivityCount {
  /** Transactions in the management window. */
  readonly transactionsInWindow: number;
  /** Instant of the last transaction before the charge day; null: none ever. */
  readonly lastTransactionMs: InstantMs | null;
}

/**
 * Whole months before the charge day without a transaction: the largest m such that the date m
 * months before the charge day (clamped) comes after the day of the last activity. The account's
 * opening counts as activity (note 2: the period of 12 consecutive months without a transaction
 * lies within the account's life), so a new account is never "inactive".
 */
export function monthsWithoutTransaction(charge: PeriodCharge, lastActivityMs: InstantMs, timeZone: string): number {
  const last = dayIdOf(localDateOf(lastActivityMs, timeZone));
  let months = 0;
  while (months < MAX_PERIOD_INDEX && dayIdOf(addMonthsClamped(charge.chargeDate, -(months + 1))) > last) months += 1;
  return months;
}

/**
 * The activity the fee rules read, from the ledger's count and the opening instant. The
 * management window counts only once it lies wholly in the account's life (`windowFromMs` at or
 * after the opening; note 1: the fee starts the day after a full 60-day period of low activity):
 * before that, `transactionsInWindow` is null and no management fee is due.
 */
export function accountActivityAt(
  charge: PeriodCharge,
  openedAtMs: InstantMs,
  count: ActivityCount,
  timeZone: string,
  windowFromMs: InstantMs | null = null,
): AccountActivity {
  const lastActivityMs = count.lastTransactionMs === null ? openedAtMs : Math.max(count.lastTransactionMs, openedAtMs);
  return {
    transactionsInWindow: windowFromMs !== null && windowFromMs < startOfLocalDay(localDateOf(openedAtMs, timeZone), timeZone) ? null : count.transactionsInWindow,
    monthsWithoutTransaction: monthsWithoutTransaction(charge, lastActivityMs, timeZone),
  };
}

/** True when period n charges the subscription of this billing (yearly: the opening day of each year). */
export function chargesSubscription(billing: Billing, periodIndex: number): boolean {
  if (billing === 'monthly') return true;
  if (billing === 'yearly') return periodIndex % 12 === 0;
  return false;
}

/** The fee lines due for a period, in a stable order: subscription, then management or inactivity. */
export function periodicFeesDue(
  program: Program,
  billing: Billing,
  periodIndex: number,
  activity: AccountActivity,
): FeeLine[] {
  const subscription = billing !== 'none' && chargesSubscription(billing, periodIndex) ? subscriptionFee(program, billing) : [];
  return [...subscription, ...monthlyAccountFees(program, activity)];
}

/**
 * The most a period can charge whatever the activity (the network simulator's shadow model uses
 * it as the lower bound of the balance): the subscription plus the larger of the two monthly fees.
 */
export function maxPeriodicFeeMinor(program: Program, billing: Billing, periodIndex: number): bigint {
  const subscription = periodicFeesDue(program, billing, periodIndex, { transactionsInWindow: Number.MAX_SAFE_INTEGER, monthsWithoutTransaction: 0 });
  const management = program.fees.accountManagement?.fee.amountMinor ?? 0n;
  const inactivity = program.fees.inactivity?.fee.amountMinor ?? 0n;
  const total = subscription.reduce((sum, line) => sum + line.amount.amountMinor, 0n);
  return total + (management > inactivity ? management : inactivity);
}

/** Fee lines as collected from a balance: what was taken per line, and what the balance lacked. */
export interface Collection {
  readonly charged: FeeLine[];
  readonly shortfall: Money;
}

/**
 * Takes the due lines in their order from what the available balance covers, never below zero
 * (our choice, as for the `51` decline fee: a periodic fee never makes the balance negative);
 * the part not covered is the shortfall, recorded in the event, not owed later.
 */
export function collectWithin(due: readonly FeeLine[], availableMinor: bigint, currency: Program['accountCurrency']): Collection {
  let left = availableMinor > 0n ? availableMinor : 0n;
  let shortfall = 0n;
  const charged: FeeLine[] = [];
  for (const line of due) {
    if (line.amount.currency !== currency) throw new Error(`periodic fee ${line.type} in ${line.amount.currency}, expected ${currency}`);
    const wanted = line.amount.amountMinor;
    const taken = wanted < left ? wanted : left;
    left -= taken;
    shortfall += wanted - taken;
    if (taken > 0n) charged.push({ type: line.type, amount: money(taken, currency) });
  }
  return { charged, shortfall: money(shortfall, currency) };
}
