import {
  CURRENCY_CODES,
  currency,
  currencyByAlpha,
  currencyByNumeric,
  exponentOf,
  isCurrencyCode,
} from './index';

describe('currency table', () => {
  it.each([
    ['EUR', '978', 2],
    ['JPY', '392', 0],
    ['KWD', '414', 3],
    ['USD', '840', 2],
    ['GBP', '826', 2],
    ['CHF', '756', 2],
    ['HUF', '348', 2],
    ['ISK', '352', 0],
    ['TND', '788', 3],
  ] as const)('%s is numeric %s with exponent %d', (code, numeric, exponent) => {
    expect(currency(code).numeric).toBe(numeric);
    expect(exponentOf(code)).toBe(exponent);
    expect(currencyByNumeric(numeric)?.code).toBe(code);
  });

  it('holds the 18 travel wallet currencies of seed 002 (annex 1, "Frais de retraits")', () => {
    const seed002 = [
      'GBP',
      'EUR',
      'USD',
      'ILS',
      'TRY',
      'NOK',
      'SEK',
      'DKK',
      'NZD',
      'PLN',
      'SGD',
      'ZAR',
      'AUD',
      'CAD',
      'CHF',
      'HKD',
      'HUF',
      'JPY',
    ];
    expect(seed002).toHaveLength(18);
    for (const code of seed002) expect(isCurrencyCode(code)).toBe(true);
  });

  it('has unique numeric codes, three-digit numerics and sane exponents', () => {
    const numerics = CURRENCY_CODES.map((c) => currency(c).numeric);
    expect(new Set(numerics).size).toBe(numerics.length);
    for (const c of CURRENCY_CODES) {
      expect(currency(c).numeric).toMatch(/^[0-9]{3}$/);
      expect([0, 2, 3]).toContain(currency(c).exponent);
    }
  });

  it('answers undefined for unknown codes', () => {
    expect(currencyByAlpha('XXX')).toBeUndefined();
    expect(currencyByAlpha('eur')).toBeUndefined();
    expect(currencyByNumeric('999')).toBeUndefined();
    expect(isCurrencyCode('EURO')).toBe(false);
  });
});
