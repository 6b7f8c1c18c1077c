/**
 * Helpers shared by the specs of @lib/programs (not part of the public API). Loads the real
 * config/ files once, so the tariff tables are tested as shipped.
 */
import { CurrencyCode, Money, money, parseMajorAmount } from '@lib/money';
import { ProgramCatalogue, buildCatalogue } from './config/catalogue';
import { readCatalogueTexts } from './load-programs';
import type { Channel, EntryMode, Program } from './program';
import type { CardTransaction, TransactionKind } from './transaction';

let cached: ProgramCatalogue | undefined;

export function catalogue(): ProgramCatalogue {
  cached ??= buildCatalogue(readCatalogueTexts(`${__dirname}/../../../config`));
  return cached;
}

export function program(id: 'eur-standard' | 'eur-premium' | 'travel-multicurrency'): Program {
  const found = catalogue().programs.get(id);
  if (found === undefined) throw new Error(`program ${id} missing`);
  return found;
}

/** "12.50" in a currency, exactly. */
export function amount<C extends CurrencyCode>(major: string, code: C): Money<C> {
  const parsed = parseMajorAmount(major, code);
  if (!parsed.ok) throw new Error(parsed.error.detail);
  return parsed.value;
}

export const eur = (major: string): Money<'EUR'> => amount(major, 'EUR');
export const minorEur = (minor: bigint): Money<'EUR'> => money(minor, 'EUR');

/** Paris wall-clock time -> instant, via an explicit UTC offset ("+01:00" winter, "+02:00" summer). */
export function at(isoWithOffset: string): number {
  const ms = Date.parse(isoWithOffset);
  if (Number.isNaN(ms)) throw new Error(`bad date ${isoWithOffset}`);
  return ms;
}

export const FRANCE = '250';
export const GERMANY = '276';
export const UNITED_KINGDOM = '826';
export const UNITED_STATES = '840';
export const MEXICO = '484';

export function txn(
  overrides: Partial<CardTransaction> & { kind?: TransactionKind; channel?: Channel; entryMode?: EntryMode },
): CardTransaction {
  return {
    kind: 'purchase',
    channel: 'pos',
    entryMode: 'chip',
    preAuthorisation: false,
    incremental: false,
    transactionAmount: eur('10.00'),
    acquirerCountry: FRANCE,
    mcc: '5411',
    ...overrides,
  };
}

export const atmTxn = (transactionAmount: Money, acquirerCountry = FRANCE): CardTransaction =>
  txn({
    kind: 'cash-withdrawal',
    channel: 'atm',
    entryMode: 'chip',
    transactionAmount,
    acquirerCountry,
    mcc: '6011',
  });

export const posTxn = (transactionAmount: Money, acquirerCountry = FRANCE): CardTransaction =>
  txn({ kind: 'purchase', channel: 'pos', transactionAmount, acquirerCountry });

export const onlineTxn = (transactionAmount: Money, acquirerCountry = FRANCE): CardTransaction =>
  txn({ kind: 'purchase', channel: 'ecommerce', entryMode: 'ecommerce', transactionAmount, acquirerCountry });
