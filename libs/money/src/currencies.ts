/**
 * ISO 4217 currencies known to the engine: the single source of truth for alpha code, numeric
 * code (field 49 / 51 of the network interface) and exponent (number of minor-unit digits).
 *
 * Covers the account currency of every program (EUR), the 18 wallet currencies of the travel
 * program (seed 002, annex 1, "Frais de retraits" table: GBP EUR USD ILS TRY NOK SEK DKK NZD PLN
 * SGD ZAR AUD CAD CHF HKD HUF JPY), and the other currencies the network simulator sends (every
 * currency of the reference-rate table in config/fx/). Exponents follow the ISO 4217 list
 * (e.g. HUF 2, JPY 0, KWD 3) even where cash practice differs.
 *
 * BGN is kept although Bulgaria joined the euro on 2026-01-01: late clearing and old scenario
 * files may still carry it.
 */
export const CURRENCY_TABLE = {
  AED: { numeric: '784', exponent: 2, name: 'UAE Dirham' },
  AUD: { numeric: '036', exponent: 2, name: 'Australian Dollar' },
  BGN: { numeric: '975', exponent: 2, name: 'Bulgarian Lev' },
  BHD: { numeric: '048', exponent: 3, name: 'Bahraini Dinar' },
  BRL: { numeric: '986', exponent: 2, name: 'Brazilian Real' },
  CAD: { numeric: '124', exponent: 2, name: 'Canadian Dollar' },
  CHF: { numeric: '756', exponent: 2, name: 'Swiss Franc' },
  CNY: { numeric: '156', exponent: 2, name: 'Yuan Renminbi' },
  CZK: { numeric: '203', exponent: 2, name: 'Czech Koruna' },
  DKK: { numeric: '208', exponent: 2, name: 'Danish Krone' },
  EUR: { numeric: '978', exponent: 2, name: 'Euro' },
  GBP: { numeric: '826', exponent: 2, name: 'Pound Sterling' },
  HKD: { numeric: '344', exponent: 2, name: 'Hong Kong Dollar' },
  HUF: { numeric: '348', exponent: 2, name: 'Forint' },
  IDR: { numeric: '360', exponent: 2, name: 'Rupiah' },
  ILS: { numeric: '376', exponent: 2, name: 'New Israeli Sheqel' },
  INR: { numeric: '356', exponent: 2, name: 'Indian Rupee' },
  ISK: { numeric: '352', exponent: 0, name: 'Iceland Krona' },
  JPY: { numeric: '392', exponent: 0, name: 'Yen' },
  KRW: { numeric: '410', exponent: 0, name: 'Won' },
  KWD: { numeric: '414', exponent: 3, name: 'Kuwaiti Dinar' },
  MAD: { numeric: '504', exponent: 2, name: 'Moroccan Dirham' },
  MXN: { numeric: '484', exponent: 2, name: 'Mexican Peso' },
  MYR: { numeric: '458', exponent: 2, name: 'Malaysian Ringgit' },
  NOK: { numeric: '578', exponent: 2, name: 'Norwegian Krone' },
  NZD: { numeric: '554', exponent: 2, name: 'New Zealand Dollar' },
  PHP: { numeric: '608', exponent: 2, name: 'Philippine Peso' },
  PLN: { numeric: '985', exponent: 2, name: 'Zloty' },
  RON: { numeric: '946', exponent: 2, name: 'Romanian Leu' },
  SEK: { numeric: '752', exponent: 2, name: 'Swedish Krona' },
  SGD: { numeric: '702', exponent: 2, name: 'Singapore Dollar' },
  THB: { numeric: '764', exponent: 2, name: 'Baht' },
  TND: { numeric: '788', exponent: 3, name: 'Tunisian Dinar' },
  TRY: { numeric: '949', exponent: 2, name: 'Turkish Lira' },
  USD: { numeric: '840', exponent: 2, name: 'US Dollar' },
  ZAR: { numeric: '710', exponent: 2, name: 'Rand' },
} as const satisfies Record<string, { numeric: string; exponent: number; name: string }>;

/** An ISO 4217 alpha code the engine knows. Using a literal type lets `Money<'EUR'>` exist. */
export type CurrencyCode = keyof typeof CURRENCY_TABLE;

/** One currency: alpha and numeric codes, exponent (minor-unit digits), English name. */
export interface Currency<C extends CurrencyCode = CurrencyCode> {
  readonly code: C;
  readonly numeric: string;
  readonly exponent: number;
  readonly name: string;
}

const BY_ALPHA: ReadonlyMap<string, Currency> = new Map(
  (Object.keys(CURRENCY_TABLE) as CurrencyCode[]).map((code) => [code, { code, ...CURRENCY_TABLE[code] }]),
);

const BY_NUMERIC: ReadonlyMap<string, Currency> = new Map([...BY_ALPHA.values()].map((c) => [c.numeric, c]));

/** Every known currency code, sorted. */
export const CURRENCY_CODES: readonly CurrencyCode[] = Object.freeze(
  (Object.keys(CURRENCY_TABLE) as CurrencyCode[]).slice().sort(),
);

/** Narrows an untrusted string to a known alpha code (exact, upper case). */
export function isCurrencyCode(code: string): code is CurrencyCode {
  return BY_ALPHA.has(code);
}

/** The currency of a known alpha code. */
export function currency<C extends CurrencyCode>(code: C): Currency<C> {
  const found = BY_ALPHA.get(code);
  if (found === undefined) {
    // Unreachable for a well-typed caller; a runtime string must go through currencyByAlpha.
    throw new RangeError(`unknown currency code ${String(code)}`);
  }
  return found as Currency<C>;
}

/** Look-up by alpha code (e.g. from config or JSON): undefined when unknown. */
export function currencyByAlpha(code: string): Currency | undefined {
  return BY_ALPHA.get(code);
}

/** Look-up by ISO numeric code (field 49 / 51, e.g. '978'): undefined when unknown. */
export function currencyByNumeric(numeric: string): Currency | undefined {
  return BY_NUMERIC.get(numeric);
}

/** Minor-unit digits of a currency (EUR 2, JPY 0, KWD 3). */
export function exponentOf(code: CurrencyCode): number {
  return currency(code).exponent;
}
