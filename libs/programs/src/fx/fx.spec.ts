import fc from 'fast-check';
import { CurrencyCode, Decimal, convert, exponentOf, money, roundHalfUp } from '@lib/money';
import { ConfigError } from '../config/config-reader';
import { convertForBilling, crossRate, equivalentIn } from './conversion';
import { mergeRateTables, parseRateTable, rateOn } from './rate-table';
import { decodeWireRate, encodeWireRate } from './wire-rate';
import { amount, catalogue, eur } from '../spec-helpers';

const TABLE_TEXT = `
source: test
base: EUR
days:
  "2026-11-20": { USD: "1.1600", JPY: "180.00", GBP: "0.8800" }
  "2026-11-23": { USD: "1.2000", GBP: "0.9000" }
`;
const table = parseRateTable(TABLE_TEXT, 'config/fx/test.yaml');

describe('reference rates: rateOn(day, currency)', () => {
  it('takes the latest rate published on or before the processing day', () => {
    expect(rateOn(table, '2026-11-20', 'USD')).toEqual({
      ok: true,
      value: { unitsPerEur: new Decimal('1.16'), publishedOn: '2026-11-20' },
    });
    // Saturday and Sunday use Friday's rates; Monday its own: clearing re-rates at its processing day.
    expect(
      rateOn(table, '2026-11-22', 'USD').ok &&
        (rateOn(table, '2026-11-22', 'USD') as { value: { publishedOn: string } }).value.publishedOn,
    ).toBe('2026-11-20');
    const monday = rateOn(table, '2026-11-23', 'USD');
    expect(monday.ok && monday.value.unitsPerEur.toString()).toBe('1.2');
    // A currency missing on the latest day falls back to the latest day that has it.
    const jpy = rateOn(table, '2026-11-24', 'JPY');
    expect(jpy.ok && jpy.value.publishedOn).toBe('2026-11-20');
  });

  it('answers an error before the first published day and for a currency never published', () => {
    expect(rateOn(table, '2026-11-19', 'USD')).toEqual({
      ok: false,
      error: { kind: 'no-rate-on-or-before', currency: 'USD', day: '2026-11-19' },
    });
    expect(rateOn(table, '2026-11-30', 'CHF').ok).toBe(false);
    expect(rateOn(table, '1999-01-01', 'EUR').ok).toBe(true);
  });

  it('crosses via EUR for non-EUR wallets', () => {
    const usdToGbp = crossRate(table, '2026-11-20', 'USD', 'GBP');
    expect(usdToGbp.ok && usdToGbp.value.rate.toString()).toBe(new Decimal('0.88').div('1.16').toString());
    const converted = equivalentIn(table, '2026-11-20', amount('116.00', 'USD'), 'GBP');
    expect(converted).toEqual({ ok: true, value: amount('88.00', 'GBP') });
  });

  it('refuses a day listed in two files and bad values with file and key path', () => {
    expect(() => mergeRateTables([table, table])).toThrow('day 2026-11-20 is listed in two files');
    expect(() => parseRateTable(TABLE_TEXT.replace('"1.1600"', '"-1.16"'), 'config/fx/x.yaml')).toThrow(
      new ConfigError('config/fx/x.yaml', 'days.2026-11-20.USD', 'must be > 0, got -1.16'),
    );
    expect(() => parseRateTable(TABLE_TEXT.replace('USD:', 'XYZ:'), 'config/fx/x.yaml')).toThrow(
      'config/fx/x.yaml: days.2026-11-20.XYZ: unknown currency "XYZ"',
    );
    expect(() =>
      parseRateTable(TABLE_TEXT.replace('"2026-11-23"', '"2026-02-30"'), 'config/fx/x.yaml'),
    ).toThrow("a day must be a date 'YYYY-MM-DD'");
  });

  it('ships rates for every currency of every program and of the simulator table', () => {
    const rates = catalogue().rates;
    expect(rates.days.length).toBeGreaterThanOrEqual(10);
    expect(rates.source).toMatch(/representative/);
  });
});

