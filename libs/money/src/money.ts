import { currency, CurrencyCode, Currency } from './currencies';
import {
  Decimal,
  DecimalValue,
  Rounding,
  powerOfTen,
  roundToBigInt,
  roundedQuotient,
  scaledIntegerOf,
} from './rounding';

declare const moneyBrand: unique symbol;

/**
 * An amount of one currency, in integer minor units (ISO 4217 exponent). Immutable. The type
 * parameter carries the currency so that adding EUR to USD is a compile error; a value whose
 * currency is known only at run time is a `Money<CurrencyCode>` (or just `Money`), and the same
 * operations check the currencies at run time and throw `CurrencyMismatchError` (a bug, not an
 * expected outcome: narrow with `isMoneyIn` / `sameCurrency` first).
 */
export interface Money<C extends CurrencyCode = CurrencyCode> {
  readonly amountMinor: bigint;
  readonly currency: C;
  readonly [moneyBrand]: C;
}

/** Thrown when two amounts of different currencies meet at run time. */
export class CurrencyMismatchError extends Error {
  constructor(operation: string, left: CurrencyCode, right: CurrencyCode) {
    super(`${operation}: currency mismatch ${left} vs ${right}`);
    this.name = 'CurrencyMismatchError';
  }
}

/** Builds a Money from integer minor units (the only constructor). */
export function money<C extends CurrencyCode>(amountMinor: bigint, code: C): Money<C> {
  if (typeof amountMinor !== 'bigint') {
    throw new TypeError(`amountMinor must be a bigint, got ${typeof amountMinor}`);
  }
  currency(code); // asserts the code is known
  return Object.freeze({ amountMinor, currency: code }) as Money<C>;
}

/** Zero in a currency. */
export function zero<C extends CurrencyCode>(code: C): Money<C> {
  return money(0n, code);
}

/** The currency record (numeric code, exponent) of an amount. */
export function currencyOf<C extends CurrencyCode>(m: Money<C>): Currency<C> {
  return currency(m.currency);
}

function assertSameCurrency(operation: string, a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new CurrencyMismatchError(operation, a.currency, b.currency);
  }
}

/** Type guard: `b` has the same currency as `a` (for values typed `Money<CurrencyCode>`). */
export function sameCurrency<C extends CurrencyCode>(a: Money<C>, b: Money): b is Money<C> {
  return a.currency === b.currency;
}

/** Type guard: `m` is in currency `code`. */
export function isMoneyIn<C extends CurrencyCode>(m: Money, code: C): m is Money<C> {
  return m.currency === code;
}

// `NoInfer` makes the first argument alone decide C, so `add(eur, usd)` fails to compile instead
// of inferring C = 'EUR' | 'USD'.

/** a + b, same currency. */
export function add<C extends CurrencyCode>(a: Money<C>, b: Money<NoInfer<C>>): Money<C> {
  assertSameCurrency('add', a, b);
  return money(a.amountMinor + b.amountMinor, a.currency);
}

/** a - b, same currency (may be negative). */
export function subtract<C extends CurrencyCode>(a: Money<C>, b: Money<NoInfer<C>>): Money<C> {
  assertSameCurrency('subtract', a, b);
  return money(a.amountMinor - b.amountMinor, a.currency);
}

/** -1, 0 or 1 as a < b, a = b, a > b; same currency. */
export function compare<C extends CurrencyCode>(a: Money<C>, b: Money<NoInfer<C>>): -1 | 0 | 1 {
  assertSameCurrency('compare', a, b);
  if (a.amountMinor < b.amountMinor) return -1;
  return a.amountMinor > b.amountMinor ? 1 : 0;
}

export function equals<C extends CurrencyCode>(a: Money<C>, b: Money<NoInfer<C>>): boolean {
  return compare(a, b) === 0;
}
export function lessThan<C extends CurrencyCode>(a: Money<C>, b: Money<NoInfer<C>>): boolean {
  return compare(a, b) < 0;
}
export function lessThanOrEqual<C extends CurrencyCode>(a: Money<C>, b: Money<NoInfer<C>>): boolean {
  return compare(a, b) <= 0;
}
export function greaterThan<C extends CurrencyCode>(a: Money<C>, b: Money<NoInfer<C>>): boolean {
  return compare(a, b) > 0;
}
export function greaterThanOrEqual<C extends CurrencyCode>(a: Money<C>, b: Money<NoInfer<C>>): boolean {
  return compare(a, b) >= 0;
}
export function maxOf<C extends CurrencyCode>(a: Money<C>, b: Money<NoInfer<C>>): Money<C> {
  return compare(a, b) >= 0 ? a : b;
}
export function minOf<C extends CurrencyCode>(a: Money<C>, b: Money<NoInfer<C>>): Money<C> {
  return compare(a, b) <= 0 ? a : b;
}

