import fc from 'fast-check';
import {
  CurrencyMismatchError,
  Money,
  add,
  compare,
  convert,
  lessThan,
  money,
  percentage,
  subtract,
  sum,
  zero,
  isMoneyIn,
  sameCurrency,
  toMajorDecimal,
  fromMajorDecimal,
  Decimal,
  roundHalfUp,
  roundHalfEven,
  roundDown,
  roundUp,
  roundHalfDown,
  roundFloor,
  roundCeil,
  CurrencyCode,
  multiply,
  roundToBigInt,
  Rounding,
} from './index';
import { roundedQuotient, scaledIntegerOf } from './rounding';

const eur = (minor: bigint): Money<'EUR'> => money(minor, 'EUR');
const usd = (minor: bigint): Money<'USD'> => money(minor, 'USD');

describe('Money: currency mixing is a compile-time error', () => {
  it('rejects EUR + USD, EUR - USD, compare(EUR, USD) at compile time', () => {
    // Each line below must fail to type-check; `tsc --noEmit` fails if any of them compiles.
    // The runtime guard still throws, which the expectations prove.
    // @ts-expect-error EUR + USD does not compile
    expect(() => add(eur(100n), usd(100n))).toThrow(CurrencyMismatchError);
    // @ts-expect-error EUR - USD does not compile
    expect(() => subtract(eur(100n), usd(100n))).toThrow(CurrencyMismatchError);
    // @ts-expect-error comparing EUR with USD does not compile
    expect(() => compare(eur(100n), usd(1n))).toThrow(CurrencyMismatchError);
    // @ts-expect-error lessThan across currencies does not compile
    expect(() => lessThan(usd(1n), eur(1n))).toThrow(CurrencyMismatchError);
    // @ts-expect-error a sum of EUR cannot take a USD amount
    expect(() => sum('EUR', [eur(1n), usd(1n)])).toThrow(CurrencyMismatchError);
  });

  it('rejects a plain object posing as Money and an unknown currency at compile time', () => {
    // @ts-expect-error Money has a brand: only money() builds one
    const forged: Money<'EUR'> = { amountMinor: 1n, currency: 'EUR' };
    expect(forged.amountMinor).toBe(1n);
    // @ts-expect-error 'XXX' is not a CurrencyCode
    expect(() => money(1n, 'XXX')).toThrow(RangeError);
    // @ts-expect-error amounts are bigint, never number
    expect(() => money(1, 'EUR')).toThrow(TypeError);
  });

  it('keeps the currency in the result type', () => {
    const total: Money<'EUR'> = add(eur(150n), eur(25n));
    // @ts-expect-error the result of an EUR addition is not a USD amount
    const wrong: Money<'USD'> = add(eur(1n), eur(1n));
    expect(total.amountMinor).toBe(175n);
    expect(wrong.currency).toBe('EUR');
  });

  it('guards at run time when the currency is only known at run time', () => {
    const a: Money<CurrencyCode> = eur(100n);
    const b: Money<CurrencyCode> = usd(100n);
    expect(() => add(a, b)).toThrow('add: currency mismatch EUR vs USD');
    expect(sameCurrency(a, b)).toBe(false);
    const c: Money = eur(5n);
    if (isMoneyIn(c, 'EUR')) {
      expect(add(c, eur(1n)).amountMinor).toBe(6n);
    } else {
      throw new Error('isMoneyIn should narrow an EUR amount');
    }
  });
});

