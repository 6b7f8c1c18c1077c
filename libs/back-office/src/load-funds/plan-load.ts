import { CurrencyCode, Money, money, ok, subtract, sum } from '@lib/money';
import {
  FeeLine,
  InstantMs,
  LoadDeclineReason,
  LoadPlan,
  Program,
  RateTable,
  checkLoad,
  fxErrorText,
  loadCountersFor,
  loadFee,
  localDateOf,
  monthIdOf,
  startOfNextLocalMonth,
} from '@lib/programs';
import { walletFields } from '@lib/store';
import { CLOSED_STATUSES, AccountState, balanceOf } from '../shared/account-state';
import { LimitJson, LoadRefusalReason, Outcome, refuse } from '../shared/errors';
import { MoneyJson, moneyJsonOf, toMoneyJson } from '../shared/money-json';
import { isoOf } from '../shared/time';
import { HttpLoadMethod, LoadCommand, httpLoadMethod, programLoadMethod } from './load-funds.command';

/** The 201 body of a load (http-and-events.md), plus its fee lines. */
export interface LoadReceipt {
  readonly loadId: string;
  readonly accountId: string;
  readonly amount: MoneyJson;
  readonly method: HttpLoadMethod;
  /** Load fees of the program's tariff (seed 004: 0.50 by debit card; none by SEPA or P2P). */
  readonly fees: readonly { readonly type: string; readonly amount: MoneyJson }[];
  /** The funded wallet after the load. */
  readonly balances: { readonly ledger: MoneyJson; readonly available: MoneyJson };
}

/** `account.loaded` (docs/back-office.md), appended to the outbox in the load's own atomic step. */
export interface AccountLoadedEvent {
  readonly schemaVersion: 1;
  readonly eventId: string;
  readonly type: 'account.loaded';
  readonly occurredAt: string;
  readonly accountId: string;
  readonly loadId: string;
  readonly amount: MoneyJson;
  readonly method: HttpLoadMethod;
  readonly fees: readonly { readonly type: string; readonly amount: MoneyJson }[];
  readonly balances: { readonly ledger: MoneyJson; readonly available: MoneyJson };
}

/** A counter the load moves, checked against its limit in the step. */
export interface LoadCounterMove {
  readonly name: string;
  /** Account-relative key (the domain's naming: `loads.amount.day:2026-11-22`). */
  readonly key: string;
  readonly increment: bigint;
  /** null: tracked, not limited (the per-method monthly amount that prices the load fee). */
  readonly limit: bigint | null;
  readonly expiresAt: InstantMs;
}

export interface AcceptedLoad {
  readonly receipt: LoadReceipt;
  readonly event: AccountLoadedEvent;
  readonly wallet: CurrencyCode;
  /** What the wallet's ledger and available balances move by: the amount less the load fee. */
  readonly netMinor: bigint;
  readonly counters: readonly LoadCounterMove[];
}

export interface LoadInput {
  readonly program: Program;
  readonly state: AccountState;
  readonly command: LoadCommand;
  /** Counter values by account-relative key (missing = 0). */
  readonly counters: ReadonlyMap<string, bigint>;
  readonly nowMs: InstantMs;
  readonly rates: RateTable;
  readonly loadId: string;
  readonly eventId: string;
}

/**
 * The counter keys a load reads: the load limits' (named by @lib/programs) and the per-method
 * monthly amount that prices the load fee (seed 004 premium: the first 250 EUR a month by credit
 * card are free), which the programs library leaves to the caller to count.
 */
export function loadCounterKeys(
  program: Program,
  command: LoadCommand,
  nowMs: InstantMs,
  rates: RateTable,
): string[] {
  const plan = loadCountersFor(
    program,
    { amount: command.amount, method: programLoadMethod(command.method), isFirstLoad: false },
    nowMs,
    rates,
  );
  const limited = plan.ok ? plan.value.checks.map((check) => check.key) : [];
  return [...limited, methodMonthKey(program, command, nowMs)];
}

