import type { CurrencyCode } from '@lib/money';

/**
 * The merchants and countries the simulated network sends traffic from. Merchant ids are 15
 * alphanumeric characters (field 42), names at most 25 and cities at most 13 characters (field 43).
 */
export interface Merchant {
  readonly id: string;
  readonly name: string;
  readonly city: string;
  readonly countryAlpha: string;
  /** ISO 3166 numeric (field 19). */
  readonly countryNumeric: string;
  readonly mcc: string;
  /** Field 32 of the acquirer that sends this merchant's messages. */
  readonly acquirerId: string;
  readonly terminalId: string;
}

export const DOMESTIC_ACQUIRER = '12345678';
export const HOME_COUNTRY = { alpha: 'FR', numeric: '250' } as const;

/** Merchant groups a behaviour can name in a scenario file (`merchants: [grocery, restaurant]`). */
export const MERCHANT_CATEGORIES = [
  'grocery',
  'restaurant',
  'fuel',
  'pharmacy',
  'clothing',
  'electronics',
  'transport',
  'online-retail',
  'streaming',
  'hotel',
  'car-rental',
  'atm',
  'bnpl',
] as const;
export type MerchantCategory = (typeof MERCHANT_CATEGORIES)[number];

interface MerchantSeed {
  readonly name: string;
  readonly city: string;
}

const MCC_OF: Readonly<Record<MerchantCategory, string>> = {
  grocery: '5411',
  restaurant: '5812',
  fuel: '5541',
  pharmacy: '5912',
  clothing: '5651',
  electronics: '5732',
  transport: '4111',
  'online-retail': '5999',
  streaming: '4899',
  hotel: '7011',
  'car-rental': '7512',
  atm: '6011',
  bnpl: '5311',
};

const DOMESTIC_SEEDS: Readonly<Record<MerchantCategory, readonly MerchantSeed[]>> = {
  grocery: [
    { name: 'SUPERMARCHE PARIS', city: 'PARIS' },
    { name: 'EPICERIE DU MARCHE', city: 'LYON' },
    { name: 'HYPERMARCHE NORD', city: 'LILLE' },
  ],
  restaurant: [
    { name: 'BRASSERIE DU PORT', city: 'MARSEILLE' },
    { name: 'BISTROT DES HALLES', city: 'PARIS' },
    { name: 'PIZZERIA NAPOLI', city: 'NICE' },
  ],
  fuel: [{ name: 'STATION AUTOROUTE A6', city: 'BEAUNE' }],
  pharmacy: [{ name: 'PHARMACIE CENTRALE', city: 'BORDEAUX' }],
  clothing: [{ name: 'BOUTIQUE MODE', city: 'PARIS' }],
  electronics: [{ name: 'MULTIMEDIA CENTER', city: 'TOULOUSE' }],
  transport: [{ name: 'RESEAU TRANSPORT URBAIN', city: 'PARIS' }],
  'online-retail': [
    { name: 'LIBRAIRIE EN LIGNE', city: 'PARIS' },
    { name: 'MARKETPLACE FR', city: 'PARIS' },
  ],
  streaming: [{ name: 'STREAMING VIDEO', city: 'PARIS' }],
  hotel: [
    { name: 'HOTEL DU LAC', city: 'ANNECY' },
    { name: 'GRAND HOTEL CENTRAL', city: 'PARIS' },
  ],
  'car-rental': [{ name: 'LOCATION AUTO GARE', city: 'LYON' }],
  atm: [
    { name: 'DAB BANQUE POPULAIRE', city: 'PARIS' },
    { name: 'DAB CREDIT REGIONAL', city: 'NANTES' },
  ],
  // The buy-now-pay-later merchant of seed 000: charges instalments on the stored card.
  bnpl: [{ name: 'SEQURA*BOUTIQUE SPORT', city: 'BARCELONA' }],
};

