import { CurrencyCode, money } from '@lib/money';
import { AccountRecord, accountToHash } from '@lib/store';
import type { AccountState } from '../shared/account-state';
import { specCatalogue, specProgram } from '../shared/spec-catalogue';
import { HttpLoadMethod } from './load-funds.command';
import { decideLoad } from './plan-load';

const NOW = Date.parse('2026-11-22T10:00:00Z'); // Sunday 22 November 2026, 11:00 in Paris
const DAY = '2026-11-22';
const rates = specCatalogue().rates;

function stateOf(
  programId: string,
  options: { loadCount?: number; balances?: Record<string, string>; status?: AccountRecord['status'] } = {},
): AccountState {
  const account: AccountRecord = {
    accountId: 'acc_spec',
    program: programId,
    status: options.status ?? 'active',
    version: 1,
    billing: 'none',
    openedAt: NOW - 86_400_000,
    homeCurrency: 'EUR',
    holderName: 'Spec',
    holderEmail: 'spec@example.org',
    loadCount: options.loadCount ?? 1,
  };
  return {
    account,
    accountHash: accountToHash(account),
    balances: options.balances ?? { 'EUR:ledger': '0', 'EUR:avail': '0' },
    storedAnswer: null,
  };
}

function load(
  programId: string,
  minor: number,
  method: HttpLoadMethod = 'sepa-transfer',
  options: Parameters<typeof stateOf>[1] & {
    counters?: Record<string, number>;
    currency?: CurrencyCode;
  } = {},
) {
  return decideLoad({
    program: specProgram(programId),
    state: stateOf(programId, options),
    command: { amount: money(BigInt(minor), options.currency ?? 'EUR'), method },
    counters: new Map(Object.entries(options.counters ?? {}).map(([key, value]) => [key, BigInt(value)])),
    nowMs: NOW,
    rates,
    loadId: 'load_spec',
    eventId: 'evt-spec',
  });
}

/** The refusal reason, or 'ok'. */
function verdict(result: ReturnType<typeof load>): string {
  return result.ok ? 'ok' : result.error.code === 'load-limit' ? result.error.reason : result.error.code;
}

const eur = (minor: number) => ({ minor: String(minor), currency: 'EUR' });

