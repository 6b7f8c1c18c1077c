import { CurrencyCode, zero } from '@lib/money';
import {
  InstantMs,
  LimitStatus,
  Program,
  RateTable,
  limitStatuses,
  loadCountersFor,
  localDateOf,
  sumKeysOf,
  suspendedByBalances,
} from '@lib/programs';
import type { AccountRecord, HoldRecord } from '@lib/store';
import { walletFields } from '@lib/store';
import { MoneyJson, moneyJsonOf } from '../shared/money-json';
import { isoOf } from '../shared/time';

/** `GET /v1/accounts/{id}` (http-and-events.md). */
export interface AccountView {
  readonly accountId: string;
  readonly program: string;
  /** The record's status, or `suspended` while the home wallet's ledger balance is negative. */
  readonly status: string;
  readonly wallets: readonly WalletView[];
  readonly holds: readonly HoldView[];
  readonly limits: readonly LimitView[];
}

export interface WalletView {
  readonly currency: string;
  readonly ledger: MoneyJson;
  readonly available: MoneyJson;
}

export interface HoldView {
  readonly holdId: string;
  readonly transactionId: string;
  readonly amount: MoneyJson;
  readonly expiresAt: string;
}

/** Count limits as integers, amount limits as money (http-and-events.md). */
export interface LimitView {
  readonly name: string;
  readonly window: string;
  readonly used: number | MoneyJson;
  readonly limit: number | MoneyJson;
  readonly remaining: number | MoneyJson;
  readonly resetsAt: string | null;
}

/**
 * The load limits as display lines. @lib/programs displays the spending limits (`limitStatuses`)
 * but has no display of the load limits yet, so this builds them from its own load plan
 * (`loadCountersFor`: same names, counter keys and window ends as the load use case moves). A
 * card-method probe load of zero lists every load limit, card ones included.
 */
export function loadLimitStatuses(
  program: Program,
  usage: (key: string) => bigint,
  nowMs: InstantMs,
  rates: RateTable,
): LimitStatus[] {
  const plan = loadCountersFor(
    program,
    { amount: zero(program.accountCurrency), method: 'card-debit', isFirstLoad: false },
    nowMs,
    rates,
  );
  if (!plan.ok) return [];
  return plan.value.checks.map((check, index) => {
    const used = usage(check.key);
    const window = /\.(day|month|year):/.exec(check.key)?.[1] as 'day' | 'month' | 'year';
    return {
      name: check.name,
      window,
      unit: check.name.endsWith('.count') ? 'count' : program.accountCurrency,
      used,
      limit: check.limit,
      remaining: check.limit > used ? check.limit - used : 0n,
      resetsAt: plan.value.moves[index].expiresAt,
    };
  });
}

/** Every counter key the view reads: the spending limits' windows and the load limits'. */
export function viewCounterKeys(program: Program, nowMs: InstantMs, rates: RateTable): string[] {
  const date = localDateOf(nowMs, program.timeZone);
  const spending = program.limits.flatMap((rule) => sumKeysOf(rule, date));
  const loads = loadCountersFor(
    program,
    { amount: zero(program.accountCurrency), method: 'card-debit', isFirstLoad: false },
    nowMs,
    rates,
  );
  return [...new Set([...spending, ...(loads.ok ? loads.value.checks.map((check) => check.key) : [])])];
}

export interface AccountViewInput {
  readonly account: AccountRecord;
  readonly program: Program;
  readonly balances: Readonly<Record<string, string>>;
  readonly holds: readonly HoldRecord[];
  readonly counters: ReadonlyMap<string, bigint>;
  readonly nowMs: InstantMs;
  readonly rates: RateTable;
}

export function buildAccountView(input: AccountViewInput): AccountView {
  const { account, program, balances, nowMs } = input;
  // A hold past its expiry still counts in Redis until the next atomic step of the account (or the
  // sweeper) expires it; the view shows the state that step will leave: hold gone, funds available.
  const openHolds = input.holds.filter((hold) => hold.expiresAt > nowMs);
  const releasedByCurrency = new Map<string, bigint>();
  for (const hold of input.holds.filter((h) => h.expiresAt <= nowMs)) {
    releasedByCurrency.set(
      hold.currency,
      (releasedByCurrency.get(hold.currency) ?? 0n) + BigInt(hold.remainingMinor),
    );
  }
  const availables: bigint[] = [];
  const wallets = walletCurrencies(program, balances).map((currency): WalletView => {
    const fields = walletFields(currency);
    const available = BigInt(balances[fields.available] ?? '0') + (releasedByCurrency.get(currency) ?? 0n);
    availables.push(available);
    return {
      currency,
      ledger: moneyJsonOf(BigInt(balances[fields.ledger] ?? '0'), currency),
      available: moneyJsonOf(available, currency),
    };
  });
  const usage = (key: string) => input.counters.get(key) ?? 0n;
  const statuses = [
    ...limitStatuses(program, usage, nowMs),
    ...loadLimitStatuses(program, usage, nowMs, input.rates),
  ];
  return {
    accountId: account.accountId,
    program: account.program,
    // The engine's rule for `05` (suspendedByBalances), on the balances the next step will see.
    status: account.status === 'active' && suspendedByBalances(availables) ? 'suspended' : account.status,
    wallets,
    holds: openHolds
      .slice()
      .sort((a, b) => a.expiresAt - b.expiresAt || (a.holdId < b.holdId ? -1 : 1))
      .map((hold) => ({
        holdId: hold.holdId,
        transactionId: hold.transactionId,
        amount: moneyJsonOf(BigInt(hold.remainingMinor), hold.currency as CurrencyCode),
        expiresAt: isoOf(hold.expiresAt),
      })),
    limits: statuses.map(limitView),
  };
}

/** The home wallet, then every other program wallet that has been funded (created lazily on load). */
function walletCurrencies(program: Program, balances: Readonly<Record<string, string>>): CurrencyCode[] {
  const present = new Set(Object.keys(balances).map((field) => field.split(':')[0]));
  return program.walletCurrencies.filter((code) => code === program.accountCurrency || present.has(code));
}

function limitView(status: LimitStatus): LimitView {
  const unit = status.unit;
  const value = (amount: bigint): number | MoneyJson =>
    unit === 'count' ? Number(amount) : moneyJsonOf(amount, unit);
  return {
    name: status.name,
    window: status.window,
    used: value(status.used),
    limit: value(status.limit),
    remaining: value(status.remaining),
    resetsAt: status.resetsAt === null ? null : isoOf(status.resetsAt),
  };
}
