import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-reader';
import { buildCatalogue } from './catalogue';
import { parseMerchantCategories } from './merchant-categories';
import { parseProgram } from './parse-program';
import { catalogue } from '../spec-helpers';

const CONFIG = join(__dirname, '../../../../config');
const FILE = 'config/programs/eur-standard.yaml';
const original = readFileSync(join(CONFIG, 'programs/eur-standard.yaml'), 'utf8');
const groups = parseMerchantCategories(
  readFileSync(join(CONFIG, 'merchant-categories.yaml'), 'utf8'),
  'config/merchant-categories.yaml',
);

function errorOf(text: string): string {
  try {
    parseProgram(text, FILE, groups);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function edit(from: string, to: string): string {
  if (!original.includes(from)) throw new Error(`fixture text not found: ${from}`);
  return original.replace(from, to);
}

describe('program validation: errors name the file, the key path and the problem', () => {
  it('parses the shipped file', () => {
    expect(parseProgram(original, FILE, groups).id).toBe('eur-standard');
  });

  it.each([
    [
      'a negative limit',
      edit('perDay: { count: 3, amount: 100 }', 'perDay: { count: 3, amount: -5 }'),
      `${FILE}: limits.atm.perDay.amount: must be >= 0, got -5`,
    ],
    [
      'a negative count',
      edit('perDay: { count: 3, amount: 100 }', 'perDay: { count: -3, amount: 100 }'),
      `${FILE}: limits.atm.perDay.count: must be >= 0, got -3`,
    ],
    [
      'a fractional count',
      edit('perDay: { count: 3, amount: 100 }', 'perDay: { count: 2.5, amount: 100 }'),
      `${FILE}: limits.atm.perDay.count: must be a whole number, got 2.5`,
    ],
    [
      'a wrong type',
      edit('perMonth: { amount: 500 }', 'perMonth: { amount: lots }'),
      `${FILE}: limits.atm.perMonth.amount: must be a number, got "lots"`,
    ],
    [
      'a list where a number is expected',
      edit('perMonth: { amount: 500 }', 'perMonth: { amount: [500] }'),
      `${FILE}: limits.atm.perMonth.amount: must be a number, got a list`,
    ],
    [
      'an unknown key',
      edit('perMonth: { amount: 500 }', 'perMonth: { amount: 500, amuont: 5 }'),
      `${FILE}: limits.atm.perMonth.amuont: unknown key (allowed: count, amount)`,
    ],
    ['an unknown top-level key', `${original}\nbonus: 1\n`, `${FILE}: bonus: unknown key`],
    [
      'an unknown currency',
      edit('accountCurrency: EUR', 'accountCurrency: EUX'),
      `${FILE}: accountCurrency: unknown currency "EUX" (ISO 4217 alpha code expected)`,
    ],
    [
      'an amount finer than the minor unit',
      edit('fixed: 1.50 }', 'fixed: 1.505 }'),
      `${FILE}: fees.atmWithdrawal.accountCurrency.fixed: EUR has 2 decimal(s), got "1.505"`,
    ],
    [
      'a percentage above 100',
      edit('fx: { percent: 2 }', 'fx: { percent: 200 }'),
      `${FILE}: fees.fx.percent: must be <= 100, got 200`,
    ],
    [
      'a missing key',
      edit('  maxBalance: 3000', '  # no max balance'),
      `${FILE}: loads.maxBalance: is required`,
    ],
    [
      'an unknown channel',
      edit('channels: [atm]', 'channels: [atm, drive-in]'),
      `${FILE}: limits.atm.channels[1]: must be one of atm, pos, ecommerce, got "drive-in"`,
    ],
    [
      'an unknown merchant group',
      edit('restricted: [restricted-default]', 'restricted: [casinos]'),
      `${FILE}: merchantCategories.restricted[0]: unknown merchant category group "casinos"`,
    ],
    [
      'a bad category code',
      edit('restricted: [restricted-default]', 'restricted: ["59"]'),
      `${FILE}: merchantCategories.restricted[0]: unknown merchant category group "59"`,
    ],
    [
      'an unknown time zone',
      edit('timeZone: Europe/Paris', 'timeZone: Europe/Pariss'),
      `${FILE}: timeZone: unknown IANA time zone "Europe/Pariss"`,
    ],
    [
      'zero hold days',
      edit('defaultDays: 7', 'defaultDays: 0'),
      `${FILE}: holds.defaultDays: must be >= 1, got 0`,
    ],
    [
      'a YAML syntax error',
      edit('wallets: [EUR]', 'wallets: [EUR'),
      `${FILE}: (root): YAML syntax error at line`,
    ],
    [
      'a duplicate key',
      edit('pin:\n', 'pin:\n  maxConsecutiveWrong: 3\n'),
      `${FILE}: (root): YAML syntax error`,
    ],
  ])('%s', (_label, text, message) => {
    expect(errorOf(text)).toContain(message);
  });

  it('requires the id to match the file name and every wallet currency to have a reference rate', () => {
    const texts = {
      merchantCategories: {
        file: 'config/merchant-categories.yaml',
        text: readFileSync(join(CONFIG, 'merchant-categories.yaml'), 'utf8'),
      },
      rates: [
        { file: 'config/fx/r.yaml', text: 'source: t\nbase: EUR\ndays:\n  "2026-11-02": { USD: "1.1" }\n' },
      ],
    };
    expect(() =>
      buildCatalogue({ ...texts, programs: [{ file: 'config/programs/other.yaml', text: original }] }),
    ).toThrow('config/programs/other.yaml: id: must match the file name "other", got "eur-standard"');
    const travel = readFileSync(join(CONFIG, 'programs/travel-multicurrency.yaml'), 'utf8');
    expect(() =>
      buildCatalogue({
        ...texts,
        programs: [{ file: 'config/programs/travel-multicurrency.yaml', text: travel }],
      }),
    ).toThrow('config/programs/travel-multicurrency.yaml: wallets: no reference rate for GBP in config/fx');
  });

  it('loads the three programs with the seed time zone, home country and wallets', () => {
    const programs = catalogue().programs;
    expect([...programs.keys()].sort()).toEqual(['eur-premium', 'eur-standard', 'travel-multicurrency']);
    for (const p of programs.values()) {
      expect(p.timeZone).toBe('Europe/Paris');
      expect(p.homeCountry).toBe('250');
      expect(p.accountCurrency).toBe('EUR');
      expect(p.restrictedCategories.map((r) => r.low)).toEqual([5967, 7273, 4829, 6051, 6211]);
    }
    expect(programs.get('travel-multicurrency')!.walletCurrencies).toEqual([
      'EUR',
      'GBP',
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
    ]);
  });
});
