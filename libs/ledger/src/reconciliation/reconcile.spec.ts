import { AccountObservation, InFlight, reconcileAccount } from './reconcile';

const idle: InFlight = { consumerLag: 0, lagByTopic: {} };
const wallet = (ledgerMinor: bigint, availableMinor: bigint, openHoldsMinor: bigint) => ({ currency: 'EUR', ledgerMinor, availableMinor, openHoldsMinor });
const observe = (overrides: Partial<AccountObservation>): AccountObservation => ({ accountId: 'acc1', cache: [], ledger: new Map(), outboxBacklog: 0, ...overrides });

describe('reconciliation (clearing.md, invariant 3)', () => {
  it('finds nothing when available = ledger - open holds in both stores', () => {
    expect(reconcileAccount(observe({ cache: [wallet(10_000n, 8_750n, 1_250n)], ledger: new Map([['EUR', 10_000n]]) }), idle)).toEqual([]);
  });

  it('reports both checks with the values compared', () => {
    const differences = reconcileAccount(observe({ cache: [wallet(10_000n, 8_750n, 1_250n)], ledger: new Map([['EUR', 9_000n]]) }), idle);
    expect(differences).toEqual([
      expect.objectContaining({ check: 'ledger', cache: { minor: '10000', currency: 'EUR' }, ledger: { minor: '9000', currency: 'EUR' }, expected: { minor: '9000', currency: 'EUR' } }),
      expect.objectContaining({ check: 'available', cache: { minor: '8750', currency: 'EUR' }, openHolds: { minor: '1250', currency: 'EUR' }, expected: { minor: '7750', currency: 'EUR' } }),
    ]);
    expect(differences[0].cause).toMatch(/^unexplained/);
  });

  it('names the first cause that explains a difference', () => {
    const base = { cache: [wallet(10_000n, 10_000n, 0n)], ledger: new Map([['EUR', 9_000n]]) };
    expect(reconcileAccount(observe(base), { consumerLag: 3, lagByTopic: { 'card.authorizations': 3 } })[0].cause).toBe(
      'consumer lag: events not yet posted by settlement (card.authorizations: 3)',
    );
    expect(reconcileAccount(observe({ ...base, outboxBacklog: 2 }), idle)[0].cause).toBe('outbox: 2 event(s) of this account not yet relayed to Kafka');
    expect(reconcileAccount(observe({ cache: [wallet(9_000n, 9_500n, 0n)], ledger: new Map([['EUR', 9_000n]]) }), idle)[0].cause).toMatch(/^cache inconsistent/);
    expect(reconcileAccount(observe({ cache: [wallet(500n, 500n, 0n)] }), idle)[0].cause).toMatch(/^unposted/);
  });

  it('a wallet only the ledger knows is compared against an empty cache wallet', () => {
    const differences = reconcileAccount(observe({ ledger: new Map([['USD', 100n]]) }), idle);
    expect(differences.map((d) => [d.currency, d.check])).toEqual([
      ['USD', 'ledger'],
      ['USD', 'available'],
    ]);
  });
});
