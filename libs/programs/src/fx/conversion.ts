import { CurrencyCode, Decimal, Money, Result, convert, ok, roundHalfUp } from '@lib/money';
import { FxError, RateTable, rateOn } from './rate-table';
import { encodeWireRate, WireRate } from './wire-rate';

/** How a transaction amount became a billing amount (fields 4 -> 6 with 10). */
export interface Conversion<T extends CurrencyCode = CurrencyCode> {
  readonly billingAmount: Money<T>;
  /** The applied rate (billing units per transaction unit, major units), exactly field 10. */
  readonly rate: Decimal;
  readonly field10: string;
  /** Cross rate before it was cut to field 10's 7 significant digits (for audit). */
  readonly exactRate: Decimal;
  /** The reference day the rates were published for. */
  readonly publishedOn: string;
}

type CrossRate = Result<{ rate: Decimal; publishedOn: string }, FxError>;

/**
 * The rates of one currency pair on one processing day: the cross rate and, once asked for, its
 * field 10 encoding. A rate table never changes once built and a gateway converts the same few
 * pairs all day, so both are computed once per (table, day, from, to) and shared: the results are
 * frozen and Decimals are immutable. Bounded per table (cleared when full).
 */
interface PairRates {
  readonly cross: CrossRate;
  wire: Result<WireRate, FxError> | undefined;
}

const MAX_CACHED_PAIRS = 10_000;
const pairRatesByTable = new WeakMap<RateTable, Map<string, PairRates>>();

function pairRatesOf(table: RateTable, day: string, from: CurrencyCode, to: CurrencyCode): PairRates {
  let byPair = pairRatesByTable.get(table);
  if (byPair === undefined) {
    byPair = new Map();
    pairRatesByTable.set(table, byPair);
  }
  const key = `${day}|${from}|${to}`;
  let pair = byPair.get(key);
  if (pair === undefined) {
    pair = { cross: frozenResult(computeCrossRate(table, day, from, to)), wire: undefined };
    if (byPair.size >= MAX_CACHED_PAIRS) byPair.clear();
    byPair.set(key, pair);
  }
  return pair;
}

function frozenResult<T extends object, E extends object>(result: Result<T, E>): Result<T, E> {
  Object.freeze(result.ok ? result.value : result.error);
  return Object.freeze(result);
}

/**
 * Cross rate `to` per `from` via EUR on a processing day: (to per EUR) / (from per EUR). For a
 * GBP wallet paying in USD: USD -> GBP = (GBP per EUR) / (USD per EUR).
 */
export function crossRate(table: RateTable, day: string, from: CurrencyCode, to: CurrencyCode): CrossRate {
  return pairRatesOf(table, day, from, to).cross;
}

function computeCrossRate(table: RateTable, day: string, from: CurrencyCode, to: CurrencyCode): CrossRate {
  const fromRate = rateOn(table, day, from);
  if (!fromRate.ok) return fromRate;
  const toRate = rateOn(table, day, to);
  if (!toRate.ok) return toRate;
  const publishedOn =
    fromRate.value.publishedOn < toRate.value.publishedOn
      ? toRate.value.publishedOn
      : fromRate.value.publishedOn;
  return ok({ rate: toRate.value.unitsPerEur.div(fromRate.value.unitsPerEur), publishedOn });
}

/**
 * Converts a transaction amount to the billing (wallet) currency at the reference rate of `day`,
 * without markup (network-interface.md field 6 and 10): the cross rate is first cut to what
 * field 10 can carry (7 significant digits, half-up), then field 4 x field 10 is rounded half-up
 * to the billing minor unit, so anyone holding fields 4 and 10 recomputes field 6 exactly. The FX
 * markup is a separate fee line (fees.ts), never folded into the rate.
 */
export function convertForBilling<T extends CurrencyCode>(
  table: RateTable,
  day: string,
  amount: Money,
  billingCurrency: T,
): Result<Conversion<T>, FxError> {
  const pair = pairRatesOf(table, day, amount.currency, billingCurrency);
  const cross = pair.cross;
  if (!cross.ok) return cross;
  const wire = (pair.wire ??= frozenResult(encodeWireRate(cross.value.rate)));
  if (!wire.ok) return wire;
  return ok({
    billingAmount: convert(amount, wire.value.rate, billingCurrency, roundHalfUp),
    rate: wire.value.rate,
    field10: wire.value.field10,
    exactRate: cross.value.rate,
    publishedOn: cross.value.publishedOn,
  });
}

/**
 * An amount's value in another currency at the reference rate of `day`, rounded half-up: used to
 * measure a non-EUR wallet amount against limits stated in EUR (travel program).
 */
export function equivalentIn<T extends CurrencyCode>(
  table: RateTable,
  day: string,
  amount: Money,
  target: T,
): Result<Money<T>, FxError> {
  if ((amount.currency as CurrencyCode) === target) return ok(amount as Money<T>);
  const cross = crossRate(table, day, amount.currency, target);
  if (!cross.ok) return cross;
  return ok(convert(amount, cross.value.rate, target, roundHalfUp));
}

export function fxErrorText(error: FxError): string {
  return error.kind === 'no-rate-on-or-before'
    ? `no ${error.currency} reference rate on or before ${error.day}`
    : error.detail;
}
