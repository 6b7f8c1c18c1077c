import DecimalJs from 'decimal.js';

/**
 * The Decimal constructor used for every rate and percentage in the engine. A private clone, so
 * no other code's `Decimal.set` can change our precision or rounding. 40 significant digits is far
 * more than any amount (n12) times any rate (7 significant digits) needs, so intermediate results
 * are exact and rounding happens only where a `Rounding` is named.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
export type Decimal = DecimalJs;
export type DecimalValue = DecimalJs.Value;

/**
 * A named rounding rule, passed at every call that leaves the exact decimal world for integer
 * minor units. The engine's documented rule for money is `roundHalfUp` (docs/domain-rules.md):
 * network-interface.md, field 6 and "percentage fees ... rounded half-up to the minor unit".
 */
export interface Rounding {
  /** Stable name, for logs and docs. */
  readonly name: 'half-up' | 'half-even' | 'half-down' | 'down' | 'up' | 'floor' | 'ceil';
  readonly decimalMode: DecimalJs.Rounding;
}

/** Half away from zero: 0.5 -> 1, -0.5 -> -1 (decimal.js ROUND_HALF_UP). The engine's rule. */
export const roundHalfUp: Rounding = Object.freeze({ name: 'half-up', decimalMode: DecimalJs.ROUND_HALF_UP });
/** Half to the even neighbour (banker's rounding): 0.5 -> 0, 1.5 -> 2. */
export const roundHalfEven: Rounding = Object.freeze({
  name: 'half-even',
  decimalMode: DecimalJs.ROUND_HALF_EVEN,
});
/** Half toward zero: 0.5 -> 0, 0.51 -> 1. */
export const roundHalfDown: Rounding = Object.freeze({
  name: 'half-down',
  decimalMode: DecimalJs.ROUND_HALF_DOWN,
});
/** Toward zero (truncate). */
export const roundDown: Rounding = Object.freeze({ name: 'down', decimalMode: DecimalJs.ROUND_DOWN });
/** Away from zero. */
export const roundUp: Rounding = Object.freeze({ name: 'up', decimalMode: DecimalJs.ROUND_UP });
/** Toward minus infinity. */
export const roundFloor: Rounding = Object.freeze({ name: 'floor', decimalMode: DecimalJs.ROUND_FLOOR });
/** Toward plus infinity. */
export const roundCeil: Rounding = Object.freeze({ name: 'ceil', decimalMode: DecimalJs.ROUND_CEIL });

/** Rounds an exact decimal to an integer with the named rule and returns it as a bigint. */
export function roundToBigInt(value: Decimal, rounding: Rounding): bigint {
  const integral = value.toDecimalPlaces(0, rounding.decimalMode);
  // toExpPos/toExpNeg above make toString() plain digits, never exponent notation.
  return BigInt(integral.toString());
}

/**
 * 10^0 .. 10^40, built once: every conversion, fee and field 10 encoding scales by a power of
 * ten, and `pow` is among the slowest Decimal operations. Decimals are immutable, so the same
 * instance is safely shared by every caller.
 */
const POWERS_OF_TEN: readonly Decimal[] = Array.from({ length: 41 }, (_, n) => new Decimal(10).pow(n));

/** 10^n as an exact Decimal. */
export function powerOfTen(n: number): Decimal {
  return POWERS_OF_TEN[n] ?? new Decimal(10).pow(n);
}

/** Parses a percentage or rate written as a decimal string ("0.65", "2"). Throws on junk: config only. */
export function decimalOf(value: DecimalValue): Decimal {
  return new Decimal(value);
}

/**
 * A finite Decimal as a whole number of 10^-scale units (1.5 -> 15 units at scale 1), and how
 * many digits that number has. Computed once per Decimal instance: the rates and percentages
 * that are multiplied on every message are long-lived values (config, cached FX rates).
 */
export interface ScaledInteger {
  readonly units: bigint;
  readonly scale: number;
  /** Digits of |units|: at least the Decimal's significant digits. */
  readonly digits: number;
}

const scaledIntegers = new WeakMap<Decimal, ScaledInteger>();

export function scaledIntegerOf(value: Decimal): ScaledInteger {
  let scaled = scaledIntegers.get(value);
  if (scaled === undefined) {
    // Every digit of the value: "-0.0056", "178.5", or "1.5e-7" from a Decimal of other settings.
    const [coefficient, exponent = '0'] = value.toString().split('e');
    const [integerPart, fractionPart = ''] = coefficient.split('.');
    let units = BigInt(integerPart + fractionPart);
    let scale = fractionPart.length - Number(exponent);
    if (scale < 0) {
      units *= 10n ** BigInt(-scale);
      scale = 0;
    }
    scaled = { units, scale, digits: (units < 0n ? -units : units).toString().length };
    scaledIntegers.set(value, scaled);
  }
  return scaled;
}

/**
 * numerator / divisor (divisor > 0) rounded to an integer with the named rule, exactly, as
 * Decimal's toDecimalPlaces(0, mode) rounds the exact quotient. undefined for a mode without a
 * `Rounding` of ours.
 */
export function roundedQuotient(numerator: bigint, divisor: bigint, rounding: Rounding): bigint | undefined {
  const quotient = numerator / divisor; // toward zero
  const remainder = numerator % divisor; // the sign of the numerator
  if (remainder === 0n) return quotient;
  const away = numerator < 0n ? quotient - 1n : quotient + 1n;
  const twiceRemainder = 2n * (remainder < 0n ? -remainder : remainder);
  switch (rounding.decimalMode) {
    case DecimalJs.ROUND_UP:
      return away;
    case DecimalJs.ROUND_DOWN:
      return quotient;
    case DecimalJs.ROUND_CEIL:
      return numerator > 0n ? away : quotient;
    case DecimalJs.ROUND_FLOOR:
      return numerator < 0n ? away : quotient;
    case DecimalJs.ROUND_HALF_UP:
      return twiceRemainder >= divisor ? away : quotient;
    case DecimalJs.ROUND_HALF_DOWN:
      return twiceRemainder > divisor ? away : quotient;
    case DecimalJs.ROUND_HALF_EVEN:
      return twiceRemainder > divisor || (twiceRemainder === divisor && quotient % 2n !== 0n)
        ? away
        : quotient;
    default:
      return undefined;
  }
}
