import { InstantMs, addMonths, localDateOf } from '@lib/programs';
import type { RandomSource } from '../shared/back-office-deps';

/**
 * Card numbers of a new card. The PAN, CVV2 and PIN exist in clear only here and in the one
 * answer of `POST /v1/accounts/{id}/cards` (spec README invariant 6); what is kept is their keyed
 * hashes (libs/store card-secrets.ts) and the PAN's first 6 / last 4.
 */

/** A test BIN (Visa range 4, never issued to real cards by this engine). */
export const TEST_BIN = '499999';
export const PAN_LENGTH = 16;
/** network-interface.md "Cardholder verification": ATM needs the PIN (6 digits), seed 004. */
export const PIN_LENGTH = 6;
export const CVV2_LENGTH = 3;
/** Validity of a new card, in months: it expires at the end of the month printed on it. */
export const CARD_VALIDITY_MONTHS = 36;

/** The Luhn (mod 10) check digit of a number without it. */
export function luhnCheckDigit(digits: string): string {
  let total = 0;
  for (let i = 0; i < digits.length; i += 1) {
    // From the right of the full number, the digit left of the check digit is doubled, then every other.
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    total += digit;
  }
  return String((10 - (total % 10)) % 10);
}

export function isLuhnValid(pan: string): boolean {
  return /^[0-9]{2,19}$/.test(pan) && luhnCheckDigit(pan.slice(0, -1)) === pan.slice(-1);
}

export function generatePan(random: RandomSource): string {
  const body = TEST_BIN + random.digits(PAN_LENGTH - TEST_BIN.length - 1);
  return body + luhnCheckDigit(body);
}

/** YYMM of the month `CARD_VALIDITY_MONTHS` after the month of issue, in the program's time zone. */
export function expiryFor(issuedAtMs: InstantMs, timeZone: string): string {
  const month = addMonths(localDateOf(issuedAtMs, timeZone), CARD_VALIDITY_MONTHS);
  return `${String(month.year % 100).padStart(2, '0')}${String(month.month).padStart(2, '0')}`;
}

export function generateCvv2(random: RandomSource): string {
  return random.digits(CVV2_LENGTH);
}

/** A PIN nobody would guess first: not one repeated digit, not a run up or down (123456, 987654). */
export function isWeakPin(pin: string): boolean {
  const steps = new Set<number>();
  for (let i = 1; i < pin.length; i += 1) steps.add((Number(pin[i]) - Number(pin[i - 1]) + 10) % 10);
  return steps.size === 1 && (steps.has(0) || steps.has(1) || steps.has(9));
}

export function generatePin(random: RandomSource): string {
  for (;;) {
    const pin = random.digits(PIN_LENGTH);
    if (!isWeakPin(pin)) return pin;
  }
}
