import fc from 'fast-check';
import {
  CURRENCY_CODES,
  formatDisplayAmount,
  formatWireAmount,
  money,
  parseDisplayAmount,
  parseMajorAmount,
  parseWireAmount,
  parseWireAmountWithNumericCurrency,
  toMajorString,
} from './index';

describe('n12 wire amounts (fields 4, 6)', () => {
  it('parses 12 digits as minor units of the given currency', () => {
    const parsed = parseWireAmount('000000001250', 'EUR');
    expect(parsed).toEqual({ ok: true, value: money(1250n, 'EUR') });
    const jpy = parseWireAmountWithNumericCurrency('000000001250', '392');
    expect(jpy.ok && jpy.value.currency).toBe('JPY');
  });

  it.each([
    '00000000125',
    '0000000012500',
    '00000000125a',
    '-00000001250',
    ' 00000001250',
    '1e+000000001',
    '',
    '00000000１２５',
  ])('rejects %j', (field) => {
    const parsed = parseWireAmount(field, 'EUR');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error.kind).toBe('not-n12');
  });

  it('rejects an unknown field 49 code', () => {
    const parsed = parseWireAmountWithNumericCurrency('000000001250', '999');
    expect(!parsed.ok && parsed.error.kind).toBe('unknown-currency');
  });

  it('formats and round-trips; refuses negative or oversized amounts', () => {
    expect(formatWireAmount(money(1250n, 'EUR'))).toBe('000000001250');
    expect(formatWireAmount(money(999_999_999_999n, 'EUR'))).toBe('999999999999');
    expect(() => formatWireAmount(money(-1n, 'EUR'))).toThrow(RangeError);
    expect(() => formatWireAmount(money(1_000_000_000_000n, 'EUR'))).toThrow(RangeError);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 999_999_999_999n }), (minor) => {
        const parsed = parseWireAmount(formatWireAmount(money(minor, 'USD')), 'USD');
        return parsed.ok && parsed.value.amountMinor === minor;
      }),
    );
  });
});

describe('display amounts', () => {
  it.each([
    [1250n, 'EUR', '12.50 EUR'],
    [1250n, 'JPY', '1 250 JPY'],
    [125000n, 'EUR', '1 250.00 EUR'],
    [-300n, 'EUR', '-3.00 EUR'],
    [125n, 'KWD', '0.125 KWD'],
    [5n, 'EUR', '0.05 EUR'],
    [0n, 'JPY', '0 JPY'],
    [123456789n, 'HUF', '1 234 567.89 HUF'],
  ] as const)('%s minor %s displays as %s and parses back', (minor, code, text) => {
    expect(formatDisplayAmount(money(minor, code))).toBe(text);
    expect(parseDisplayAmount(text)).toEqual({ ok: true, value: money(minor, code) });
  });

  it('round-trips every amount in every currency', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }),
        fc.constantFrom(...CURRENCY_CODES),
        (minor, code) => {
          const parsed = parseDisplayAmount(formatDisplayAmount(money(minor, code)));
          return parsed.ok && parsed.value.amountMinor === minor && parsed.value.currency === code;
        },
      ),
    );
  });

  it('parses major decimals exactly and refuses hidden rounding', () => {
    expect(parseMajorAmount('1.5', 'EUR')).toEqual({ ok: true, value: money(150n, 'EUR') });
    expect(parseMajorAmount('-5', 'EUR')).toEqual({ ok: true, value: money(-500n, 'EUR') });
    expect(parseMajorAmount('275', 'JPY')).toEqual({ ok: true, value: money(275n, 'JPY') });
    const tooPrecise = parseMajorAmount('1.005', 'EUR');
    expect(!tooPrecise.ok && tooPrecise.error.kind).toBe('too-many-decimals');
    expect(parseMajorAmount('1.5', 'JPY').ok).toBe(false);
    for (const junk of ['', '1,50', '1.', '.5', '1e3', '0x10', '12.50 EUR', 'NaN']) {
      expect(parseMajorAmount(junk, 'EUR').ok).toBe(false);
    }
    expect(parseDisplayAmount('12.50 XXX').ok).toBe(false);
    expect(toMajorString(money(7n, 'KWD'))).toBe('0.007');
  });
});
