import { AccountRecord, HoldRecord } from '@lib/store';
import { specCatalogue, specProgram } from '../shared/spec-catalogue';
import { buildAccountView, loadLimitStatuses, viewCounterKeys } from './account-view';

const NOW = Date.parse('2026-11-22T10:00:00Z');
const rates = specCatalogue().rates;
const account: AccountRecord = {
  accountId: 'acc_spec',
  program: 'eur-standard',
  status: 'active',
  version: 1,
  billing: 'monthly',
  openedAt: NOW,
  homeCurrency: 'EUR',
  holderName: 'Spec',
  holderEmail: 'spec@example.org',
  loadCount: 2,
};

function hold(holdId: string, remainingMinor: number, expiresAt: number, currency = 'EUR'): HoldRecord {
  return {
    holdId,
    transactionId: `ti-${holdId}`,
    cardId: 'card_spec',
    currency,
    amountMinor: remainingMinor,
    remainingMinor,
    feesMinor: 0,
    openedAt: NOW - 1000,
    expiresAt,
    kind: 'purchase',
  };
}

describe('account view', () => {
  it('shows wallets, open holds and every limit with its use (counts as integers, amounts as money)', () => {
    const view = buildAccountView({
      account,
      program: specProgram('eur-standard'),
      balances: { 'EUR:ledger': '50000', 'EUR:avail': '45000' },
      holds: [hold('h2', 3000, NOW + 7 * 86_400_000), hold('h1', 2000, NOW + 86_400_000)],
      counters: new Map([
        ['atm.count.day:2026-11-22', 2n],
        ['atm.amount.day:2026-11-22', 6000n],
        ['loads.count.day:2026-11-22', 1n],
        ['loads.amount.year:2026', 150000n],
      ]),
      nowMs: NOW,
      rates,
    });
    expect(view.status).toBe('active');
    expect(view.wallets).toEqual([
      {
        currency: 'EUR',
        ledger: { minor: '50000', currency: 'EUR' },
        available: { minor: '45000', currency: 'EUR' },
      },
    ]);
    expect(view.holds.map((h) => [h.holdId, h.transactionId, h.amount.minor, h.expiresAt])).toEqual([
      ['h1', 'ti-h1', '2000', '2026-11-23T10:00:00.000Z'],
      ['h2', 'ti-h2', '3000', '2026-11-29T10:00:00.000Z'],
    ]);
    const byName = new Map(view.limits.map((limit) => [limit.name, limit]));
    expect(byName.get('atm.perDay.count')).toEqual({
      name: 'atm.perDay.count',
      window: 'day',
      used: 2,
      limit: 3,
      remaining: 1,
      resetsAt: '2026-11-22T23:00:00.000Z',
    });
    expect(byName.get('atm.perDay.amount')).toEqual({
      name: 'atm.perDay.amount',
      window: 'day',
      used: { minor: '6000', currency: 'EUR' },
      limit: { minor: '10000', currency: 'EUR' },
      remaining: { minor: '4000', currency: 'EUR' },
      resetsAt: '2026-11-22T23:00:00.000Z',
    });
    expect(byName.get('loads.perDay.count')).toMatchObject({ used: 1, limit: 5, remaining: 4 });
    expect(byName.get('loads.perYear.amount')).toMatchObject({
      window: 'year',
      used: { minor: '150000' },
      remaining: { minor: '3450000' },
      resetsAt: '2026-12-31T23:00:00.000Z',
    });
    expect(byName.get('payment.perTransaction.amount')).toMatchObject({
      window: 'transaction',
      resetsAt: null,
    });
  });

  it('derives suspension from a negative home balance and hides holds past their expiry (funds back in available)', () => {
    const view = buildAccountView({
      account,
      program: specProgram('eur-standard'),
      balances: { 'EUR:ledger': '-100', 'EUR:avail': '-2600' },
      holds: [hold('expired', 2500, NOW - 1)],
      counters: new Map(),
      nowMs: NOW,
      rates,
    });
    expect(view.status).toBe('suspended');
    expect(view.holds).toEqual([]);
    expect(view.wallets[0].available).toEqual({ minor: '-100', currency: 'EUR' });
    expect(
      buildAccountView({
        account: { ...account, status: 'blocked' },
        program: specProgram('eur-standard'),
        balances: { 'EUR:ledger': '-1' },
        holds: [],
        counters: new Map(),
        nowMs: NOW,
        rates,
      }).status,
    ).toBe('blocked');
  });

  it("is suspended by the engine's rule: any wallet's available balance below zero, after due holds are released", () => {
    const view = (balances: Record<string, string>, holds = [] as ReturnType<typeof hold>[]) =>
      buildAccountView({ account: { ...account, program: 'travel-multicurrency' }, program: specProgram('travel-multicurrency'), balances, holds, counters: new Map(), nowMs: NOW, rates }).status;
    // A foreign wallet overdrawn by clearing: 05 from the engine, suspended here.
    expect(view({ 'EUR:ledger': '5000', 'EUR:avail': '5000', 'GBP:ledger': '-10', 'GBP:avail': '-10' })).toBe('suspended');
    // A stand-in advice's hold overdrew the home wallet: its ledger is still positive.
    expect(view({ 'EUR:ledger': '1000', 'EUR:avail': '-500' })).toBe('suspended');
    // The same hold past its expiry gives the money back: not suspended.
    expect(view({ 'EUR:ledger': '1000', 'EUR:avail': '-500' }, [hold('due', 1500, NOW - 1)])).toBe('active');
  });

  it('lists the home wallet and the funded wallets of a multi-currency account', () => {
    const view = buildAccountView({
      account: { ...account, program: 'travel-multicurrency' },
      program: specProgram('travel-multicurrency'),
      balances: {
        'EUR:ledger': '0',
        'EUR:avail': '0',
        'USD:ledger': '2000',
        'USD:avail': '1500',
        'GBP:ledger': '100',
        'GBP:avail': '100',
      },
      holds: [hold('usd', 500, NOW + 1000, 'USD')],
      counters: new Map([['withdrawal.amount.day:2026-11-20', 1000n]]),
      nowMs: NOW,
      rates,
    });
    expect(view.wallets.map((w) => w.currency)).toEqual(['EUR', 'GBP', 'USD']);
    expect(view.holds[0].amount).toEqual({ minor: '500', currency: 'USD' });
    // Rolling 7 days: a bucket of two days ago still counts.
    expect(view.limits.find((l) => l.name === 'withdrawal.rolling.amount')).toMatchObject({
      window: 'rolling-7d',
      used: { minor: '1000', currency: 'EUR' },
    });
  });

  it('reads the counter keys of the domain naming, spending and load limits alike', () => {
    const keys = viewCounterKeys(specProgram('eur-standard'), NOW, rates);
    expect(keys).toEqual(
      expect.arrayContaining([
        'atm.count.day:2026-11-22',
        'payment.amount.month:2026-11',
        'loads.count.day:2026-11-22',
        'card-loads.amount.day:2026-11-22',
        'loads.amount.year:2026',
      ]),
    );
    expect(
      loadLimitStatuses(specProgram('travel-multicurrency'), () => 0n, NOW, rates).map((s) => s.name),
    ).toEqual(['loads.perDay.count', 'loads.perYear.amount']);
  });
});