function methodMonthKey(program: Program, command: LoadCommand, nowMs: InstantMs): string {
  return `loads.${programLoadMethod(command.method)}.amount.month:${monthIdOf(localDateOf(nowMs, program.timeZone))}`;
}

/**
 * Decides a load (seed 004 clause 4 and annex "Limites de chargement"; seed 002 annex 1 "Limites
 * de recharge"): the program's rules through @lib/programs `checkLoad`, then the load fee. A
 * negative balance is repaid first: the load adds to the ledger balance, whatever its sign.
 */
export function decideLoad(input: LoadInput): Outcome<AcceptedLoad> {
  const { program, state, command, nowMs, rates } = input;
  if (CLOSED_STATUSES.includes(state.account.status)) {
    return refuse({
      code: 'account-state',
      reason: `the account is ${state.account.status}: it takes no load`,
      status: state.account.status,
    });
  }
  const method = programLoadMethod(command.method);
  const load = { amount: command.amount, method, isFirstLoad: state.account.loadCount === 0 };
  const usage = (key: string) => input.counters.get(key) ?? 0n;
  const ledgers = program.walletCurrencies.map((code) =>
    moneyIn(balanceOf(state.balances, walletFields(code).ledger), code),
  );
  const feeLines: FeeLine[] = loadFee(
    program,
    method,
    command.amount,
    moneyIn(usage(methodMonthKey(program, command, nowMs)), command.amount.currency),
  );
  const accountCurrencyFee = sum(
    program.accountCurrency,
    feeLines.filter((line) => line.amount.currency === program.accountCurrency).map((line) => line.amount),
  );
  const decided = checkLoad(program, load, usage, ledgers, nowMs, rates, accountCurrencyFee);
  if (!decided.ok) return refuse({ code: 'fx-unavailable', reason: fxErrorText(decided.error) });
  if (!decided.value.allowed) {
    const plan = loadCountersFor(program, load, nowMs, rates);
    return refuse({
      code: 'load-limit',
      ...refusalOf(program, decided.value.reason, command, plan.ok ? plan.value : undefined),
    });
  }
  const plan = decided.value.plan;
  const wallet = command.amount.currency;
  const fee = sum(
    wallet,
    feeLines.filter((line) => line.amount.currency === wallet).map((line) => line.amount),
  );
  const net = subtract(command.amount, fee);
  if (net.amountMinor <= 0n) {
    return refuse({
      code: 'load-limit',
      reason: 'amount-below-fee',
      limit: { name: `fees.loads.${method}`, value: toMoneyJson(fee) },
    });
  }
  const fields = walletFields(wallet);
  const balances = {
    ledger: moneyJsonOf(balanceOf(state.balances, fields.ledger) + net.amountMinor, wallet),
    available: moneyJsonOf(balanceOf(state.balances, fields.available) + net.amountMinor, wallet),
  };
  const fees = feeLines.map((line) => ({ type: line.type, amount: toMoneyJson(line.amount) }));
  const amount = toMoneyJson(command.amount);
  const receipt: LoadReceipt = {
    loadId: input.loadId,
    accountId: state.account.accountId,
    amount,
    method: command.method,
    fees,
    balances,
  };
  const event: AccountLoadedEvent = {
    schemaVersion: 1,
    eventId: input.eventId,
    type: 'account.loaded',
    occurredAt: isoOf(nowMs),
    accountId: state.account.accountId,
    loadId: input.loadId,
    amount,
    method: command.method,
    fees,
    balances,
  };
  const limited: LoadCounterMove[] = plan.checks.map((check, index) => ({
    name: check.name,
    key: check.key,
    increment: check.increment,
    limit: check.limit,
    expiresAt: plan.moves[index].expiresAt,
  }));
  const feeUsage: LoadCounterMove = {
    name: 'fee-usage',
    key: methodMonthKey(program, command, nowMs),
    increment: command.amount.currency === program.accountCurrency ? command.amount.amountMinor : 0n,
    limit: null,
    expiresAt: startOfNextLocalMonth(nowMs, program.timeZone),
  };
  return ok({
    receipt,
    event,
    wallet,
    netMinor: net.amountMinor,
    counters: feeUsage.increment > 0n ? [...limited, feeUsage] : limited,
  });
}