describe('decideLoad: eur-standard (seed 004 annex, "Accès gratuit")', () => {
  it.each([
    [
      'first load by P2P',
      load('eur-standard', 5000, 'p2p', { loadCount: 0 }),
      'first-load-method-not-allowed',
    ],
    [
      'first load by card',
      load('eur-standard', 5000, 'card', { loadCount: 0 }),
      'first-load-method-not-allowed',
    ],
    [
      'first load 9.99',
      load('eur-standard', 999, 'sepa-transfer', { loadCount: 0 }),
      'below-first-load-minimum',
    ],
    ['first load 10.00', load('eur-standard', 1000, 'sepa-transfer', { loadCount: 0 }), 'ok'],
    ['first load 1,500.00', load('eur-standard', 150000, 'sepa-transfer', { loadCount: 0 }), 'ok'],
    [
      'first load 1,500.01',
      load('eur-standard', 150001, 'sepa-transfer', { loadCount: 0 }),
      'above-first-load-maximum',
    ],
    ['later load 0.01 by P2P', load('eur-standard', 1, 'p2p'), 'ok'],
    ['load 2,000.00', load('eur-standard', 200000), 'ok'],
    ['load 2,000.01', load('eur-standard', 200001), 'above-maximum-load'],
    [
      '5th load of the day',
      load('eur-standard', 100, 'p2p', { counters: { [`loads.count.day:${DAY}`]: 4 } }),
      'ok',
    ],
    [
      '6th load of the day',
      load('eur-standard', 100, 'p2p', { counters: { [`loads.count.day:${DAY}`]: 5 } }),
      'load-count-per-day-exceeded',
    ],
    [
      '3rd card load of the day',
      load('eur-standard', 1000, 'card', { counters: { [`card-loads.count.day:${DAY}`]: 2 } }),
      'ok',
    ],
    [
      '4th card load of the day',
      load('eur-standard', 1000, 'card', { counters: { [`card-loads.count.day:${DAY}`]: 3 } }),
      'card-load-count-per-day-exceeded',
    ],
    [
      'a SEPA load after 3 card loads',
      load('eur-standard', 1000, 'sepa-transfer', { counters: { [`card-loads.count.day:${DAY}`]: 3 } }),
      'ok',
    ],
    [
      'card loads up to 500.00 a day',
      load('eur-standard', 10000, 'card', { counters: { [`card-loads.amount.day:${DAY}`]: 40000 } }),
      'ok',
    ],
    [
      'card loads above 500.00 a day',
      load('eur-standard', 10001, 'card', { counters: { [`card-loads.amount.day:${DAY}`]: 40000 } }),
      'card-load-amount-per-day-exceeded',
    ],
    [
      'loads up to 3,000.00 a day',
      load('eur-standard', 10000, 'sepa-transfer', { counters: { [`loads.amount.day:${DAY}`]: 290000 } }),
      'ok',
    ],
    [
      'loads above 3,000.00 a day',
      load('eur-standard', 10001, 'sepa-transfer', { counters: { [`loads.amount.day:${DAY}`]: 290000 } }),
      'load-amount-per-day-exceeded',
    ],
    [
      'loads up to 3,000.00 a month',
      load('eur-standard', 10000, 'sepa-transfer', { counters: { 'loads.amount.month:2026-11': 290000 } }),
      'ok',
    ],
    [
      'loads above 3,000.00 a month',
      load('eur-standard', 10001, 'sepa-transfer', { counters: { 'loads.amount.month:2026-11': 290000 } }),
      'load-amount-per-month-exceeded',
    ],
    [
      'loads up to 36,000.00 a year',
      load('eur-standard', 10000, 'sepa-transfer', { counters: { 'loads.amount.year:2026': 3590000 } }),
      'ok',
    ],
    [
      'loads above 36,000.00 a year',
      load('eur-standard', 10001, 'sepa-transfer', { counters: { 'loads.amount.year:2026': 3590000 } }),
      'load-amount-per-year-exceeded',
    ],
    [
      'a balance of 3,000.00',
      load('eur-standard', 10000, 'sepa-transfer', {
        balances: { 'EUR:ledger': '290000', 'EUR:avail': '290000' },
      }),
      'ok',
    ],
    [
      'a balance above 3,000.00',
      load('eur-standard', 10001, 'sepa-transfer', {
        balances: { 'EUR:ledger': '290000', 'EUR:avail': '290000' },
      }),
      'max-balance-exceeded',
    ],
    [
      'a load on a closed account',
      load('eur-standard', 1000, 'sepa-transfer', { status: 'closed' }),
      'account-state',
    ],
    [
      'a load on a blocked account',
      load('eur-standard', 1000, 'sepa-transfer', { status: 'blocked' }),
      'account-state',
    ],
    [
      'a load in USD on an EUR account',
      load('eur-standard', 1000, 'sepa-transfer', { currency: 'USD' }),
      'currency-not-held',
    ],
  ])('%s: %s', (_name, result, expected) => {
    expect(verdict(result)).toBe(expected);
  });

  it('names the limit a refused load ran into, counts as integers and amounts as money', () => {
    expect(load('eur-standard', 100, 'p2p', { counters: { [`loads.count.day:${DAY}`]: 5 } })).toEqual({
      ok: false,
      error: {
        code: 'load-limit',
        reason: 'load-count-per-day-exceeded',
        limit: { name: 'loads.perDay.count', value: 5 },
      },
    });
    expect(
      load('eur-standard', 10001, 'sepa-transfer', { counters: { [`loads.amount.day:${DAY}`]: 290000 } }),
    ).toEqual({
      ok: false,
      error: {
        code: 'load-limit',
        reason: 'load-amount-per-day-exceeded',
        limit: { name: 'loads.perDay.amount', value: eur(300000) },
      },
    });
    expect(load('eur-standard', 5000, 'card', { loadCount: 0 })).toEqual({
      ok: false,
      error: {
        code: 'load-limit',
        reason: 'first-load-method-not-allowed',
        limit: { name: 'loads.firstLoad.methods', value: ['sepa-transfer'] },
      },
    });
    expect(load('eur-standard', 150001, 'sepa-transfer', { loadCount: 0 })).toMatchObject({
      error: { limit: { name: 'loads.firstLoad.max', value: eur(150000) } },
    });
    expect(
      load('eur-standard', 10001, 'sepa-transfer', {
        balances: { 'EUR:ledger': '290000', 'EUR:avail': '290000' },
      }),
    ).toMatchObject({ error: { limit: { name: 'loads.maxBalance', value: eur(300000) } } });
  });

  it('repays a negative balance first: the load adds to the ledger whatever its sign', () => {
    const result = load('eur-standard', 10000, 'sepa-transfer', {
      balances: { 'EUR:ledger': '-2500', 'EUR:avail': '-4000' },
    });
    expect(result.ok && result.value.receipt.balances).toEqual({ ledger: eur(7500), available: eur(6000) });
  });

  it('takes the debit-card load fee (0.50) from the load and counts the amount per method and month', () => {
    const result = load('eur-standard', 10000, 'card');
    expect(result.ok && result.value.receipt).toEqual({
      loadId: 'load_spec',
      accountId: 'acc_spec',
      amount: eur(10000),
      method: 'card',
      fees: [{ type: 'load', amount: eur(50) }],
      balances: { ledger: eur(9950), available: eur(9950) },
    });
    expect(result.ok && result.value.netMinor).toBe(9950n);
    expect(result.ok && result.value.counters.map((c) => [c.key, c.increment, c.limit])).toEqual([
      [`loads.count.day:${DAY}`, 1n, 5n],
      [`card-loads.count.day:${DAY}`, 1n, 3n],
      [`loads.amount.day:${DAY}`, 10000n, 300000n],
      [`card-loads.amount.day:${DAY}`, 10000n, 50000n],
      ['loads.amount.month:2026-11', 10000n, 300000n],
      ['loads.amount.year:2026', 10000n, 3600000n],
      ['loads.card-debit.amount.month:2026-11', 10000n, null],
    ]);
    expect(verdict(load('eur-standard', 50, 'card'))).toBe('amount-below-fee');
    expect(verdict(load('eur-standard', 51, 'card'))).toBe('ok');
  });

  it('describes the load in an account.loaded event with the balances after', () => {
    const result = load('eur-standard', 2500, 'sepa-transfer', {
      balances: { 'EUR:ledger': '1000', 'EUR:avail': '800' },
    });
    expect(result.ok && result.value.event).toEqual({
      schemaVersion: 1,
      eventId: 'evt-spec',
      type: 'account.loaded',
      occurredAt: '2026-11-22T10:00:00.000Z',
      accountId: 'acc_spec',
      loadId: 'load_spec',
      amount: eur(2500),
      method: 'sepa-transfer',
      fees: [],
      balances: { ledger: eur(3500), available: eur(3300) },
    });
  });
});