/** A country the travel behaviours go to: its currency and the acquirer that sends its traffic. */
export interface Destination {
  readonly countryAlpha: string;
  readonly countryNumeric: string;
  readonly currency: CurrencyCode;
  readonly city: string;
  readonly acquirerId: string;
}

export const DESTINATIONS: Readonly<Record<string, Destination>> = {
  GB: { countryAlpha: 'GB', countryNumeric: '826', currency: 'GBP', city: 'LONDON', acquirerId: '44000001' },
  US: { countryAlpha: 'US', countryNumeric: '840', currency: 'USD', city: 'NEW YORK', acquirerId: '10000001' },
  CH: { countryAlpha: 'CH', countryNumeric: '756', currency: 'CHF', city: 'GENEVE', acquirerId: '41000001' },
  JP: { countryAlpha: 'JP', countryNumeric: '392', currency: 'JPY', city: 'TOKYO', acquirerId: '81000001' },
  MA: { countryAlpha: 'MA', countryNumeric: '504', currency: 'MAD', city: 'MARRAKECH', acquirerId: '21200001' },
  TH: { countryAlpha: 'TH', countryNumeric: '764', currency: 'THB', city: 'BANGKOK', acquirerId: '66000001' },
  ES: { countryAlpha: 'ES', countryNumeric: '724', currency: 'EUR', city: 'BARCELONA', acquirerId: '34000001' },
};

function merchantId(prefix: string, index: number): string {
  return (prefix.replace(/[^A-Z0-9]/g, '').slice(0, 9) + String(index).padStart(6, '0')).padEnd(15, '0').slice(0, 15);
}

function terminalId(index: number): string {
  return `T${String(index).padStart(7, '0')}`;
}

/** The home-country merchants of a category. */
export function domesticMerchants(category: MerchantCategory): Merchant[] {
  return DOMESTIC_SEEDS[category].map((seed, index) => ({
    id: category === 'bnpl' ? 'SEQURA000000001' : merchantId(`FR${category.toUpperCase()}`, index + 1),
    name: seed.name,
    city: seed.city,
    countryAlpha: category === 'bnpl' ? 'ES' : HOME_COUNTRY.alpha,
    // seQura bills from Spain but acquires in France for French cards: a domestic acquirer.
    countryNumeric: HOME_COUNTRY.numeric,
    mcc: MCC_OF[category],
    acquirerId: DOMESTIC_ACQUIRER,
    terminalId: terminalId(MERCHANT_CATEGORIES.indexOf(category) * 100 + index + 1),
  }));
}

/** A merchant of a category in a destination country. */
export function foreignMerchant(destination: Destination, category: MerchantCategory): Merchant {
  const names: Partial<Record<MerchantCategory, string>> = {
    grocery: 'CITY MARKET',
    restaurant: 'HARBOUR RESTAURANT',
    atm: 'CASH POINT',
    hotel: 'CENTRAL HOTEL',
    'car-rental': 'AIRPORT CAR RENTAL',
    transport: 'METRO TICKETS',
    'online-retail': 'ONLINE STORE',
  };
  const index = MERCHANT_CATEGORIES.indexOf(category) + 1;
  return {
    id: merchantId(`${destination.countryAlpha}${category.toUpperCase()}`, index),
    name: `${names[category] ?? 'SHOP'} ${destination.city}`.slice(0, 25),
    city: destination.city,
    countryAlpha: destination.countryAlpha,
    countryNumeric: destination.countryNumeric,
    mcc: MCC_OF[category],
    acquirerId: destination.acquirerId,
    terminalId: terminalId(9000 + index),
  };
}

/** A merchant of a restricted category (seed 004 "Transaction interdite"): 7273, dating / escort. */
export const RESTRICTED_MERCHANT: Merchant = {
  id: 'FRDATING0000001',
  name: 'RENCONTRES EN LIGNE',
  city: 'PARIS',
  countryAlpha: 'FR',
  countryNumeric: '250',
  mcc: '7273',
  acquirerId: DOMESTIC_ACQUIRER,
  terminalId: 'T0007273',
};
