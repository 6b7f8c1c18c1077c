import { CurrencyCode, money, Money } from '@lib/money';
import {
  applyMoves,
  CardTransaction,
  checkLimits,
  countersFor,
  DeclineReason,
  localDateOf,
  monthIdOf,
  Program,
  priceTransaction,
  RateTable,
} from '@lib/programs';

/**
 * The planner's shadow of one cardholder's account, built on the programs' own rules
 * (@lib/programs: pricing, fees, FX, limits): it lets a persona spend only what the issuer would
 * approve, so ordinary traffic can be planned with a strict expectation of `00`, and deliberate
 * limit hits can be planned with the code the rules give.
 *
 * It is conservative on purpose: money that the issuer would give back later (a hold released by
 * a reversal, a completion below the hold, an expiry) is never given back here, so the real
 * balance is at least the modelled one. A reserve is kept for the periodic fees the settlement
 * side charges (management, subscription), which this model does not follow.
 */
export type ModelOutcome =
  | { readonly approved: true; readonly walletCurrency: CurrencyCode; readonly billingMinor: bigint; readonly totalDebitMinor: bigint }
  | { readonly approved: false; readonly code: '51' | '61' | '65' | '96' };

export class IssuerModel {
  private readonly available = new Map<CurrencyCode, bigint>();
  private readonly counters = new Map<string, bigint>();
  /** Approved account-currency ATM withdrawals per local month (premium: first 3 free). */
  private readonly atmPerMonth = new Map<string, number>();

  constructor(
    readonly program: Program,
    private readonly rates: RateTable,
    /** Kept untouched in the account-currency wallet. */
    private readonly reserveMinor: bigint,
  ) {}

  credit(currency: CurrencyCode, minor: bigint): void {
    this.available.set(currency, (this.available.get(currency) ?? 0n) + minor);
  }

  /** A debit the model does not price itself (card creation fee, tip over the hold, force post). */
  debit(currency: CurrencyCode, minor: bigint): void {
    this.credit(currency, -minor);
  }

  availableMinor(currency: CurrencyCode): bigint {
    return this.available.get(currency) ?? 0n;
  }

  /** What the issuer would answer to `txn` at `atMs`; books it when approved and `book` is set. */
  decide(txn: CardTransaction, atMs: number, book: boolean): ModelOutcome {
    const wallets = new Map<CurrencyCode, Money>([...this.available].map(([code, minor]) => [code, money(this.spendable(code, minor), code)]));
    const priced = priceTransaction(this.program, txn, wallets, { accountCurrencyAtmWithdrawalsThisMonth: this.atmUsage(atMs) }, atMs, this.rates);
    if (!priced.ok) return { approved: false, code: '96' };
    const pricing = priced.value;
    const limits = countersFor(this.program, txn, pricing.billingAmount, atMs, this.rates);
    if (!limits.ok) return { approved: false, code: '96' };
    const check = checkLimits(limits.value, (key) => this.counters.get(key) ?? 0n);
    if (!check.allowed) return { approved: false, code: check.reason === DeclineReason.CountLimitExceeded ? '65' : '61' };
    const wallet = pricing.walletCurrency;
    if (this.spendable(wallet, this.availableMinor(wallet)) < pricing.totalDebit.amountMinor) return { approved: false, code: '51' };
    if (book) {
      this.debit(wallet, pricing.totalDebit.amountMinor);
      applyMoves(limits.value, this.counters);
      if (txn.kind === 'cash-withdrawal' && txn.transactionAmount.currency === this.program.accountCurrency) {
        const month = monthIdOf(localDateOf(atMs, this.program.timeZone));
        this.atmPerMonth.set(month, (this.atmPerMonth.get(month) ?? 0) + 1);
      }
    }
    return { approved: true, walletCurrency: wallet, billingMinor: pricing.billingAmount.amountMinor, totalDebitMinor: pricing.totalDebit.amountMinor };
  }

  /** A copy to try a sequence of decisions without touching this one. */
  clone(): IssuerModel {
    const copy = new IssuerModel(this.program, this.rates, this.reserveMinor);
    for (const [code, minor] of this.available) copy.available.set(code, minor);
    for (const [key, value] of this.counters) copy.counters.set(key, value);
    for (const [month, count] of this.atmPerMonth) copy.atmPerMonth.set(month, count);
    return copy;
  }

  /** Replaces this model's state by another's (after a successful trial on a clone). */
  adopt(other: IssuerModel): void {
    this.available.clear();
    this.counters.clear();
    this.atmPerMonth.clear();
    for (const [code, minor] of other.available) this.available.set(code, minor);
    for (const [key, value] of other.counters) this.counters.set(key, value);
    for (const [month, count] of other.atmPerMonth) this.atmPerMonth.set(month, count);
  }

  private spendable(currency: CurrencyCode, minor: bigint): bigint {
    const kept = currency === this.program.accountCurrency ? this.reserveMinor : 0n;
    return minor > kept ? minor - kept : 0n;
  }

  private atmUsage(atMs: number): number {
    return this.atmPerMonth.get(monthIdOf(localDateOf(atMs, this.program.timeZone))) ?? 0;
  }
}
