import { IsoFormatError, NO_OFFSET } from '../iso-format-error';

/** Index of the first non-digit of `value` in [from, to), or -1 when all are ASCII digits. */
export function firstNonDigit(value: string, from = 0, to = value.length): number {
  for (let i = from; i < to; i++) {
    const code = value.charCodeAt(i);
    if (code < 48 || code > 57) return i;
  }
  return -1;
}

/** Index of the first character of `value` in [from, to) that is not `0`, or -1. */
export function firstNonZero(value: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    if (value.charCodeAt(i) !== 48) return i;
  }
  return -1;
}

/**
 * A non-negative integer amount of minor units as `width` zero-padded digits. Money is a bigint
 * (STYLE.md: no number for money); an amount that does not fit is refused, never truncated.
 */
export function formatAmountDigits(amountMinor: bigint, width: number, field: number, what: string): string {
  const digits = amountMinor.toString();
  if (amountMinor < 0n || digits.length > width) {
    throw new IsoFormatError(`${what} must be between 0 and ${'9'.repeat(width)} minor units`, NO_OFFSET, field);
  }
  return digits.padStart(width, '0');
}

/** Digits of a fixed-width numeric element, checked. */
export function requireDigits(value: string, width: number, field: number, what: string): string {
  if (value.length !== width || firstNonDigit(value) !== -1) {
    throw new IsoFormatError(`${what} must be ${width} digits`, NO_OFFSET, field);
  }
  return value;
}
