import { Decimal, Result, err, ok, powerOfTen, roundHalfUp, roundToBigInt } from '@lib/money';
import type { FxError } from './rate-table';

/** Field 10 (n8): first digit = number of decimals (0-9), then 7 digits. */
export interface WireRate {
  /** The 8 digits of field 10. */
  readonly field10: string;
  /** The rate those digits mean: the rate actually applied to field 4 to get field 6. */
  readonly rate: Decimal;
}

const MAX_DIGITS = 9_999_999n;

/**
 * Encodes a rate for field 10, keeping the most significant digits: the largest number of
 * decimals (9 down to 0) whose 7-digit mantissa, rounded half-up, still fits. 1.158712345 ->
 * "61158712" (1.158712); 0.00560214 -> "95602140" (0.005602140); 178.5249 -> "41785249".
 */
export function encodeWireRate(rate: Decimal): Result<WireRate, FxError> {
  if (!rate.gt(0))
    return err({ kind: 'rate-not-representable', detail: `rate must be > 0, got ${rate.toString()}` });
  for (let decimals = 9; decimals >= 0; decimals -= 1) {
    const mantissa = roundToBigInt(rate.mul(powerOfTen(decimals)), roundHalfUp);
    if (mantissa <= MAX_DIGITS) {
      if (mantissa === 0n) break;
      return ok({
        field10: `${decimals}${mantissa.toString().padStart(7, '0')}`,
        rate: new Decimal(mantissa.toString()).div(powerOfTen(decimals)),
      });
    }
  }
  return err({
    kind: 'rate-not-representable',
    detail: `rate ${rate.toString()} does not fit n8 (1 + 7 digits)`,
  });
}

/** Decodes field 10; undefined when it is not 8 digits. */
export function decodeWireRate(field10: string): Decimal | undefined {
  if (!/^[0-9]{8}$/.test(field10)) return undefined;
  return new Decimal(field10.slice(1)).div(powerOfTen(Number(field10[0])));
}
