import {
  CurrencyCode,
  Decimal,
  Money,
  Result,
  add,
  isPositive,
  lessThan,
  maxOf,
  minOf,
  money,
  ok,
  percentage,
  roundHalfUp,
  sum,
  zero,
} from '@lib/money';
import { equivalentIn } from '../fx/conversion';
import { FxError, RateTable } from '../fx/rate-table';
import type { AtmFeeRules, CardForm, FeeFormula, LoadMethod, Program } from '../program';
import { CardTransaction } from '../transaction';

/**
 * Fees as rules over program data (seed 004 annex "Conditions tarifaires", seed 002 annex 1).
 * Every function returns typed fee lines, never a lump; zero-amount lines are left out.
 * Rounding: percentage fees are computed on the billing amount (field 6) and rounded half-up to
 * the minor unit of the currency debited (network-interface.md). Order of lines for a card
 * transaction: the transaction's own fee first, then `fx` (docs/domain-rules.md).
 */
export type FeeType =
  | 'atm-withdrawal' //          ATM withdrawal in the account currency / travel tiered fee
  | 'foreign-atm-withdrawal' //  ATM withdrawal in a foreign currency (seed 004: 2 %, min 3.00)
  | 'foreign-payment' //         card payment in a foreign currency (seed 004: 0.65 % + 0.60)
  | 'domestic-payment' //        card payment in the account currency (0 in every program today)
  | 'fx' //                      FX markup over the reference rate (2 %)
  | 'balance-inquiry'
  | 'pin-change'
  | 'decline' //                 declined for insufficient funds (seed 004: 0.15)
  | 'chargeback'
  | 'card-creation'
  | 'card-replacement'
  | 'balance-refund'
  | 'subscription'
  | 'account-management'
  | 'inactivity'
  | 'load'
  | 'swap';

export interface FeeLine {
  readonly type: FeeType;
  readonly amount: Money;
}

/** Counters the caller keeps and passes in (they move only when the transaction is approved). */
export interface FeeUsage {
  /** Approved ATM withdrawals in the account currency this local calendar month, before this one. */
  readonly accountCurrencyAtmWithdrawalsThisMonth: number;
}

export const NO_FEE_USAGE: FeeUsage = { accountCurrencyAtmWithdrawalsThisMonth: 0 };

/** Where a fee is computed: processing day for rates, and the currency debited. */
export interface FeeContext {
  readonly rates: RateTable;
  /** 'YYYY-MM-DD' local processing day (reference rate selection). */
  readonly day: string;
}

interface FormulaOptions {
  /** An incremental authorisation pays only the percentage part on the added amount. */
  readonly percentageOnly: boolean;
  readonly usedCountThisMonth: number;
  readonly usedAmountThisMonth: Money | null;
}

const FULL: FormulaOptions = { percentageOnly: false, usedCountThisMonth: 0, usedAmountThisMonth: null };
const INCREMENTAL: FormulaOptions = { ...FULL, percentageOnly: true };

/**
 * max(min, percent % x base + fixed), capped by max; 0 inside the monthly free count or for the
 * part of the base inside the monthly free amount. `base` and the formula share a currency.
 */
export function applyFormula<C extends CurrencyCode>(
  formula: FeeFormula,
  base: Money<C>,
  options: FormulaOptions = FULL,
): Money<C> {
  const code = base.currency;
  if (formula.freePerMonth !== null && options.usedCountThisMonth < formula.freePerMonth) return zero(code);
  const chargeable = chargeableBase(formula, base, options.usedAmountThisMonth);
  if (chargeable === null) return zero(code);
  const percentPart = percentage(chargeable, formula.percent, roundHalfUp);
  if (options.percentageOnly) return percentPart;
  const asBase = (m: Money): Money<C> => money(m.amountMinor, code);
  let fee = add(percentPart, asBase(formula.fixed));
  if (formula.min !== null) fee = maxOf(fee, asBase(formula.min));
  if (formula.max !== null) fee = minOf(fee, asBase(formula.max));
  return fee;
}

/** The base left after the monthly free amount; null when the whole base is free. */
function chargeableBase<C extends CurrencyCode>(
  formula: FeeFormula,
  base: Money<C>,
  usedAmount: Money | null,
): Money<C> | null {
  if (formula.freeAmountPerMonth === null) return base;
  const used = usedAmount?.amountMinor ?? 0n;
  const freeLeft =
    formula.freeAmountPerMonth.amountMinor > used ? formula.freeAmountPerMonth.amountMinor - used : 0n;
  const chargeable = base.amountMinor - freeLeft;
  return chargeable > 0n ? money(chargeable, base.currency) : null;
}

function line(type: FeeType, amount: Money): FeeLine[] {
  return isPositive(amount) ? [{ type, amount }] : [];
}

function assertAccountCurrency(program: Program, billingAmount: Money, what: string): void {
  // Formula amounts are in the account currency; only the travel program bills other wallets
  // and it has no formula fee on card transactions (only tiers and fx, converted explicitly).
  if (billingAmount.currency !== program.accountCurrency) {
    throw new Error(
      `${program.id}: ${what} fee formula in ${program.accountCurrency} applied to a ${billingAmount.currency} wallet`,
    );
  }
}

