import type { CurrencyCode } from '@lib/money';
import type { Program } from '../program';
import { RateTable, mergeRateTables, parseRateTable } from '../fx/rate-table';
import { ConfigError } from './config-reader';
import { MerchantCategoryGroups, parseMerchantCategories } from './merchant-categories';
import { parseProgram } from './parse-program';

/** Every program plus the data they share, validated together at start-up. */
export interface ProgramCatalogue {
  readonly programs: ReadonlyMap<string, Program>;
  readonly rates: RateTable;
  readonly merchantCategories: MerchantCategoryGroups;
}

/** A config file's name (as shown in errors) and content. */
export interface ConfigText {
  readonly file: string;
  readonly text: string;
}

export interface CatalogueTexts {
  readonly merchantCategories: ConfigText;
  readonly programs: readonly ConfigText[];
  readonly rates: readonly ConfigText[];
}

/**
 * Builds the catalogue from file texts (pure; load-programs.ts reads the files). Beyond each
 * file's own validation: a program's id must match its file name, and every currency a program
 * can convert (wallets, ATM fee rows, per-currency minimums) must have a reference rate.
 */
export function buildCatalogue(texts: CatalogueTexts): ProgramCatalogue {
  const merchantCategories = parseMerchantCategories(
    texts.merchantCategories.text,
    texts.merchantCategories.file,
  );
  if (texts.rates.length === 0)
    throw new ConfigError('config/fx', '', 'no reference rate file (rates-*.yaml)');
  const rates = mergeRateTables(texts.rates.map(({ text, file }) => parseRateTable(text, file)));
  const programs = new Map<string, Program>();
  for (const { file, text } of texts.programs) {
    const program = parseProgram(text, file, merchantCategories);
    const expectedId = file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
    if (program.id !== expectedId)
      throw new ConfigError(
        file,
        'id',
        `must match the file name ${JSON.stringify(expectedId)}, got ${JSON.stringify(program.id)}`,
      );
    assertRatesCover(program, rates);
    programs.set(program.id, program);
  }
  if (programs.size === 0) throw new ConfigError('config/programs', '', 'no program file (*.yaml)');
  return { programs, rates, merchantCategories };
}

function currenciesNeedingRates(program: Program): CurrencyCode[] {
  const atm = program.fees.atmWithdrawal;
  return [
    ...program.walletCurrencies,
    ...(atm?.kind === 'threshold-by-currency' ? [...atm.table.keys()] : []),
    ...program.loads.minimumByCurrency.keys(),
  ];
}

function assertRatesCover(program: Program, rates: RateTable): void {
  for (const code of currenciesNeedingRates(program)) {
    if (code !== 'EUR' && !rates.days.some((day) => day.rates.has(code))) {
      throw new ConfigError(program.sourceFile, 'wallets', `no reference rate for ${code} in config/fx`);
    }
  }
}
