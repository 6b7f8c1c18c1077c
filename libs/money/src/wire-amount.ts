import { CurrencyCode, currencyByNumeric } from './currencies';
import { Money, money } from './money';
import { Result, err, ok } from './result';

/** Digits of an `n12` amount field (fields 4, 6, 95 parts; network-interface.md). */
export const WIRE_AMOUNT_DIGITS = 12;
const N12 = /^[0-9]{12}$/;
const MAX_N12 = 999_999_999_999n;

/** Why a wire amount did not parse. */
export type WireAmountError =
  | { readonly kind: 'not-n12'; readonly detail: string }
  | { readonly kind: 'unknown-currency'; readonly detail: string };

/**
 * Parses an `n12` field (12 ASCII digits, minor units of the field's currency) into Money.
 * The digits are validated before `BigInt` sees them, so nothing but 12 digits is accepted.
 */
export function parseWireAmount<C extends CurrencyCode>(
  field: string,
  code: C,
): Result<Money<C>, WireAmountError> {
  if (!N12.test(field)) {
    return err({ kind: 'not-n12', detail: `expected 12 digits, got ${JSON.stringify(field.slice(0, 20))}` });
  }
  return ok(money(BigInt(field), code));
}

/** Parses field 4 with the currency of field 49 (ISO numeric, e.g. '978'). */
export function parseWireAmountWithNumericCurrency(
  field: string,
  numericCode: string,
): Result<Money, WireAmountError> {
  const found = currencyByNumeric(numericCode);
  if (found === undefined) {
    return err({
      kind: 'unknown-currency',
      detail: `unknown ISO 4217 numeric code ${JSON.stringify(numericCode)}`,
    });
  }
  return parseWireAmount(field, found.code);
}

/**
 * Formats an amount as `n12`: minor units, zero-padded to 12 digits. A negative or oversized
 * amount cannot be put on the wire: that is a bug upstream, so it throws.
 */
export function formatWireAmount(m: Money): string {
  if (m.amountMinor < 0n || m.amountMinor > MAX_N12) {
    throw new RangeError(`amount ${m.amountMinor} ${m.currency} does not fit n12`);
  }
  return m.amountMinor.toString().padStart(WIRE_AMOUNT_DIGITS, '0');
}
