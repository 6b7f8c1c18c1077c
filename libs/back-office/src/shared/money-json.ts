import { CurrencyCode, Money, isCurrencyCode, money } from '@lib/money';
import { Result, err, ok } from '@lib/money';
import type { FieldError } from './validation';

/** Money in JSON (http-and-events.md): integer minor units as a string, and the ISO 4217 alpha code. */
export interface MoneyJson {
  readonly minor: string;
  readonly currency: string;
}

export function toMoneyJson(amount: Money): MoneyJson {
  return { minor: amount.amountMinor.toString(), currency: amount.currency };
}

export function moneyJsonOf(amountMinor: bigint | number, currency: CurrencyCode): MoneyJson {
  return { minor: BigInt(amountMinor).toString(), currency };
}

/** At most 15 digits: every amount stays an exact integer in the Lua step (doubles, 2^53). */
const MINOR_DIGITS = /^(0|[1-9][0-9]{0,14})$/;

/**
 * Parses a money object of a request body at `path` (e.g. `amount`). Only a string of digits is
 * accepted for `minor` (no number: JSON numbers lose precision above 2^53 in most clients).
 */
export function parseMoneyJson(value: unknown, path: string): Result<Money, FieldError> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return err({ field: path, reason: 'must be an object {minor, currency}' });
  }
  const record = value as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (name !== 'minor' && name !== 'currency')
      return err({ field: `${path}.${name}`, reason: 'unknown field' });
  }
  const { minor, currency } = record;
  if (currency === undefined) return err({ field: `${path}.currency`, reason: 'is required' });
  if (typeof currency !== 'string' || !isCurrencyCode(currency)) {
    return err({ field: `${path}.currency`, reason: 'must be a known ISO 4217 alpha code, e.g. "EUR"' });
  }
  if (minor === undefined) return err({ field: `${path}.minor`, reason: 'is required' });
  if (typeof minor !== 'string' || !MINOR_DIGITS.test(minor)) {
    return err({
      field: `${path}.minor`,
      reason: 'must be a string of at most 15 digits (integer minor units), e.g. "1250"',
    });
  }
  return ok(money(BigInt(minor), currency));
}
