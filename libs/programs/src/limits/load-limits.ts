import { CurrencyCode, Money, Result, add, err, greaterThan, lessThan, ok, subtract, sum } from '@lib/money';
import {
  InstantMs,
  dayIdOf,
  localDateOf,
  monthIdOf,
  startOfNextLocalDay,
  startOfNextLocalMonth,
  startOfNextLocalYear,
  yearIdOf,
} from '../calendar/zoned-time';
import { equivalentIn } from '../fx/conversion';
import { FxError, RateTable } from '../fx/rate-table';
import type { LoadMethod, Program } from '../program';
import type { CounterMove } from './limits';

/**
 * Load rules (seed 004 annex "Limites de chargement", clause 4.3; seed 002 annex 1 "Limites de
 * recharge"). Same shape as spending limits: `loadCountersFor` names the counters, their keys and
 * increments; `checkLoad` decides. Amount counters are in the account currency (EUR); a load in
 * another wallet currency counts for its EUR equivalent at the reference rate of the day.
 */
export enum LoadDeclineReason {
  CurrencyNotHeld = 1,
  FirstLoadMethodNotAllowed,
  BelowFirstLoadMinimum,
  AboveFirstLoadMaximum,
  BelowMinimumLoad,
  AboveMaximumLoad,
  LoadCountPerDayExceeded,
  CardLoadCountPerDayExceeded,
  LoadAmountPerDayExceeded,
  CardLoadAmountPerDayExceeded,
  LoadAmountPerMonthExceeded,
  LoadAmountPerYearExceeded,
  MaxBalanceExceeded,
}

export interface LoadRequest {
  /** In the wallet it funds (travel: any held currency). */
  readonly amount: Money;
  readonly method: LoadMethod;
  /** No load was ever accepted on this account (seed 004 clause 4.3: first by SEPA transfer). */
  readonly isFirstLoad: boolean;
}

export interface LoadCounterCheck {
  readonly name: string;
  readonly limit: bigint;
  readonly increment: bigint;
  readonly key: string;
  readonly reason: LoadDeclineReason;
}

export interface LoadPlan {
  /** Counter checks in decision order (counts before amounts). */
  readonly checks: readonly LoadCounterCheck[];
  readonly moves: readonly CounterMove[];
  /** The load measured in the account currency. */
  readonly measuredAmount: Money;
}

const isCardMethod = (method: LoadMethod): boolean => method === 'card-credit' || method === 'card-debit';

/** The counters a load reads and moves (keys `loads.count.day:YYYY-MM-DD`, `card-loads.amount.day:...`, ...). */
export function loadCountersFor(
  program: Program,
  load: LoadRequest,
  now: InstantMs,
  rates: RateTable,
): Result<LoadPlan, FxError> {
  const date = localDateOf(now, program.timeZone);
  const measured = equivalentIn(rates, dayIdOf(date), load.amount, program.accountCurrency);
  if (!measured.ok) return measured;
  const rules = program.loads;
  const zone = program.timeZone;
  const day = { id: dayIdOf(date), end: startOfNextLocalDay(now, zone) };
  const month = { id: monthIdOf(date), end: startOfNextLocalMonth(now, zone) };
  const year = { id: yearIdOf(date), end: startOfNextLocalYear(now, zone) };
  const amount = measured.value.amountMinor;
  const card = isCardMethod(load.method);
  const candidates: (LoadCounterCheck & { end: InstantMs; applies: boolean })[] = [
    {
      name: 'loads.perDay.count',
      limit: big(rules.perDayCount),
      increment: 1n,
      key: `loads.count.day:${day.id}`,
      end: day.end,
      reason: LoadDeclineReason.LoadCountPerDayExceeded,
      applies: rules.perDayCount !== null,
    },
    {
      name: 'loads.cardPerDay.count',
      limit: big(rules.cardPerDayCount),
      increment: 1n,
      key: `card-loads.count.day:${day.id}`,
      end: day.end,
      reason: LoadDeclineReason.CardLoadCountPerDayExceeded,
      applies: card && rules.cardPerDayCount !== null,
    },
    {
      name: 'loads.perDay.amount',
      limit: minor(rules.perDayAmount),
      increment: amount,
      key: `loads.amount.day:${day.id}`,
      end: day.end,
      reason: LoadDeclineReason.LoadAmountPerDayExceeded,
      applies: rules.perDayAmount !== null,
    },
    {
      name: 'loads.cardPerDay.amount',
      limit: minor(rules.cardPerDayAmount),
      increment: amount,
      key: `card-loads.amount.day:${day.id}`,
      end: day.end,
      reason: LoadDeclineReason.CardLoadAmountPerDayExceeded,
      applies: card && rules.cardPerDayAmount !== null,
    },
    {
      name: 'loads.perMonth.amount',
      limit: minor(rules.perMonthAmount),
      increment: amount,
      key: `loads.amount.month:${month.id}`,
      end: month.end,
      reason: LoadDeclineReason.LoadAmountPerMonthExceeded,
      applies: rules.perMonthAmount !== null,
    },
    {
      name: 'loads.perYear.amount',
      limit: minor(rules.perYearAmount),
      increment: amount,
      key: `loads.amount.year:${year.id}`,
      end: year.end,
      reason: LoadDeclineReason.LoadAmountPerYearExceeded,
      applies: rules.perYearAmount !== null,
    },
  ];
  const applicable = candidates.filter((c) => c.applies);
  return ok({
    checks: applicable.map(({ name, limit, increment, key, reason }) => ({
      name,
      limit,
      increment,
      key,
      reason,
    })),
    moves: applicable.map(({ key, increment, end }) => ({ key, increment, expiresAt: end })),
    measuredAmount: measured.value,
  });
}

