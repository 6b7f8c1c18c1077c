import { CurrencyCode, currency, currencyByAlpha } from './currencies';
import { Money, money } from './money';
import { Result, err, ok } from './result';

/** Why a decimal or display amount did not parse. */
export type AmountTextError =
  | { readonly kind: 'not-a-decimal'; readonly detail: string }
  | { readonly kind: 'too-many-decimals'; readonly detail: string }
  | { readonly kind: 'unknown-currency'; readonly detail: string };

const DECIMAL = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;

/**
 * Parses a major-unit decimal string exactly ("12.5", "1250", "-5", "0.125") into Money of `code`.
 * More decimals than the currency's exponent is an error (never silently rounded): "1.005" EUR.
 */
export function parseMajorAmount<C extends CurrencyCode>(
  text: string,
  code: C,
): Result<Money<C>, AmountTextError> {
  const match = DECIMAL.exec(text);
  if (match === null) {
    return err({ kind: 'not-a-decimal', detail: `expected a decimal number, got ${JSON.stringify(text)}` });
  }
  const [, sign, whole, fraction = ''] = match;
  const exponent = currency(code).exponent;
  if (fraction.length > exponent) {
    return err({
      kind: 'too-many-decimals',
      detail: `${code} has ${exponent} decimal(s), got ${JSON.stringify(text)}`,
    });
  }
  const minorDigits = whole + fraction.padEnd(exponent, '0');
  const magnitude = BigInt(minorDigits);
  return ok(money(sign === '-' ? -magnitude : magnitude, code));
}

/** The exact major-unit decimal string of an amount, with exactly `exponent` decimals ("12.50"). */
export function toMajorString(m: Money): string {
  const exponent = currency(m.currency).exponent;
  const negative = m.amountMinor < 0n;
  const digits = (negative ? -m.amountMinor : m.amountMinor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

function groupThousands(whole: string): string {
  return whole.replace(/\B(?=([0-9]{3})+$)/g, ' ');
}

/**
 * Display form: major units, thousands grouped by a space, the exponent's decimals, the alpha
 * code after a space: "12.50 EUR", "1 250 JPY", "1 250.00 EUR", "-3.00 EUR", "0.125 KWD".
 */
export function formatDisplayAmount(m: Money): string {
  const text = toMajorString(m);
  const negative = text.startsWith('-');
  const [whole, fraction] = (negative ? text.slice(1) : text).split('.');
  const grouped = groupThousands(whole) + (fraction === undefined ? '' : `.${fraction}`);
  return `${negative ? '-' : ''}${grouped} ${m.currency}`;
}

/** Parses the display form back ("1 250.00 EUR", "12.50 EUR"); the inverse of formatDisplayAmount. */
export function parseDisplayAmount(text: string): Result<Money, AmountTextError> {
  const match = /^(-?[0-9][0-9 ]*(?:\.[0-9]+)?) ([A-Z]{3})$/.exec(text);
  if (match === null) {
    return err({
      kind: 'not-a-decimal',
      detail: `expected "<amount> <ISO code>", got ${JSON.stringify(text)}`,
    });
  }
  const [, amountText, code] = match;
  const found = currencyByAlpha(code);
  if (found === undefined) {
    return err({ kind: 'unknown-currency', detail: `unknown currency ${code}` });
  }
  return parseMajorAmount(amountText.replace(/ /g, ''), found.code);
}