describe('field 10 wire rate (n8: decimals digit + 7 digits)', () => {
  it.each([
    ['1.158712345', '61158712', '1.158712'],
    ['0.00560214', '95602140', '0.00560214'],
    ['178.5249', '41785249', '178.5249'],
    ['0.862069', '78620690', '0.862069'],
    ['19352.7', '21935270', '19352.7'],
    ['9999999', '09999999', '9999999'],
    ['1', '61000000', '1'],
    ['0.00000001', '90000010', '1e-8'],
  ])('%s -> %s', (rate, field10, applied) => {
    const wire = encodeWireRate(new Decimal(rate));
    expect(wire.ok && wire.value.field10).toBe(field10);
    expect(wire.ok && wire.value.rate.eq(applied)).toBe(true);
    expect(decodeWireRate(field10)?.eq(applied)).toBe(true);
  });

  it('rounds the 7th significant digit half-up and carries into fewer decimals (9.9999996 -> 10.00000)', () => {
    const wire = encodeWireRate(new Decimal('9.99999996'));
    expect(wire.ok && wire.value.field10).toBe('51000000');
  });

  it('refuses rates it cannot carry', () => {
    expect(encodeWireRate(new Decimal('10000000')).ok).toBe(false);
    expect(encodeWireRate(new Decimal('0')).ok).toBe(false);
    expect(encodeWireRate(new Decimal('0.0000000001')).ok).toBe(false);
    expect(decodeWireRate('1234567')).toBeUndefined();
  });

  it('loses significant digits below 0.001 (at most 9 decimals): IDR -> EUR keeps 5', () => {
    const wire = encodeWireRate(new Decimal(1).div('19352.7'));
    expect(wire.ok && wire.value.field10).toBe('90051672');
  });

  it('keeps 7 significant digits for any rate from 0.001 to 9 999 999, and round-trips', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_000, max: 9_999_999 }),
        fc.integer({ min: -3, max: 6 }),
        (mantissa, shift) => {
          const rate = new Decimal(mantissa).mul(new Decimal(10).pow(shift - 6));
          const wire = encodeWireRate(rate);
          return (
            wire.ok &&
            wire.value.rate.eq(rate) &&
            decodeWireRate(wire.value.field10)!.eq(rate) &&
            wire.value.field10[1] !== '0'
          );
        },
      ),
    );
  });
});

describe('conversion to the billing currency (field 6)', () => {
  it('applies field 10 to field 4 and rounds half-up to the billing minor unit', () => {
    // USD -> EUR on 2026-11-20: 1 / 1.16 = 0.862068965... -> field 10 "78620690" (0.8620690)
    const converted = convertForBilling(table, '2026-11-20', amount('100.00', 'USD'), 'EUR');
    if (!converted.ok) throw new Error('fx');
    expect(converted.value.field10).toBe('78620690');
    expect(converted.value.billingAmount).toEqual(eur('86.21')); // 86.2069 -> 86.21
    // JPY (exponent 0) -> EUR: 1 / 180 = 0.0055555...; 1 000 JPY -> 5.555556 -> 5.56 EUR
    const jpy = convertForBilling(table, '2026-11-20', money(1000n, 'JPY'), 'EUR');
    expect(jpy.ok && jpy.value.billingAmount).toEqual(eur('5.56'));
    expect(jpy.ok && jpy.value.field10).toBe('95555556');
  });

  it('re-rates on the clearing processing day (seed 004 clause 11.3)', () => {
    const auth = convertForBilling(table, '2026-11-20', amount('120.00', 'USD'), 'EUR');
    const clearing = convertForBilling(table, '2026-11-23', amount('120.00', 'USD'), 'EUR');
    expect(auth.ok && auth.value.billingAmount).toEqual(eur('103.45'));
    expect(clearing.ok && clearing.value.billingAmount).toEqual(eur('100.00'));
  });

  it('field 6 is within half a minor unit of field 4 x field 10', () => {
    const rates = catalogue().rates;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 999_999_999_999n }),
        fc.constantFrom<CurrencyCode>('USD', 'JPY', 'KWD', 'GBP', 'HUF'),
        (minor, code) => {
          const converted = convertForBilling(rates, '2026-11-18', money(minor, code), 'EUR');
          if (!converted.ok) return false;
          const exact = new Decimal(minor.toString())
            .div(new Decimal(10).pow(exponentOf(code)))
            .mul(converted.value.rate)
            .mul(100);
          return (
            exact.minus(converted.value.billingAmount.amountMinor.toString()).abs().lte('0.5') &&
            converted.value.billingAmount.amountMinor ===
              convert(money(minor, code), converted.value.rate, 'EUR', roundHalfUp).amountMinor
          );
        },
      ),
    );
  });
});