describe('Money arithmetic', () => {
  it('adds, subtracts and compares minor units exactly', () => {
    expect(subtract(eur(100n), eur(250n)).amountMinor).toBe(-150n);
    expect(compare(eur(1n), eur(2n))).toBe(-1);
    expect(compare(eur(2n), eur(2n))).toBe(0);
    expect(compare(eur(3n), eur(2n))).toBe(1);
    expect(sum('EUR', []).amountMinor).toBe(0n);
    expect(sum('EUR', [eur(1n), eur(2n), eur(3n)]).amountMinor).toBe(6n);
    expect(zero('JPY').currency).toBe('JPY');
  });

  it('converts through major units across exponents (JPY 0, EUR 2, KWD 3)', () => {
    // 1 250 JPY at 0.0056 EUR/JPY = 7.00 EUR
    expect(convert(money(1250n, 'JPY'), '0.0056', 'EUR', roundHalfUp).amountMinor).toBe(700n);
    // 10.00 EUR at 0.35612 KWD/EUR = 3.5612 -> 3.561 KWD (half-up at the 3rd decimal)
    expect(convert(eur(1000n), '0.35612', 'KWD', roundHalfUp).amountMinor).toBe(3561n);
    // 1.00 EUR at 178.5 JPY/EUR = 178.5 -> 179 JPY half-up, 178 JPY half-even
    expect(convert(eur(100n), '178.5', 'JPY', roundHalfUp).amountMinor).toBe(179n);
    expect(convert(eur(100n), '178.5', 'JPY', roundHalfEven).amountMinor).toBe(178n);
    expect(toMajorDecimal(money(1234n, 'KWD')).toString()).toBe('1.234');
    expect(fromMajorDecimal(new Decimal('0.005'), 'EUR', roundHalfUp).amountMinor).toBe(1n);
  });

  it('names each rounding rule and applies it (2.5 / -2.5 / 2.51 minor units)', () => {
    // 250 minor * 1% = 2.5 minor units
    const cases: [string, typeof roundHalfUp, bigint, bigint][] = [
      ['half-up', roundHalfUp, 3n, -3n],
      ['half-even', roundHalfEven, 2n, -2n],
      ['half-down', roundHalfDown, 2n, -2n],
      ['down', roundDown, 2n, -2n],
      ['up', roundUp, 3n, -3n],
      ['floor', roundFloor, 2n, -3n],
      ['ceil', roundCeil, 3n, -2n],
    ];
    for (const [name, rule, positive, negative] of cases) {
      expect(rule.name).toBe(name);
      expect(percentage(eur(250n), '1', rule).amountMinor).toBe(positive);
      expect(percentage(eur(-250n), '1', rule).amountMinor).toBe(negative);
    }
  });

  it('computes the seed 004 foreign-payment percentage 0.65 % of 87.13 EUR = 0.566345 -> 0.57 half-up', () => {
    expect(percentage(eur(8713n), '0.65', roundHalfUp).amountMinor).toBe(57n);
  });
});

describe('Money properties', () => {
  const minor = fc.bigInt({ min: 0n, max: 999_999_999_999n });
  const rate = fc
    .tuple(fc.integer({ min: 1, max: 99_999_999 }), fc.integer({ min: 0, max: 9 }))
    .map(([digits, decimals]) => new Decimal(digits).div(new Decimal(10).pow(decimals)));

  it('rounding to the minor unit stays within half a unit of the exact value', () => {
    fc.assert(
      fc.property(minor, rate, (amountMinor, r) => {
        const exact = toMajorDecimal(eur(amountMinor)).mul(r).mul(1000); // in KWD minor units
        const rounded = convert(eur(amountMinor), r, 'KWD', roundHalfUp).amountMinor;
        return exact.minus(rounded.toString()).abs().lte('0.5');
      }),
    );
  });

  it('percentages of non-negative amounts are never negative and never exceed the amount for <= 100 %', () => {
    const percent = fc.integer({ min: 0, max: 10_000 }).map((bp) => new Decimal(bp).div(100));
    fc.assert(
      fc.property(minor, percent, (amountMinor, p) => {
        const fee = percentage(eur(amountMinor), p, roundHalfUp).amountMinor;
        return fee >= 0n && fee <= amountMinor;
      }),
    );
  });

  it('addition is associative and subtraction undoes it', () => {
    const m = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }).map((v) => eur(v));
    fc.assert(
      fc.property(m, m, m, (a, b, c) => {
        const left = add(add(a, b), c).amountMinor;
        const right = add(a, add(b, c)).amountMinor;
        return left === right && subtract(add(a, b), b).amountMinor === a.amountMinor;
      }),
    );
  });
});

