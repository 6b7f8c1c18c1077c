import { CurrencyCode, Decimal, Result, err, ok } from '@lib/money';
import { parseDayId } from '../calendar/zoned-time';
import {
  ConfigNode,
  currencyKey,
  fail,
  parseYamlText,
  readEntries,
  readMap,
  readPositiveDecimal,
  readString,
} from '../config/config-reader';

/**
 * Reference FX rates, EUR base (ECB euro foreign exchange reference rate style): on each listed
 * day, 1 EUR = `rate` units of the currency, in major units. Days are sorted ascending. A table is
 * never changed once built (new rates make a new table): conversion.ts caches rates per table.
 */
export interface RateTable {
  readonly base: 'EUR';
  readonly source: string;
  readonly days: readonly RateDay[];
}

export interface RateDay {
  /** 'YYYY-MM-DD', the day the rates apply from. */
  readonly day: string;
  readonly rates: ReadonlyMap<CurrencyCode, Decimal>;
}

/** A reference rate with the day it was published for. */
export interface ReferenceRate {
  /** Units of the currency per 1 EUR. */
  readonly unitsPerEur: Decimal;
  readonly publishedOn: string;
}

export type FxError =
  | { readonly kind: 'no-rate-on-or-before'; readonly currency: CurrencyCode; readonly day: string }
  | { readonly kind: 'rate-not-representable'; readonly detail: string };

/**
 * The reference rate of a processing day: the latest published on or before `day`
 * ('YYYY-MM-DD', the program's local calendar day). Clearing passes its own processing day, so
 * the cleared amount can differ from the authorised one (seed 004 clause 11.3). EUR is 1.
 */
export function rateOn(table: RateTable, day: string, code: CurrencyCode): Result<ReferenceRate, FxError> {
  if (code === 'EUR') return ok({ unitsPerEur: new Decimal(1), publishedOn: day });
  for (let index = table.days.length - 1; index >= 0; index -= 1) {
    const candidate = table.days[index];
    if (candidate.day > day) continue;
    const rate = candidate.rates.get(code);
    if (rate !== undefined) return ok({ unitsPerEur: rate, publishedOn: candidate.day });
  }
  return err({ kind: 'no-rate-on-or-before', currency: code, day });
}

/** Merges several parsed files (one per month) into one table; a day listed twice is an error. */
export function mergeRateTables(tables: readonly RateTable[]): RateTable {
  const byDay = new Map<string, RateDay>();
  for (const table of tables) {
    for (const rateDay of table.days) {
      if (byDay.has(rateDay.day))
        throw new Error(`reference rates: day ${rateDay.day} is listed in two files`);
      byDay.set(rateDay.day, rateDay);
    }
  }
  const days = [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
  return { base: 'EUR', source: tables.map((t) => t.source).join('; '), days };
}

/** Parses one config/fx/rates-*.yaml file. */
export function parseRateTable(text: string, file: string): RateTable {
  const root = readMap(parseYamlText(text, file), { required: ['source', 'base', 'days'] });
  const baseNode = root.get('base')!;
  if (readString(baseNode) !== 'EUR') fail(baseNode, 'only EUR-based reference rates are supported');
  const days = readEntries(root.get('days')!).map(([day, ratesNode]) => readRateDay(day, ratesNode));
  days.sort((a, b) => (a.day < b.day ? -1 : 1));
  return { base: 'EUR', source: readString(root.get('source')!), days };
}

function readRateDay(day: string, node: ConfigNode): RateDay {
  if (parseDayId(day) === undefined)
    fail(node, `a day must be a date 'YYYY-MM-DD', got ${JSON.stringify(day)}`);
  const rates = new Map<CurrencyCode, Decimal>();
  for (const [code, rateNode] of readEntries(node)) {
    const currencyCode = currencyKey(rateNode, code);
    if (currencyCode === 'EUR') fail(rateNode, 'EUR is the base; it has no rate');
    rates.set(currencyCode, readPositiveDecimal(rateNode));
  }
  return { day, rates };
}