function moneyIn(amountMinor: bigint, code: CurrencyCode): Money {
  return money(amountMinor, code);
}

const REASON_NAMES: Record<LoadDeclineReason, LoadRefusalReason> = {
  [LoadDeclineReason.CurrencyNotHeld]: 'currency-not-held',
  [LoadDeclineReason.FirstLoadMethodNotAllowed]: 'first-load-method-not-allowed',
  [LoadDeclineReason.BelowFirstLoadMinimum]: 'below-first-load-minimum',
  [LoadDeclineReason.AboveFirstLoadMaximum]: 'above-first-load-maximum',
  [LoadDeclineReason.BelowMinimumLoad]: 'below-minimum-load',
  [LoadDeclineReason.AboveMaximumLoad]: 'above-maximum-load',
  [LoadDeclineReason.LoadCountPerDayExceeded]: 'load-count-per-day-exceeded',
  [LoadDeclineReason.CardLoadCountPerDayExceeded]: 'card-load-count-per-day-exceeded',
  [LoadDeclineReason.LoadAmountPerDayExceeded]: 'load-amount-per-day-exceeded',
  [LoadDeclineReason.CardLoadAmountPerDayExceeded]: 'card-load-amount-per-day-exceeded',
  [LoadDeclineReason.LoadAmountPerMonthExceeded]: 'load-amount-per-month-exceeded',
  [LoadDeclineReason.LoadAmountPerYearExceeded]: 'load-amount-per-year-exceeded',
  [LoadDeclineReason.MaxBalanceExceeded]: 'max-balance-exceeded',
};

/** The refusal's name and the limit it ran into, named as in config/programs/*.yaml. */
export function refusalOf(
  program: Program,
  reason: LoadDeclineReason,
  command: LoadCommand,
  plan: LoadPlan | undefined,
): { reason: LoadRefusalReason; limit: LimitJson | null } {
  const rules = program.loads;
  const name = REASON_NAMES[reason];
  const amountLimit = (value: Money | null | undefined, limitName: string) =>
    value ? { name: limitName, value: toMoneyJson(value) } : null;
  switch (reason) {
    case LoadDeclineReason.CurrencyNotHeld:
      return { reason: name, limit: { name: 'wallets', value: program.walletCurrencies } };
    case LoadDeclineReason.FirstLoadMethodNotAllowed:
      return {
        reason: name,
        limit: {
          name: 'loads.firstLoad.methods',
          value: [...new Set((rules.firstLoad?.methods ?? []).map(httpLoadMethod))],
        },
      };
    case LoadDeclineReason.BelowFirstLoadMinimum:
      return { reason: name, limit: amountLimit(rules.firstLoad?.min, 'loads.firstLoad.min') };
    case LoadDeclineReason.AboveFirstLoadMaximum:
      return { reason: name, limit: amountLimit(rules.firstLoad?.max, 'loads.firstLoad.max') };
    case LoadDeclineReason.BelowMinimumLoad: {
      const own = rules.minimumByCurrency.get(command.amount.currency);
      return {
        reason: name,
        limit: own
          ? amountLimit(own, `loads.minimumByCurrency.${command.amount.currency}`)
          : amountLimit(rules.perLoadMin, 'loads.perLoad.min'),
      };
    }
    case LoadDeclineReason.AboveMaximumLoad:
      return { reason: name, limit: amountLimit(rules.perLoadMax, 'loads.perLoad.max') };
    case LoadDeclineReason.MaxBalanceExceeded:
      return { reason: name, limit: amountLimit(rules.maxBalance, 'loads.maxBalance') };
    default: {
      const check = plan?.checks.find((c) => c.reason === reason);
      if (!check) return { reason: name, limit: null };
      const value = check.name.endsWith('.count')
        ? Number(check.limit)
        : moneyJsonOf(check.limit, program.accountCurrency);
      return { reason: name, limit: { name: check.name, value } };
    }
  }
}