describe('integer arithmetic of percentage, multiply and convert: exactly what Decimal computes', () => {
  // The Decimal computations these functions used before their integer path (the reference).
  const decimalPercentage = (m: Money, p: Decimal, r: Rounding) =>
    roundToBigInt(new Decimal(m.amountMinor.toString()).mul(p).div(100), r);
  const decimalMultiply = (m: Money, f: Decimal, r: Rounding) =>
    roundToBigInt(new Decimal(m.amountMinor.toString()).mul(f), r);
  const decimalConvert = (m: Money, rate: Decimal, to: CurrencyCode, r: Rounding) =>
    fromMajorDecimal(toMajorDecimal(m).mul(rate), to, r).amountMinor;

  const roundings = [roundHalfUp, roundHalfEven, roundHalfDown, roundDown, roundUp, roundFloor, roundCeil];
  const rounding = fc.constantFrom(...roundings);
  // JPY 0, EUR 2, KWD 3 decimals: conversions scale both ways.
  const code = fc.constantFrom<CurrencyCode>('JPY', 'EUR', 'KWD');
  // Amounts of every size, signs and ties (ending in 5, 50...), up to beyond 40 digits.
  const amountMinor = fc.oneof(
    fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }),
    fc.bigInt({ min: -999n, max: 999n }).map((v) => v * 5n),
    fc.bigInt({ min: -(10n ** 45n), max: 10n ** 45n }),
  );
  // Decimals of 1 to 45 significant digits and -5 to 30 decimals (rates, percentages, factors).
  const decimal = fc
    .tuple(
      fc.bigInt({ min: -(10n ** 45n), max: 10n ** 45n }),
      fc.integer({ min: -5, max: 30 }),
      fc.integer({ min: 1, max: 45 }),
    )
    .map(([units, decimals, digits]) => {
      const trimmed = units % 10n ** BigInt(digits);
      return new Decimal(trimmed.toString()).div(new Decimal(10).pow(decimals));
    });

  it.each([
    ['percentage', percentage, decimalPercentage],
    ['multiply', multiply, decimalMultiply],
  ] as const)('%s', (_, fast, reference) => {
    fc.assert(
      fc.property(amountMinor, decimal, rounding, code, (minor, factor, r, c) => fast(money(minor, c), factor, r).amountMinor === reference(money(minor, c), factor, r)),
      { numRuns: 5_000 },
    );
  });

  it('convert', () => {
    fc.assert(
      fc.property(
        amountMinor,
        decimal,
        rounding,
        code,
        code,
        (minor, rate, r, from, to) =>
          convert(money(minor, from), rate, to, r).amountMinor ===
          decimalConvert(money(minor, from), rate, to, r),
      ),
      { numRuns: 5_000 },
    );
  });

  it('ties and signs, one by one', () => {
    const half = new Decimal('0.5');
    for (const r of roundings) {
      for (const minor of [-25n, -15n, -5n, -1n, 0n, 1n, 5n, 15n, 25n]) {
        expect(multiply(eur(minor), half, r).amountMinor).toBe(decimalMultiply(eur(minor), half, r));
        expect(percentage(eur(minor * 10n), new Decimal(5), r).amountMinor).toBe(
          decimalPercentage(eur(minor * 10n), new Decimal(5), r),
        );
      }
    }
  });

  it('reads a decimal as whole units of 10^-scale, and rounds quotients like toDecimalPlaces(0)', () => {
    expect(scaledIntegerOf(new Decimal('-0.0056'))).toEqual({ units: -56n, scale: 4, digits: 2 });
    expect(scaledIntegerOf(new Decimal('178.5'))).toEqual({ units: 1785n, scale: 1, digits: 4 });
    expect(scaledIntegerOf(new Decimal('1500'))).toEqual({ units: 1500n, scale: 0, digits: 4 });
    // A Decimal of other settings may print in exponent notation.
    const Scientific = Decimal.clone({ toExpNeg: -7, toExpPos: 21 });
    expect(scaledIntegerOf(new Scientific('-0.000000015'))).toEqual({ units: -15n, scale: 9, digits: 2 });
    expect(scaledIntegerOf(new Scientific('1.5e22'))).toEqual({
      units: 15n * 10n ** 21n,
      scale: 0,
      digits: 23,
    });
    // Divisors 2^a x 5^b: the Decimal quotient is exact (at most 33 digits here), ties included.
    const divisor = fc
      .tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }))
      .map(([a, b]) => 2n ** BigInt(a) * 5n ** BigInt(b));
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), divisor, rounding, (n, d, r) => {
        const expected = roundToBigInt(new Decimal(n.toString()).div(d.toString()), r);
        return roundedQuotient(n, d, r) === expected;
      }),
      { numRuns: 5_000 },
    );
  });
});
