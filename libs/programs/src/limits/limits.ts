import { CurrencyCode, Money, Result, ok } from '@lib/money';
import {
  CalendarDay,
  InstantMs,
  LocalDate,
  addDays,
  calendarDayOf,
  dayIdOf,
  localDateOf,
  monthIdOf,
  startOfLocalDay,
  startOfNextLocalDay,
  startOfNextLocalMonth,
  startOfNextLocalYear,
  yearIdOf,
} from '../calendar/zoned-time';
import { DeclineReason } from '../decisions/decline-reason';
import { equivalentIn } from '../fx/conversion';
import { FxError, RateTable } from '../fx/rate-table';
import type { LimitRule, LimitScope, LimitWindow, Program } from '../program';
import { CardTransaction, isSpend } from '../transaction';

/**
 * Spending limits (card-programs.md limit tables; network-interface.md order of checks).
 *
 * One module decides, for a transaction, which counters exist, which keys they live under, what
 * to add to them and what to compare them with (`countersFor`); the Redis engine runs that plan
 * atomically and `checkLimits` is the same decision in TypeScript (tests, simulator). No limit
 * rule is written anywhere else.
 *
 * Windows, in the program's time zone (Europe/Paris), from the instant passed in:
 * - `day`: the local calendar day; key `<scope>.<measure>.day:YYYY-MM-DD`.
 * - `month`: the local calendar month; key `<scope>.<measure>.month:YYYY-MM`.
 * - `year`: the local calendar year; key `<scope>.<measure>.year:YYYY`.
 * - `rolling` N days: the current local calendar day and the N - 1 local days before it, kept as
 *   one bucket per local day (the same `day` keys): "used" is the sum of the last N day buckets.
 *   An amount spent at any time on day D counts until the end of day D + N - 1 and stops counting
 *   at local midnight starting day D + N. (Day granularity matches seed 002's "réinitialisé tous
 *   les 7 jours" and keeps the Redis side to N GETs; it is not a 168-hour sliding window.)
 * - `transaction`: compared with the transaction alone; no counter.
 * Amount counters are minor units of the program's account currency (EUR): a billing amount in
 * another wallet currency is measured by its EUR equivalent at the reference rate of the day,
 * rounded half-up (limits are "on the transaction amount in the billing currency", stated in EUR).
 */

/** A counter the engine must add to, once, when the transaction is approved. */
export interface CounterMove {
  /** Account-relative key; the engine's key builder adds the account hash tag `{a:<id>}`. */
  readonly key: string;
  readonly increment: bigint;
  /** When the key can be deleted (TTL): once no window that reads it can include it any more. */
  readonly expiresAt: InstantMs;
}

/** One comparison: `sum(sumKeys) + increment <= limit`, or the transaction is declined. */
export interface LimitCheck {
  readonly rule: LimitRule;
  readonly limit: bigint;
  readonly increment: bigint;
  /** Keys whose values sum to "used"; empty for a per-transaction limit. */
  readonly sumKeys: readonly string[];
  readonly declineReason: DeclineReason.CountLimitExceeded | DeclineReason.AmountLimitExceeded;
}

/** Everything the engine needs for one transaction: checks in decision order, then moves. */
export interface LimitPlan {
  /** Count checks first, then amount checks (network-interface.md), each in config order. */
  readonly checks: readonly LimitCheck[];
  /** Unique keys to increment when every check passed. */
  readonly moves: readonly CounterMove[];
  /** The amount measured against amount limits (account currency). */
  readonly measuredAmount: Money;
}

export type LimitResult =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly reason: LimitCheck['declineReason'];
      readonly check: LimitCheck;
      readonly used: bigint;
    };

/** True when the rule's scope covers the transaction (channel, region, currency class). */
export function scopeApplies(program: Program, scope: LimitScope, txn: CardTransaction): boolean {
  if (!scope.channels.includes(txn.channel)) return false;
  const domestic = txn.acquirerCountry === program.homeCountry;
  if (scope.region === 'domestic' && !domestic) return false;
  if (scope.region === 'abroad' && domestic) return false;
  const held = program.walletCurrencies.includes(txn.transactionAmount.currency);
  if (scope.currencyClass === 'held' && !held) return false;
  if (scope.currencyClass === 'not-held' && held) return false;
  return true;
}