describe('decideLoad: eur-premium (seed 004 annex, "Offre Premium")', () => {
  it.each([
    ['first load 3,000.00', load('eur-premium', 300000, 'sepa-transfer', { loadCount: 0 }), 'ok'],
    [
      'first load 3,000.01',
      load('eur-premium', 300001, 'sepa-transfer', { loadCount: 0 }),
      'above-first-load-maximum',
    ],
    [
      'first load 9.99',
      load('eur-premium', 999, 'sepa-transfer', { loadCount: 0 }),
      'below-first-load-minimum',
    ],
    ['load 3,000.00', load('eur-premium', 300000), 'ok'],
    ['load 3,000.01', load('eur-premium', 300001), 'above-maximum-load'],
    [
      'loads up to 9,000.00 a day',
      load('eur-premium', 10000, 'sepa-transfer', { counters: { [`loads.amount.day:${DAY}`]: 890000 } }),
      'ok',
    ],
    [
      'loads above 9,000.00 a day',
      load('eur-premium', 10001, 'sepa-transfer', { counters: { [`loads.amount.day:${DAY}`]: 890000 } }),
      'load-amount-per-day-exceeded',
    ],
    [
      'loads up to 10,000.00 a month',
      load('eur-premium', 10000, 'sepa-transfer', { counters: { 'loads.amount.month:2026-11': 990000 } }),
      'ok',
    ],
    [
      'loads above 10,000.00 a month',
      load('eur-premium', 10001, 'sepa-transfer', { counters: { 'loads.amount.month:2026-11': 990000 } }),
      'load-amount-per-month-exceeded',
    ],
    [
      'loads up to 96,000.00 a year',
      load('eur-premium', 10000, 'sepa-transfer', { counters: { 'loads.amount.year:2026': 9590000 } }),
      'ok',
    ],
    [
      'loads above 96,000.00 a year',
      load('eur-premium', 10001, 'sepa-transfer', { counters: { 'loads.amount.year:2026': 9590000 } }),
      'load-amount-per-year-exceeded',
    ],
    [
      'a balance of 10,000.00',
      load('eur-premium', 10000, 'sepa-transfer', {
        balances: { 'EUR:ledger': '990000', 'EUR:avail': '990000' },
      }),
      'ok',
    ],
    [
      'a balance above 10,000.00',
      load('eur-premium', 10001, 'sepa-transfer', {
        balances: { 'EUR:ledger': '990000', 'EUR:avail': '990000' },
      }),
      'max-balance-exceeded',
    ],
    [
      '6th load of the day',
      load('eur-premium', 100, 'p2p', { counters: { [`loads.count.day:${DAY}`]: 5 } }),
      'load-count-per-day-exceeded',
    ],
    [
      '4th card load of the day',
      load('eur-premium', 1000, 'card', { counters: { [`card-loads.count.day:${DAY}`]: 3 } }),
      'card-load-count-per-day-exceeded',
    ],
  ])('%s: %s', (_name, result, expected) => {
    expect(verdict(result)).toBe(expected);
  });
});

