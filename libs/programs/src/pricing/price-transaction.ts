import { CurrencyCode, Money, Result, greaterThanOrEqual, ok, zero } from '@lib/money';
import { InstantMs, calendarDayOf } from '../calendar/zoned-time';
import { DeclineReason } from '../decisions/decline-reason';
import { FeeLine, FeeUsage, authorisationFees, totalDebit, totalFees } from '../fees/fees';
import { Conversion, convertForBilling } from '../fx/conversion';
import { FxError, RateTable } from '../fx/rate-table';
import type { Program } from '../program';
import type { CardTransaction } from '../transaction';

/**
 * The money side of one card transaction: which wallet pays, field 6 / 10 / 51, the fee lines
 * (field 28 is their total) and what leaves the wallet.
 */
export interface Pricing {
  readonly walletCurrency: CurrencyCode;
  /** Field 6: field 4 in the wallet currency, fees excluded. */
  readonly billingAmount: Money;
  /** null when field 49 is the wallet currency (no fields 6 / 10 / 51 in the response). */
  readonly conversion: Conversion | null;
  readonly fees: readonly FeeLine[];
  /** Field 28 (`D` + this, in wallet minor units). */
  readonly feesTotal: Money;
  /** Field 6 + field 28: what the balance must cover and moves by. */
  readonly totalDebit: Money;
}

/** Available balance per wallet currency (missing = no wallet funds). */
export type WalletBalances = ReadonlyMap<CurrencyCode, Money>;

/**
 * Prices a transaction at `now`. Wallet choice (card-programs.md, seed 002): a transaction in a
 * held currency other than the home one is taken from that currency's wallet, with no FX, when
 * that wallet's available balance covers amount + fees; otherwise from the home (account
 * currency) wallet, converted at the reference rate with the FX fee.
 */
export function priceTransaction(
  program: Program,
  txn: CardTransaction,
  available: WalletBalances,
  usage: FeeUsage,
  now: InstantMs,
  rates: RateTable,
): Result<Pricing, FxError> {
  const txnCurrency = txn.transactionAmount.currency;
  if (txnCurrency !== program.accountCurrency && program.walletCurrencies.includes(txnCurrency)) {
    const own = priceInWallet(program, txn, txnCurrency, usage, now, rates);
    if (!own.ok) return own;
    const balance = available.get(txnCurrency) ?? zero(txnCurrency);
    if (greaterThanOrEqual(balance, own.value.totalDebit)) return own;
  }
  return priceInWallet(program, txn, program.accountCurrency, usage, now, rates);
}

/** Prices a transaction against one given wallet (also used by clearing, which knows the wallet). */
export function priceInWallet(
  program: Program,
  txn: CardTransaction,
  walletCurrency: CurrencyCode,
  usage: FeeUsage,
  now: InstantMs,
  rates: RateTable,
): Result<Pricing, FxError> {
  const day = calendarDayOf(now, program.timeZone).dayId;
  let conversion: Conversion | null = null;
  let billingAmount: Money = txn.transactionAmount;
  if (txn.transactionAmount.currency !== walletCurrency) {
    const converted = convertForBilling(rates, day, txn.transactionAmount, walletCurrency);
    if (!converted.ok) return converted;
    conversion = converted.value;
    billingAmount = converted.value.billingAmount;
  }
  const fees = authorisationFees(program, txn, billingAmount, usage, { rates, day });
  if (!fees.ok) return fees;
  return ok({
    walletCurrency,
    billingAmount,
    conversion,
    fees: fees.value,
    feesTotal: totalFees(walletCurrency, fees.value),
    totalDebit: totalDebit(billingAmount, fees.value),
  });
}

/** Funds check (last in the order of checks): amount plus fees within the available balance. */
export function checkFunds(
  pricing: Pricing,
  available: WalletBalances,
): DeclineReason.InsufficientFunds | undefined {
  const balance = available.get(pricing.walletCurrency) ?? zero(pricing.walletCurrency);
  return greaterThanOrEqual(balance, pricing.totalDebit) ? undefined : DeclineReason.InsufficientFunds;
}