/** The key of the counter of a rule's window at a local date (rolling windows use day keys). */
export function counterKey(rule: LimitRule, date: LocalDate): string | undefined {
  const base = `${rule.scope.name}.${rule.measure}`;
  switch (rule.window.kind) {
    case 'transaction':
      return undefined;
    case 'day':
    case 'rolling':
      return `${base}.day:${dayIdOf(date)}`;
    case 'month':
      return `${base}.month:${monthIdOf(date)}`;
    case 'year':
      return `${base}.year:${yearIdOf(date)}`;
  }
}

/** The keys a rule reads at an instant: 1 for day / month / year, N day buckets for rolling. */
export function sumKeysOf(rule: LimitRule, date: LocalDate): string[] {
  const window = rule.window;
  if (window.kind === 'transaction') return [];
  if (window.kind !== 'rolling') return [counterKey(rule, date)!];
  return Array.from({ length: window.days }, (_, back) => counterKey(rule, addDays(date, -back))!);
}

/** When a key written on `day` stops being read by this rule. */
function keyExpiresAt(window: LimitWindow, day: CalendarDay): InstantMs {
  switch (window.kind) {
    case 'transaction':
    case 'day':
      return day.startOfNextDayMs;
    case 'rolling':
      return startOfLocalDay(addDays(day.date, window.days), day.timeZone);
    case 'month':
      return day.startOfNextMonthMs;
    case 'year':
      return day.startOfNextYearMs;
  }
}

/** What a rule reads and writes on one local day: they depend on nothing else. */
interface RuleDayKeys {
  readonly day: CalendarDay;
  /** The key a transaction of that day moves (undefined: per-transaction rule). */
  readonly counterKey: string | undefined;
  readonly sumKeys: readonly string[];
  readonly expiresAt: InstantMs;
}

/**
 * The keys of a rule on a day, kept per rule for the last day it was asked for (a gateway plans
 * every message of a day with the same keys). A cached entry is used only for the very same
 * CalendarDay, so a new day, or another zone, computes afresh.
 */
const ruleDayKeys = new WeakMap<LimitRule, RuleDayKeys>();

function ruleKeysOn(rule: LimitRule, day: CalendarDay): RuleDayKeys {
  const cached = ruleDayKeys.get(rule);
  if (cached !== undefined && cached.day === day) return cached;
  const keys: RuleDayKeys = {
    day,
    counterKey: counterKey(rule, day.date),
    sumKeys: Object.freeze(sumKeysOf(rule, day.date)),
    expiresAt: keyExpiresAt(rule.window, day),
  };
  ruleDayKeys.set(rule, keys);
  return keys;
}

/** What a transaction adds to a rule's counter: the amount, or 1 (0 for an incremental auth). */
function incrementFor(rule: LimitRule, txn: CardTransaction, measuredAmount: Money): bigint {
  if (rule.measure === 'amount') return measuredAmount.amountMinor;
  // network-interface.md: an incremental authorisation is not a new transaction for count limits.
  return txn.incremental ? 0n : 1n;
}

/**
 * The limit plan of a transaction at `now`: which checks, which keys, which increments.
 * `billingAmount` is field 6 (the wallet debited, fees excluded). Non-spending transactions
 * (refunds, inquiries, PIN change, verification) get an empty plan.
 */
export function countersFor(
  program: Program,
  txn: CardTransaction,
  billingAmount: Money,
  now: InstantMs,
  rates: RateTable,
): Result<LimitPlan, FxError> {
  const day = calendarDayOf(now, program.timeZone);
  const measured = equivalentIn(rates, day.dayId, billingAmount, program.accountCurrency);
  if (!measured.ok) return measured;
  // Count rules first, then amount rules, each in config order; an incremental authorisation is
  // not a new transaction for count limits.
  const countRules: LimitRule[] = [];
  const amountRules: LimitRule[] = [];
  if (isSpend(txn.kind)) {
    for (const rule of program.limits) {
      if (!scopeApplies(program, rule.scope, txn)) continue;
      if (rule.measure === 'amount') amountRules.push(rule);
      else if (!txn.incremental) countRules.push(rule);
    }
  }
  const checks: LimitCheck[] = [];
  for (const rule of countRules) checks.push(checkOf(rule, txn, measured.value, day));
  for (const rule of amountRules) checks.push(checkOf(rule, txn, measured.value, day));
  return ok({ checks, moves: movesOf(checks, day), measuredAmount: measured.value });
}