/** Sum of amounts of one currency; zero of `code` for an empty list. */
export function sum<C extends CurrencyCode>(code: C, amounts: readonly Money<NoInfer<C>>[]): Money<C> {
  return amounts.reduce<Money<C>>((total, m) => add(total, m), zero(code));
}

export function negate<C extends CurrencyCode>(m: Money<C>): Money<C> {
  return money(-m.amountMinor, m.currency);
}
export function isZero(m: Money): boolean {
  return m.amountMinor === 0n;
}
export function isNegative(m: Money): boolean {
  return m.amountMinor < 0n;
}
export function isPositive(m: Money): boolean {
  return m.amountMinor > 0n;
}

const BIGINT_POWERS_OF_TEN: readonly bigint[] = Array.from(
  { length: Decimal.precision + 1 },
  (_, n) => 10n ** BigInt(n),
);
const powerOfTenBigInt = (n: number): bigint => BIGINT_POWERS_OF_TEN[n] ?? 10n ** BigInt(n);

/**
 * round(amountMinor x factor x 10^-shift) with the named rule, computed on integers when that is
 * provably what the Decimal computation gives: the factor is a Decimal and amount and factor
 * have at most `Decimal.precision` digits together, so the Decimal product is exact (scaling by
 * powers of ten is exact too) and rounding the exact value once is all Decimal does. undefined
 * otherwise (the caller computes with Decimal). Saves the Decimal allocations of every fee and
 * conversion of a message.
 */
function exactScaledProduct(
  amountMinor: bigint,
  factor: DecimalValue,
  shift: number,
  rounding: Rounding,
): bigint | undefined {
  if (!Decimal.isDecimal(factor) || !factor.isFinite()) return undefined;
  const scaled = scaledIntegerOf(factor);
  const amountDigitsAllowed = Decimal.precision - scaled.digits;
  if (amountDigitsAllowed <= 0) return undefined;
  const magnitude = amountMinor < 0n ? -amountMinor : amountMinor;
  if (magnitude >= BIGINT_POWERS_OF_TEN[amountDigitsAllowed]) return undefined;
  const product = amountMinor * scaled.units;
  const divisorDigits = shift + scaled.scale;
  if (divisorDigits <= 0) return product * powerOfTenBigInt(-divisorDigits);
  return roundedQuotient(product, powerOfTenBigInt(divisorDigits), rounding);
}

/** The exact amount in major units as a Decimal (12.50 EUR -> 12.5). */
export function toMajorDecimal(m: Money): Decimal {
  return new Decimal(m.amountMinor.toString()).div(powerOfTen(currencyOf(m).exponent));
}

/** From an exact major-unit decimal to Money, rounding to the minor unit with the named rule. */
export function fromMajorDecimal<C extends CurrencyCode>(
  major: Decimal,
  code: C,
  rounding: Rounding,
): Money<C> {
  const minor = major.mul(powerOfTen(currency(code).exponent));
  return money(roundToBigInt(minor, rounding), code);
}

/**
 * `percent` % of an amount, rounded to the minor unit with the named rule
 * (e.g. `percentage(billing, '0.65', roundHalfUp)` for the foreign payment fee of seed 004).
 */
export function percentage<C extends CurrencyCode>(
  m: Money<C>,
  percent: DecimalValue,
  rounding: Rounding,
): Money<C> {
  const exact = exactScaledProduct(m.amountMinor, percent, 2, rounding);
  if (exact !== undefined) return money(exact, m.currency);
  const exactMinor = new Decimal(m.amountMinor.toString()).mul(percent).div(100);
  return money(roundToBigInt(exactMinor, rounding), m.currency);
}

/** An amount times a dimensionless factor, rounded with the named rule. */
export function multiply<C extends CurrencyCode>(
  m: Money<C>,
  factor: DecimalValue,
  rounding: Rounding,
): Money<C> {
  const exact = exactScaledProduct(m.amountMinor, factor, 0, rounding);
  if (exact !== undefined) return money(exact, m.currency);
  const exactMinor = new Decimal(m.amountMinor.toString()).mul(factor);
  return money(roundToBigInt(exactMinor, rounding), m.currency);
}

/**
 * Converts between currencies at `rate` = units of `to` per one unit of `m`'s currency, in major
 * units (1 EUR = 1.1587 USD -> rate 1.1587 for EUR -> USD). Exponents differ (JPY 0, KWD 3), so
 * the conversion goes through major units and rounds once, with the named rule.
 */
export function convert<F extends CurrencyCode, T extends CurrencyCode>(
  m: Money<F>,
  rate: DecimalValue,
  to: T,
  rounding: Rounding,
): Money<T> {
  const exact = Decimal.isDecimal(rate)
    ? exactScaledProduct(m.amountMinor, rate, currencyOf(m).exponent - currency(to).exponent, rounding)
    : undefined;
  if (exact !== undefined) return money(exact, to);
  return fromMajorDecimal(toMajorDecimal(m).mul(rate), to, rounding);
}
