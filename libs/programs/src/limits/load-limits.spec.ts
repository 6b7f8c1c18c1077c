import { CurrencyCode, Money, money } from '@lib/money';
import { LoadMethod } from '../program';
import { LoadDeclineReason, checkLoad, loadCountersFor } from './load-limits';
import { amount, at, catalogue, eur, program } from '../spec-helpers';

const NOW = at('2026-11-18T12:00:00+01:00');
type Id = 'eur-standard' | 'eur-premium' | 'travel-multicurrency';

function decide(
  id: Id,
  load: { amount: Money; method?: LoadMethod; first?: boolean },
  counters: Record<string, bigint> = {},
  balances: Money[] = [eur('0')],
) {
  const result = checkLoad(
    program(id),
    { amount: load.amount, method: load.method ?? 'sepa-transfer', isFirstLoad: load.first ?? false },
    (key) => counters[key] ?? 0n,
    balances,
    NOW,
    catalogue().rates,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value.allowed ? 'allowed' : LoadDeclineReason[result.value.reason];
}

const A004 = 'seed 004 annex "Limites de chargement"';
const A002 = 'seed 002 annex 1 "Limites de recharge"';
const D = '2026-11-18';

describe('load limit tables: at, just under and just over', () => {
  it.each([
    // [cite, program, request, counters, balances, expected]
    [
      `${A004}, "Chargement initial minimum": 10 €`,
      'eur-standard',
      { amount: eur('9.99'), first: true },
      {},
      'BelowFirstLoadMinimum',
    ],
    [
      `${A004}, "Chargement initial minimum": 10 € (at)`,
      'eur-standard',
      { amount: eur('10.00'), first: true },
      {},
      'allowed',
    ],
    [
      `${A004}, "Chargement initial maximum": 1 500 € (at)`,
      'eur-standard',
      { amount: eur('1500.00'), first: true },
      {},
      'allowed',
    ],
    [
      `${A004}, "Chargement initial maximum": 1 500 € (over)`,
      'eur-standard',
      { amount: eur('1500.01'), first: true },
      {},
      'AboveFirstLoadMaximum',
    ],
    [
      `${A004}, "Chargement initial maximum" (Premium): 3 000 € (at)`,
      'eur-premium',
      { amount: eur('3000.00'), first: true },
      {},
      'allowed',
    ],
    [
      `${A004}, "Chargement initial maximum" (Premium): 3 000 € (over)`,
      'eur-premium',
      { amount: eur('3000.01'), first: true },
      {},
      'AboveFirstLoadMaximum',
    ],
    [
      'seed 004 clause 4.3: the first load must be a SEPA transfer',
      'eur-standard',
      { amount: eur('50.00'), first: true, method: 'card-debit' },
      {},
      'FirstLoadMethodNotAllowed',
    ],
    [
      `${A004}, "Montant de rechargement minimum": 0,01 €`,
      'eur-standard',
      { amount: eur('0.01') },
      {},
      'allowed',
    ],
    [
      `${A004}, "Montant de rechargement minimum": 0,01 € (0 refused)`,
      'eur-standard',
      { amount: eur('0') },
      {},
      'BelowMinimumLoad',
    ],
    [
      `${A004}, "Montant de rechargement maximum": 2 000 € (at)`,
      'eur-standard',
      { amount: eur('2000.00') },
      {},
      'allowed',
    ],
    [
      `${A004}, "Montant de rechargement maximum": 2 000 € (over)`,
      'eur-standard',
      { amount: eur('2000.01') },
      {},
      'AboveMaximumLoad',
    ],
    [
      `${A004}, "Montant de rechargement maximum" (Premium): 3 000 € (over)`,
      'eur-premium',
      { amount: eur('3000.01') },
      {},
      'AboveMaximumLoad',
    ],
    [
      `${A004}, "Nb de chargements maximum par jour": 5 (5th)`,
      'eur-standard',
      { amount: eur('1.00') },
      { [`loads.count.day:${D}`]: 4n },
      'allowed',
    ],
    [
      `${A004}, "Nb de chargements maximum par jour": 5 (6th)`,
      'eur-standard',
      { amount: eur('1.00') },
      { [`loads.count.day:${D}`]: 5n },
      'LoadCountPerDayExceeded',
    ],
    [
      `${A004}, "Nb de chargements par carte maximum par jour": 3 (3rd)`,
      'eur-premium',
      { amount: eur('1.00'), method: 'card-debit' },
      { [`card-loads.count.day:${D}`]: 2n },
      'allowed',
    ],
    [
      `${A004}, "Nb de chargements par carte maximum par jour": 3 (4th)`,
      'eur-premium',
      { amount: eur('1.00'), method: 'card-credit' },
      { [`card-loads.count.day:${D}`]: 3n },
      'CardLoadCountPerDayExceeded',
    ],
    [
      `${A004}, "Nb de chargements par carte": SEPA loads do not count`,
      'eur-premium',
      { amount: eur('1.00') },
      { [`card-loads.count.day:${D}`]: 3n },
      'allowed',
    ],
    [
      `${A004}, "Montant de rechargement maximum par jour": 3 000 € (at)`,
      'eur-standard',
      { amount: eur('1000.00') },
      { [`loads.amount.day:${D}`]: 200000n },
      'allowed',
    ],
    [
      `${A004}, "Montant de rechargement maximum par jour": 3 000 € (over)`,
      'eur-standard',
      { amount: eur('1000.01') },
      { [`loads.amount.day:${D}`]: 200000n },
      'LoadAmountPerDayExceeded',
    ],
    [
      `${A004}, "Montant de rechargement maximum par jour" (Premium): 9 000 € (over)`,
      'eur-premium',
      { amount: eur('0.01') },
      { [`loads.amount.day:${D}`]: 900000n },
      'LoadAmountPerDayExceeded',
    ],
    [
      `${A004}, "Montant de rechargement par carte maximum par jour": 500 € (at)`,
      'eur-standard',
      { amount: eur('100.00'), method: 'card-debit' },
      { [`card-loads.amount.day:${D}`]: 40000n },
      'allowed',
    ],
    [
      `${A004}, "Montant de rechargement par carte maximum par jour": 500 € (over)`,
      'eur-standard',
      { amount: eur('100.01'), method: 'card-debit' },
      { [`card-loads.amount.day:${D}`]: 40000n },
      'CardLoadAmountPerDayExceeded',
    ],
    [
      `${A004}, "Montant de rechargement maximum par mois": 3 000 € (at)`,
      'eur-standard',
      { amount: eur('10.00') },
      { 'loads.amount.month:2026-11': 299000n },
      'allowed',
    ],
    [
      `${A004}, "Montant de rechargement maximum par mois": 3 000 € (over)`,
      'eur-standard',
      { amount: eur('10.01') },
      { 'loads.amount.month:2026-11': 299000n },
      'LoadAmountPerMonthExceeded',
    ],
    [
      `${A004}, "Montant de rechargement maximum par mois" (Premium): 10 000 € (over)`,
      'eur-premium',
      { amount: eur('0.01') },
      { 'loads.amount.month:2026-11': 1000000n },
      'LoadAmountPerMonthExceeded',
    ],
    [
      `${A004}, "Rechargements maximum cumulés par an": 36 000 € (at)`,
      'eur-standard',
      { amount: eur('10.00') },
      { 'loads.amount.year:2026': 3599000n },
      'allowed',
    ],
    [
      `${A004}, "Rechargements maximum cumulés par an": 36 000 € (over)`,
      'eur-standard',
      { amount: eur('10.01') },
      { 'loads.amount.year:2026': 3599000n },
      'LoadAmountPerYearExceeded',
    ],
    [
      `${A004}, "Rechargements maximum cumulés par an" (Premium): 96 000 € (over)`,
      'eur-premium',
      { amount: eur('0.01') },
      { 'loads.amount.year:2026': 9600000n },
      'LoadAmountPerYearExceeded',
    ],
    [
      `${A002}, "Montant minimum de recharge": 15€ (under)`,
      'travel-multicurrency',
      { amount: eur('14.99') },
      {},
      'BelowMinimumLoad',
    ],
    [
      `${A002}, "Montant minimum de recharge": 15€ (at)`,
      'travel-multicurrency',
      { amount: eur('15.00') },
      {},
      'allowed',
    ],
    [
      `${A002}, "Montant minimum de recharge": £10 (under)`,
      'travel-multicurrency',
      { amount: amount('9.99', 'GBP') },
      {},
      'BelowMinimumLoad',
    ],
    [
      `${A002}, "Montant minimum de recharge": £10 (at)`,
      'travel-multicurrency',
      { amount: amount('10.00', 'GBP') },
      {},
      'allowed',
    ],
    [
      `${A002}, "Montant minimum de recharge": NKr100 (under)`,
      'travel-multicurrency',
      { amount: amount('99.99', 'NOK') },
      {},
      'BelowMinimumLoad',
    ],
    [
      `${A002}, "Montant minimum de recharge": SKr100 (at)`,
      'travel-multicurrency',
      { amount: amount('100.00', 'SEK') },
      {},
      'allowed',
    ],
    [
      `${A002}, "Montant minimum de recharge": DKr100 (under)`,
      'travel-multicurrency',
      { amount: amount('99.99', 'DKK') },
      {},
      'BelowMinimumLoad',
    ],
    [
      `${A002}, "Recharge maximale unique": 3,500€ (at)`,
      'travel-multicurrency',
      { amount: eur('3500.00') },
      {},
      'allowed',
    ],
    [
      `${A002}, "Recharge maximale unique": 3,500€ (over)`,
      'travel-multicurrency',
      { amount: eur('3500.01') },
      {},
      'AboveMaximumLoad',
    ],
    [
      `${A002}, "Nombre recharges par jour": 5 (5th)`,
      'travel-multicurrency',
      { amount: eur('20.00') },
      { [`loads.count.day:${D}`]: 4n },
      'allowed',
    ],
    [
      `${A002}, "Nombre recharges par jour": 5 (6th)`,
      'travel-multicurrency',
      { amount: eur('20.00') },
      { [`loads.count.day:${D}`]: 5n },
      'LoadCountPerDayExceeded',
    ],
    [
      `${A002}, "Montant maximum de recharges par an": 14,000€ (at)`,
      'travel-multicurrency',
      { amount: eur('20.00') },
      { 'loads.amount.year:2026': 1398000n },
      'allowed',
    ],
    [
      `${A002}, "Montant maximum de recharges par an": 14,000€ (over)`,
      'travel-multicurrency',
      { amount: eur('20.01') },
      { 'loads.amount.year:2026': 1398000n },
      'LoadAmountPerYearExceeded',
    ],
    [
      'a load in a currency the program does not hold',
      'travel-multicurrency',
      { amount: amount('100.00', 'MXN') },
      {},
      'CurrencyNotHeld',
    ],
  ] as const)('%s', (_cite, id, load, counters, expected) => {
    expect(decide(id, load, counters)).toBe(expected);
  });

  it.each([
    ['eur-standard', '2999.99', '0.01', 'allowed', `${A004}, "Solde maximum autorisé": 3 000 € (at)`],
    [
      'eur-standard',
      '2999.99',
      '0.02',
      'MaxBalanceExceeded',
      `${A004}, "Solde maximum autorisé": 3 000 € (over)`,
    ],
    [
      'eur-premium',
      '9999.99',
      '0.01',
      'allowed',
      `${A004}, "Solde maximum autorisé" (Premium): 10 000 € (at)`,
    ],
    [
      'eur-premium',
      '9999.99',
      '0.02',
      'MaxBalanceExceeded',
      `${A004}, "Solde maximum autorisé" (Premium): 10 000 € (over)`,
    ],
    [
      'travel-multicurrency',
      '6985.00',
      '15.00',
      'allowed',
      `${A002}, "Solde de bilan consolidé maximum": 7,000€ (at)`,
    ],
    [
      'travel-multicurrency',
      '6985.01',
      '15.00',
      'MaxBalanceExceeded',
      `${A002}, "Solde de bilan consolidé maximum": 7,000€ (over)`,
    ],
  ] as const)('%s: balance %s + load %s -> %s (%s)', (id, balance, load, expected, _cite) => {
    expect(decide(id as Id, { amount: eur(load) }, {}, [eur(balance)])).toBe(expected);
  });

  it('consolidates every travel wallet in EUR; a negative wallet lowers the balance (repaid first)', () => {
    const gbpPerEur = catalogue()
      .rates.days.find((d) => d.day === D)!
      .rates.get('GBP')!;
    const gbp1000InEur = BigInt(gbpPerEur.pow(-1).mul(100000).toDecimalPlaces(0, 4).toString());
    const eurLeft = money(700000n - gbp1000InEur - 1500n, 'EUR');
    const wallets = (e: Money): Money[] => [e, amount('1000.00', 'GBP')];
    expect(decide('travel-multicurrency', { amount: eur('15.00') }, {}, wallets(eurLeft))).toBe('allowed');
    expect(
      decide(
        'travel-multicurrency',
        { amount: eur('15.00') },
        {},
        wallets(money(eurLeft.amountMinor + 1n, 'EUR')),
      ),
    ).toBe('MaxBalanceExceeded');
    expect(decide('eur-standard', { amount: eur('2000.00') }, {}, [eur('-1500.00'), eur('2400.00')])).toBe(
      'allowed',
    );
  });

  it('caps the balance after the load net of its own fee (the fee never reaches the balance)', () => {
    const standard = program('eur-standard');
    const check = (fee?: Money) =>
      checkLoad(standard, { amount: eur('1.00'), method: 'card-debit', isFirstLoad: false }, () => 0n, [eur('2999.50')], NOW, catalogue().rates, fee);
    const allowed = (fee?: Money) => {
      const result = check(fee);
      return result.ok && result.value.allowed;
    };
    expect(allowed()).toBe(false);
    expect(allowed(eur('0.50'))).toBe(true);
    expect(allowed(eur('0.49'))).toBe(false);
  });

  it('names the load counters and their expiries', () => {
    const plan = loadCountersFor(
      program('eur-standard'),
      { amount: eur('100.00'), method: 'card-credit', isFirstLoad: false },
      NOW,
      catalogue().rates,
    );
    expect(plan.ok && plan.value.moves.map((m) => m.key)).toEqual([
      `loads.count.day:${D}`,
      `card-loads.count.day:${D}`,
      `loads.amount.day:${D}`,
      `card-loads.amount.day:${D}`,
      'loads.amount.month:2026-11',
      'loads.amount.year:2026',
    ]);
    expect(plan.ok && plan.value.moves[5].expiresAt).toBe(at('2027-01-01T00:00:00+01:00'));
    const codes: CurrencyCode[] = program('travel-multicurrency').walletCurrencies.slice();
    expect(codes).toHaveLength(18);
  });
});