function checkOf(rule: LimitRule, txn: CardTransaction, measuredAmount: Money, day: CalendarDay): LimitCheck {
  return {
    rule,
    limit: rule.limit,
    increment: incrementFor(rule, txn, measuredAmount),
    sumKeys: ruleKeysOn(rule, day).sumKeys,
    declineReason:
      rule.measure === 'count' ? DeclineReason.CountLimitExceeded : DeclineReason.AmountLimitExceeded,
  };
}

/** One move per distinct key (a day key read by both a `perDay` and a `rolling` rule moves once). */
function movesOf(checks: readonly LimitCheck[], day: CalendarDay): CounterMove[] {
  const byKey = new Map<string, CounterMove>();
  for (const check of checks) {
    const { counterKey: key, expiresAt } = ruleKeysOn(check.rule, day);
    if (key === undefined || check.increment === 0n) continue;
    const previous = byKey.get(key);
    byKey.set(key, {
      key,
      increment: check.increment,
      expiresAt: Math.max(expiresAt, previous?.expiresAt ?? 0),
    });
  }
  return [...byKey.values()];
}

/**
 * Runs a plan against current counter values (missing key = 0): the first failing check, in
 * plan order, decides. Monotone: if an amount passes, every smaller amount passes.
 */
export function checkLimits(plan: LimitPlan, usage: (key: string) => bigint): LimitResult {
  for (const check of plan.checks) {
    const used = check.sumKeys.reduce((total, key) => total + usage(key), 0n);
    if (used + check.increment > check.limit) {
      return { allowed: false, reason: check.declineReason, check, used };
    }
  }
  return { allowed: true };
}

/** Applies an approved plan's moves to an in-memory map (tests, simulator). */
export function applyMoves(plan: LimitPlan, counters: Map<string, bigint>): void {
  for (const move of plan.moves) counters.set(move.key, (counters.get(move.key) ?? 0n) + move.increment);
}

/** One line of `GET /v1/accounts/{id}` `limits`. */
export interface LimitStatus {
  readonly name: string;
  readonly window: 'transaction' | 'day' | 'month' | 'year' | `rolling-${number}d`;
  /** 'count', or the currency of the amounts. */
  readonly unit: 'count' | CurrencyCode;
  readonly used: bigint;
  readonly limit: bigint;
  readonly remaining: bigint;
  /** When `used` next goes down: next local midnight (day, rolling), month or year start; null per transaction. */
  readonly resetsAt: InstantMs | null;
}

function windowName(window: LimitWindow): LimitStatus['window'] {
  return window.kind === 'rolling' ? `rolling-${window.days}d` : window.kind;
}

function resetsAt(window: LimitWindow, now: InstantMs, timeZone: string): InstantMs | null {
  switch (window.kind) {
    case 'transaction':
      return null;
    case 'day':
    case 'rolling':
      return startOfNextLocalDay(now, timeZone);
    case 'month':
      return startOfNextLocalMonth(now, timeZone);
    case 'year':
      return startOfNextLocalYear(now, timeZone);
  }
}

/** Every limit of a program with its use at `now`, for display. */
export function limitStatuses(
  program: Program,
  usage: (key: string) => bigint,
  now: InstantMs,
): LimitStatus[] {
  const date = localDateOf(now, program.timeZone);
  return program.limits.map((rule) => {
    const used = sumKeysOf(rule, date).reduce((total, key) => total + usage(key), 0n);
    const remaining = rule.limit > used ? rule.limit - used : 0n;
    return {
      name: rule.name,
      window: windowName(rule.window),
      unit: rule.measure === 'count' ? 'count' : program.accountCurrency,
      used,
      limit: rule.limit,
      remaining,
      resetsAt: resetsAt(rule.window, now, program.timeZone),
    };
  });
}