describe('cross rates and field 10 cached per rate table, day and pair', () => {
  // The cross rate as computed afresh: (to per EUR) / (from per EUR), each rate from rateOn.
  function freshCross(t: typeof table, day: string, from: CurrencyCode, to: CurrencyCode) {
    const f = rateOn(t, day, from);
    const r = rateOn(t, day, to);
    if (!f.ok) return f;
    if (!r.ok) return r;
    const publishedOn = f.value.publishedOn < r.value.publishedOn ? r.value.publishedOn : f.value.publishedOn;
    return { ok: true, value: { rate: r.value.unitsPerEur.div(f.value.unitsPerEur), publishedOn } };
  }

  const days = ['2026-11-19', '2026-11-20', '2026-11-22', '2026-11-23', '2026-11-24'];
  const codes: CurrencyCode[] = ['EUR', 'USD', 'JPY', 'GBP', 'CHF'];

  it('answers what is computed afresh, on every call, for every day and pair (errors too)', () => {
    for (let round = 0; round < 2; round++) {
      for (const day of days) {
        for (const from of codes) {
          for (const to of codes) {
            expect(crossRate(table, day, from, to)).toEqual(freshCross(table, day, from, to));
            const converted = convertForBilling(table, day, money(12345n, from), to);
            const cross = freshCross(table, day, from, to);
            if (!cross.ok) {
              expect(converted).toEqual(cross);
              continue;
            }
            const wire = encodeWireRate(cross.value.rate);
            if (!wire.ok) throw new Error('unencodable test rate');
            expect(converted).toEqual({
              ok: true,
              value: {
                billingAmount: convert(money(12345n, from), wire.value.rate, to, roundHalfUp),
                rate: wire.value.rate,
                field10: wire.value.field10,
                exactRate: cross.value.rate,
                publishedOn: cross.value.publishedOn,
              },
            });
          }
        }
      }
    }
  });

  it('keeps each table apart: another table with the same days has its own rates', () => {
    const other = parseRateTable(
      TABLE_TEXT.replace('USD: "1.1600"', 'USD: "1.5000"'),
      'config/fx/other.yaml',
    );
    const ours = crossRate(table, '2026-11-20', 'EUR', 'USD');
    const theirs = crossRate(other, '2026-11-20', 'EUR', 'USD');
    expect(ours.ok && ours.value.rate.toString()).toBe('1.16');
    expect(theirs.ok && theirs.value.rate.toString()).toBe('1.5');
    expect(crossRate(table, '2026-11-20', 'EUR', 'USD')).toBe(ours);
  });

  it('hands out frozen results, so a caller cannot change what the next one gets', () => {
    const cross = crossRate(table, '2026-11-20', 'USD', 'GBP');
    expect(Object.isFrozen(cross)).toBe(true);
    expect(cross.ok && Object.isFrozen(cross.value)).toBe(true);
    const missing = crossRate(table, '2026-11-19', 'USD', 'GBP');
    expect(Object.isFrozen(missing) && !missing.ok && Object.isFrozen(missing.error)).toBe(true);
  });
});