/**
 * Fees charged at authorisation (and recomputed at clearing on the cleared amounts) for a card
 * transaction whose field 6 is `billingAmount` (the wallet debited, fees excluded).
 */
export function authorisationFees(
  program: Program,
  txn: CardTransaction,
  billingAmount: Money,
  usage: FeeUsage,
  context: FeeContext,
): Result<FeeLine[], FxError> {
  const own = ownFee(program, txn, billingAmount, usage, context);
  if (!own.ok) return own;
  return ok([...own.value, ...fxFee(program, txn, billingAmount)]);
}

/** The FX markup as a fee line: percent of the billing amount, when a conversion happened. */
export function fxFee(program: Program, txn: CardTransaction, billingAmount: Money): FeeLine[] {
  if (txn.transactionAmount.currency === billingAmount.currency) return [];
  if (txn.kind === 'refund' || txn.kind === 'account-verification') return [];
  return line('fx', percentage(billingAmount, program.fees.fxPercent, roundHalfUp));
}

function ownFee(
  program: Program,
  txn: CardTransaction,
  billing: Money,
  usage: FeeUsage,
  context: FeeContext,
): Result<FeeLine[], FxError> {
  const fees = program.fees;
  const options: FormulaOptions = txn.incremental ? INCREMENTAL : FULL;
  switch (txn.kind) {
    case 'cash-withdrawal':
      return fees.atmWithdrawal === null
        ? ok([])
        : atmFee(program, fees.atmWithdrawal, txn, billing, usage, context);
    case 'purchase':
    case 'purchase-with-cashback': {
      if (fees.payment === null) return ok([]);
      assertAccountCurrency(program, billing, 'payment');
      const foreign = txn.transactionAmount.currency !== program.accountCurrency;
      const formula = foreign ? fees.payment.foreignCurrency : fees.payment.accountCurrency;
      return ok(
        line(foreign ? 'foreign-payment' : 'domestic-payment', applyFormula(formula, billing, options)),
      );
    }
    case 'balance-inquiry':
    case 'available-funds-inquiry':
      return ok(fixedServiceFee(program, fees.balanceInquiry, billing, 'balance-inquiry'));
    case 'pin-change':
      return ok(fixedServiceFee(program, fees.pinChange, billing, 'pin-change'));
    case 'refund':
    case 'account-verification':
      return ok([]); // network-interface.md: verification "nothing held, no fee"; a refund is a credit
  }
}

function fixedServiceFee(
  program: Program,
  formula: FeeFormula | null,
  billing: Money,
  type: FeeType,
): FeeLine[] {
  if (formula === null) return [];
  assertAccountCurrency(program, billing, type);
  return line(type, applyFormula(formula, zero(billing.currency)));
}

function atmFee(
  program: Program,
  rules: AtmFeeRules,
  txn: CardTransaction,
  billing: Money,
  usage: FeeUsage,
  context: FeeContext,
): Result<FeeLine[], FxError> {
  if (rules.kind === 'threshold-by-currency') return thresholdAtmFee(rules, txn, billing, context);
  assertAccountCurrency(program, billing, 'ATM');
  // Seed 004 annex: "Retrait en espèces en zone euro (en Euro)" vs "à l'international (en devise
  // étrangère)": the row is chosen by the withdrawal currency (field 49).
  if (txn.transactionAmount.currency === program.accountCurrency) {
    const options = { ...FULL, usedCountThisMonth: usage.accountCurrencyAtmWithdrawalsThisMonth };
    return ok(line('atm-withdrawal', applyFormula(rules.accountCurrency, billing, options)));
  }
  return ok(line('foreign-atm-withdrawal', applyFormula(rules.foreignCurrency, billing)));
}

/**
 * Seed 002 annex 1 "Frais de retraits": the row of the withdrawal currency; fee when the
 * withdrawal is strictly below the threshold, none at or above. A currency without a row uses the
 * `otherCurrencies` row against the billing amount. The fee is in the row's currency, converted
 * to the wallet debited at the reference rate (half-up) when they differ.
 */
function thresholdAtmFee(
  rules: Extract<AtmFeeRules, { kind: 'threshold-by-currency' }>,
  txn: CardTransaction,
  billing: Money,
  context: FeeContext,
): Result<FeeLine[], FxError> {
  const ownRow = rules.table.get(txn.transactionAmount.currency);
  const row = ownRow ?? rules.table.get(rules.otherCurrencies)!;
  const measured =
    ownRow !== undefined
      ? ok(txn.transactionAmount)
      : equivalentIn(context.rates, context.day, billing, row.currency);
  if (!measured.ok) return measured;
  if (!lessThan(money(measured.value.amountMinor, row.currency), row.below)) return ok([]);
  const fee = equivalentIn(context.rates, context.day, row.fee, billing.currency);
  if (!fee.ok) return fee;
  return ok(line('atm-withdrawal', fee.value));
}