describe('decideLoad: travel-multicurrency (seed 002 annex 1)', () => {
  it.each([
    [
      'a first load by card (no first-load rule)',
      load('travel-multicurrency', 5000, 'card', { loadCount: 0 }),
      'ok',
    ],
    ['14.99 EUR', load('travel-multicurrency', 1499), 'below-minimum-load'],
    ['15.00 EUR', load('travel-multicurrency', 1500), 'ok'],
    [
      '9.99 GBP (own minimum 10 GBP)',
      load('travel-multicurrency', 999, 'sepa-transfer', { currency: 'GBP' }),
      'below-minimum-load',
    ],
    ['10.00 GBP', load('travel-multicurrency', 1000, 'sepa-transfer', { currency: 'GBP' }), 'ok'],
    ['3,500.00 EUR', load('travel-multicurrency', 350000), 'ok'],
    ['3,500.01 EUR', load('travel-multicurrency', 350001), 'above-maximum-load'],
    [
      '5th load of the day',
      load('travel-multicurrency', 2000, 'p2p', { counters: { [`loads.count.day:${DAY}`]: 4 } }),
      'ok',
    ],
    [
      '6th load of the day',
      load('travel-multicurrency', 2000, 'p2p', { counters: { [`loads.count.day:${DAY}`]: 5 } }),
      'load-count-per-day-exceeded',
    ],
    [
      '4th card load of the day (no card count limit)',
      load('travel-multicurrency', 2000, 'card', { counters: { [`card-loads.count.day:${DAY}`]: 3 } }),
      'ok',
    ],
    [
      'loads up to 14,000.00 a year',
      load('travel-multicurrency', 10000, 'sepa-transfer', {
        counters: { 'loads.amount.year:2026': 1390000 },
      }),
      'ok',
    ],
    [
      'loads above 14,000.00 a year',
      load('travel-multicurrency', 10001, 'sepa-transfer', {
        counters: { 'loads.amount.year:2026': 1390000 },
      }),
      'load-amount-per-year-exceeded',
    ],
    [
      'a consolidated balance of 7,000.00',
      load('travel-multicurrency', 50000, 'sepa-transfer', {
        balances: { 'EUR:ledger': '650000', 'EUR:avail': '650000' },
      }),
      'ok',
    ],
    [
      'a consolidated balance above 7,000.00',
      load('travel-multicurrency', 50001, 'sepa-transfer', {
        balances: { 'EUR:ledger': '650000', 'EUR:avail': '650000' },
      }),
      'max-balance-exceeded',
    ],
    [
      'a consolidated balance above 7,000.00 counting the GBP wallet',
      load('travel-multicurrency', 50000, 'sepa-transfer', {
        balances: { 'EUR:ledger': '650000', 'EUR:avail': '650000', 'GBP:ledger': '100', 'GBP:avail': '100' },
      }),
      'max-balance-exceeded',
    ],
    [
      'a load in a currency the program does not hold',
      load('travel-multicurrency', 5000, 'sepa-transfer', { currency: 'BRL' }),
      'currency-not-held',
    ],
  ])('%s: %s', (_name, result, expected) => {
    expect(verdict(result)).toBe(expected);
  });

  it('funds the wallet of the load currency, with no load fee, and measures limits in EUR', () => {
    const result = load('travel-multicurrency', 2000, 'card', { currency: 'USD' });
    expect(result.ok && result.value.wallet).toBe('USD');
    expect(result.ok && result.value.receipt.balances).toEqual({
      ledger: { minor: '2000', currency: 'USD' },
      available: { minor: '2000', currency: 'USD' },
    });
    expect(result.ok && result.value.receipt.fees).toEqual([]);
    const yearCounter = result.ok
      ? result.value.counters.find((c) => c.key === 'loads.amount.year:2026')
      : undefined;
    // 20.00 USD is less than 20.00 EUR at any plausible reference rate, and more than 0.
    expect(yearCounter && yearCounter.increment > 0n && yearCounter.increment < 2000n).toBe(true);
  });

  it('names the per-currency minimum a refused load ran into', () => {
    expect(load('travel-multicurrency', 999, 'sepa-transfer', { currency: 'GBP' })).toMatchObject({
      error: {
        reason: 'below-minimum-load',
        limit: { name: 'loads.minimumByCurrency.GBP', value: { minor: '1000', currency: 'GBP' } },
      },
    });
    expect(load('travel-multicurrency', 5000, 'sepa-transfer', { currency: 'BRL' })).toMatchObject({
      error: { limit: { name: 'wallets', value: expect.arrayContaining(['EUR', 'GBP', 'USD']) } },
    });
  });
});