const big = (count: number | null): bigint => BigInt(count ?? 0);
const minor = (amount: Money | null): bigint => amount?.amountMinor ?? 0n;

export type LoadResult =
  | { readonly allowed: true; readonly plan: LoadPlan }
  | { readonly allowed: false; readonly reason: LoadDeclineReason };

/**
 * Decides a load. `walletBalances` are the ledger balances of every wallet (a negative one is
 * repaid first, so it lowers the consolidated balance); the cap applies to the consolidated
 * balance after the load, in the account currency: the amount less the load's own fee
 * (`feeInAccountCurrency`, loadFee), which never reaches the balance.
 */
export function checkLoad(
  program: Program,
  load: LoadRequest,
  usage: (key: string) => bigint,
  walletBalances: readonly Money[],
  now: InstantMs,
  rates: RateTable,
  feeInAccountCurrency?: Money,
): Result<LoadResult, FxError> {
  const plan = loadCountersFor(program, load, now, rates);
  if (!plan.ok) return plan;
  const staticReason = staticLoadDecline(program, load, plan.value.measuredAmount);
  if (staticReason !== undefined) return ok({ allowed: false, reason: staticReason });
  for (const check of plan.value.checks) {
    if (usage(check.key) + check.increment > check.limit) return ok({ allowed: false, reason: check.reason });
  }
  const day = dayIdOf(localDateOf(now, program.timeZone));
  const balance = consolidatedBalance(program.accountCurrency, walletBalances, rates, day);
  if (!balance.ok) return balance;
  const after = add(balance.value, plan.value.measuredAmount);
  const afterFee = feeInAccountCurrency === undefined ? after : subtract(after, feeInAccountCurrency);
  if (greaterThan(afterFee, program.loads.maxBalance)) {
    return ok({ allowed: false, reason: LoadDeclineReason.MaxBalanceExceeded });
  }
  return ok({ allowed: true, plan: plan.value });
}

function staticLoadDecline(
  program: Program,
  load: LoadRequest,
  measured: Money,
): LoadDeclineReason | undefined {
  const rules = program.loads;
  if (!program.walletCurrencies.includes(load.amount.currency)) return LoadDeclineReason.CurrencyNotHeld;
  if (load.isFirstLoad && rules.firstLoad !== null) {
    if (!rules.firstLoad.methods.includes(load.method)) return LoadDeclineReason.FirstLoadMethodNotAllowed;
    if (lessThan(measured, rules.firstLoad.min)) return LoadDeclineReason.BelowFirstLoadMinimum;
    if (greaterThan(measured, rules.firstLoad.max)) return LoadDeclineReason.AboveFirstLoadMaximum;
  }
  // Seed 002: "Montant minimum de recharge 15€ / £10 / NKr100 ...": the load currency's own
  // minimum when it has one, else the account-currency minimum on the equivalent.
  const ownMinimum = rules.minimumByCurrency.get(load.amount.currency);
  const belowMinimum =
    ownMinimum !== undefined ? lessThan(load.amount, ownMinimum) : lessThan(measured, rules.perLoadMin);
  if (belowMinimum) return LoadDeclineReason.BelowMinimumLoad;
  if (greaterThan(measured, rules.perLoadMax)) return LoadDeclineReason.AboveMaximumLoad;
  return undefined;
}

/** Sum of wallet balances in the account currency at the reference rates of `day`. */
export function consolidatedBalance<C extends CurrencyCode>(
  accountCurrency: C,
  walletBalances: readonly Money[],
  rates: RateTable,
  day: string,
): Result<Money<C>, FxError> {
  const converted: Money<C>[] = [];
  for (const balance of walletBalances) {
    const value = equivalentIn(rates, day, balance, accountCurrency);
    if (!value.ok) return err(value.error);
    converted.push(value.value);
  }
  return ok(sum(accountCurrency, converted));
}
