import {
  CurrencyCode,
  Decimal,
  Money,
  Result,
  convert,
  err,
  lessThan,
  ok,
  percentage,
  roundHalfUp,
  subtract,
} from '@lib/money';
import { crossRate } from '../fx/conversion';
import { FxError, RateTable } from '../fx/rate-table';
import type { Program, SwapOption } from '../program';
import type { FeeLine } from './fees';

/**
 * A currency swap between two wallets of the travel program (seed 002 clause 5 and annex 1
 * "Frais de Swap"): converted at the mid-market rate (the reference table stands in for XE.com),
 * the commission of the chosen option (plus an optional volatility surcharge, at most 2.5 %,
 * clause 5.2) is charged in the destination currency, rounded half-up.
 */
export interface SwapQuote {
  readonly grossDestination: Money;
  readonly fee: FeeLine;
  readonly netDestination: Money;
  readonly rate: Decimal;
}

export type SwapError =
  | { readonly kind: 'swaps-not-offered' }
  | { readonly kind: 'currency-not-held'; readonly currency: CurrencyCode }
  | { readonly kind: 'same-currency' }
  | { readonly kind: 'below-minimum'; readonly minimum: Money }
  | { readonly kind: 'surcharge-above-maximum'; readonly maximumPercent: Decimal }
  | { readonly kind: 'fx'; readonly error: FxError };

export function swapQuote(
  program: Program,
  option: SwapOption,
  source: Money,
  destination: CurrencyCode,
  surchargePercent: Decimal,
  rates: RateTable,
  day: string,
): Result<SwapQuote, SwapError> {
  const rules = program.fees.swap;
  if (rules === null) return err({ kind: 'swaps-not-offered' });
  for (const code of [source.currency, destination]) {
    if (!program.walletCurrencies.includes(code)) return err({ kind: 'currency-not-held', currency: code });
  }
  if (source.currency === destination) return err({ kind: 'same-currency' });
  // "Montant minimum par Swap", read in the source currency.
  const minimum = rules.minimumByCurrency.get(source.currency);
  if (minimum !== undefined && lessThan(source, minimum)) return err({ kind: 'below-minimum', minimum });
  if (surchargePercent.isNegative() || surchargePercent.gt(rules.maxVolatilitySurchargePercent)) {
    return err({ kind: 'surcharge-above-maximum', maximumPercent: rules.maxVolatilitySurchargePercent });
  }
  const cross = crossRate(rates, day, source.currency, destination);
  if (!cross.ok) return err({ kind: 'fx', error: cross.error });
  const gross = convert(source, cross.value.rate, destination, roundHalfUp);
  const percent = rules.percentByOption.get(option) ?? new Decimal(0);
  const fee = percentage(gross, percent.plus(surchargePercent), roundHalfUp);
  return ok({
    grossDestination: gross,
    fee: { type: 'swap', amount: fee },
    netDestination: subtract(gross, fee),
    rate: cross.value.rate,
  });
}