/**
 * The decline fee on `51` (seed 004: "Frais de rejet de retrait en DAB / de paiement par carte"):
 * only for a spending transaction declined for insufficient funds, and only when the available
 * balance covers the fee, so it never makes the balance negative (card-programs.md).
 */
export function insufficientFundsDeclineFee(
  program: Program,
  txn: CardTransaction,
  available: Money,
): FeeLine[] {
  const formula = program.fees.declineInsufficientFunds;
  if (formula === null) return [];
  if (txn.kind !== 'purchase' && txn.kind !== 'cash-withdrawal' && txn.kind !== 'purchase-with-cashback')
    return [];
  if (available.currency !== program.accountCurrency) return [];
  const fee = applyFormula(formula, zero(available.currency));
  return available.amountMinor >= fee.amountMinor ? line('decline', fee) : [];
}

/** Back-office services priced by the tariffs. */
export type Service =
  | { readonly kind: 'card-creation'; readonly form: CardForm }
  | { readonly kind: 'card-replacement' }
  | { readonly kind: 'chargeback' }
  | { readonly kind: 'balance-refund' };

/** Fee lines of a back-office service (empty where the program charges nothing). */
export function serviceFees(program: Program, service: Service): FeeLine[] {
  const fees = program.fees;
  const base = zero(program.accountCurrency);
  switch (service.kind) {
    case 'card-creation':
      return fees.cardCreation === null ? [] : line('card-creation', fees.cardCreation[service.form]);
    case 'card-replacement':
      return fees.cardReplacement === null
        ? []
        : line('card-replacement', applyFormula(fees.cardReplacement, base));
    case 'chargeback':
      return fees.chargeback === null ? [] : line('chargeback', applyFormula(fees.chargeback, base));
    case 'balance-refund':
      return fees.balanceRefund === null
        ? []
        : line('balance-refund', applyFormula(fees.balanceRefund, base));
  }
}

/** The subscription fee of a billing period (charged on the opening day of each month or year). */
export function subscriptionFee(program: Program, billing: 'monthly' | 'yearly'): FeeLine[] {
  const subscription = program.fees.subscription;
  return subscription === null ? [] : line('subscription', subscription[billing]);
}

/** Account activity for the monthly account fees, counted by the caller. */
export interface AccountActivity {
  /**
   * Transactions in the last `accountManagement.windowDays` days (seed 004 annex note 1); null
   * while the account is younger than that window: the fee applies only "à compter du jour
   * suivant l'expiration de cette période de 60 jours consécutifs", a full window of its life.
   */
  readonly transactionsInWindow: number | null;
  /** Whole months since the last transaction (note 2). */
  readonly monthsWithoutTransaction: number;
}

/**
 * The monthly account fee: inactivity (no transaction for `months` months) replaces account
 * management (fewer than `minTransactions` in `windowDays` days); never both (note 2).
 */
export function monthlyAccountFees(program: Program, activity: AccountActivity): FeeLine[] {
  const { inactivity, accountManagement } = program.fees;
  if (inactivity !== null && activity.monthsWithoutTransaction >= inactivity.months)
    return line('inactivity', inactivity.fee);
  if (accountManagement !== null && activity.transactionsInWindow !== null && activity.transactionsInWindow < accountManagement.minTransactions) {
    return line('account-management', accountManagement.fee);
  }
  return [];
}

/**
 * The fee of a load (seed 004 annex "Frais de chargement"); `loadedThisMonth` is the amount
 * already loaded by the same method this local month (premium: first 250 EUR by credit card free).
 */
export function loadFee(
  program: Program,
  method: LoadMethod,
  amount: Money,
  loadedThisMonth: Money,
): FeeLine[] {
  const formula = program.fees.loads.get(method);
  if (formula === null || formula === undefined || amount.currency !== program.accountCurrency) return [];
  const options = { ...FULL, usedAmountThisMonth: loadedThisMonth };
  return line('load', applyFormula(formula, amount, options));
}

/** Total of fee lines in one currency. */
export function totalFees<C extends CurrencyCode>(code: C, lines: readonly FeeLine[]): Money<C> {
  return sum(
    code,
    lines.map((feeLine) => {
      if (feeLine.amount.currency !== code)
        throw new Error(`fee ${feeLine.type} in ${feeLine.amount.currency}, expected ${code}`);
      return feeLine.amount as Money<C>;
    }),
  );
}

/** The billing amount plus the fee lines: what leaves the wallet (field 6 + field 28). */
export function totalDebit<C extends CurrencyCode>(
  billingAmount: Money<C>,
  lines: readonly FeeLine[],
): Money<C> {
  return add(billingAmount, totalFees(billingAmount.currency, lines));
}

/** The markup disclosed to the holder, as a percentage over the ECB reference rate (seed 004 11.3). */
export function disclosedMarkupPercent(program: Program): Decimal {
  return program.fees.fxPercent;
}
