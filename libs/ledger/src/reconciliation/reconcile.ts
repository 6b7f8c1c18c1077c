import type { MoneyJson } from '@lib/events';

/**
 * Reconciliation of the hot cache against the book of record (clearing.md, spec invariant 3), per
 * account and wallet, pure. Two checks:
 * - `ledger`: Redis `<CUR>:ledger` = the ledger balance in PostgreSQL;
 * - `available`: Redis `<CUR>:avail` = the ledger balance - open holds.
 * Open holds are read from Redis (`keys.holds`): a hold moves no money, so the ledger keeps it only
 * as a memo; the cache's own consistency (available = ledger - holds inside Redis) is named as a
 * cause of its own.
 *
 * Every difference carries the first cause that explains it, in this order: events not yet
 * consumed (consumer lag), events not yet relayed (the account's outbox), the cache inconsistent
 * with itself, a wallet the ledger never heard of, and otherwise "unexplained".
 */
export interface CacheWallet {
  readonly currency: string;
  readonly ledgerMinor: bigint;
  readonly availableMinor: bigint;
  readonly openHoldsMinor: bigint;
}

export interface AccountObservation {
  readonly accountId: string;
  readonly cache: readonly CacheWallet[];
  /** Ledger balance per wallet currency (absent: nothing ever posted to it). */
  readonly ledger: ReadonlyMap<string, bigint>;
  /** Events of this account decided by the gateway and not yet relayed to Kafka. */
  readonly outboxBacklog: number;
}

export interface InFlight {
  /** Messages of the consumed topics not yet processed by the settlement group. */
  readonly consumerLag: number;
  readonly lagByTopic: Readonly<Record<string, number>>;
}

export type CheckName = 'ledger' | 'available';

export interface Difference {
  readonly accountId: string;
  readonly currency: string;
  readonly check: CheckName;
  /** The cache's value under check (Redis ledger, or Redis available). */
  readonly cache: MoneyJson;
  /** The ledger balance (PostgreSQL). */
  readonly ledger: MoneyJson;
  readonly openHolds: MoneyJson;
  /** What the cache should show: the ledger balance, or the ledger balance - open holds. */
  readonly expected: MoneyJson;
  readonly cause: string;
}

function causeOf(observation: AccountObservation, wallet: CacheWallet | undefined, ledgerKnown: boolean, inFlight: InFlight): string {
  if (inFlight.consumerLag > 0) {
    const topics = Object.entries(inFlight.lagByTopic).filter(([, lag]) => lag > 0).map(([topic, lag]) => `${topic}: ${lag}`).join(', ');
    return `consumer lag: events not yet posted by settlement (${topics})`;
  }
  if (observation.outboxBacklog > 0) return `outbox: ${observation.outboxBacklog} event(s) of this account not yet relayed to Kafka`;
  if (wallet !== undefined && wallet.availableMinor !== wallet.ledgerMinor - wallet.openHoldsMinor) {
    return 'cache inconsistent: Redis available differs from Redis ledger - open holds';
  }
  if (!ledgerKnown) return 'unposted: the ledger has no entry for this wallet (a balance written to Redis without an event)';
  return 'unexplained: nothing in flight; the cache and the ledger disagree (a lost event or a posting rule to check)';
}

export function reconcileAccount(observation: AccountObservation, inFlight: InFlight): Difference[] {
  const currencies = new Set<string>([...observation.cache.map((w) => w.currency), ...observation.ledger.keys()]);
  const differences: Difference[] = [];
  for (const currency of [...currencies].sort()) {
    const wallet = observation.cache.find((w) => w.currency === currency);
    const ledgerKnown = observation.ledger.has(currency);
    const ledger = observation.ledger.get(currency) ?? 0n;
    const cacheLedger = wallet?.ledgerMinor ?? 0n;
    const cacheAvailable = wallet?.availableMinor ?? 0n;
    const holds = wallet?.openHoldsMinor ?? 0n;
    const m = (minor: bigint): MoneyJson => ({ minor: minor.toString(), currency });
    const checks: [CheckName, bigint, bigint][] = [
      ['ledger', cacheLedger, ledger],
      ['available', cacheAvailable, ledger - holds],
    ];
    for (const [check, cache, expected] of checks) {
      if (cache === expected) continue;
      differences.push({
        accountId: observation.accountId,
        currency,
        check,
        cache: m(cache),
        ledger: m(ledger),
        openHolds: m(holds),
        expected: m(expected),
        cause: causeOf(observation, wallet, ledgerKnown, inFlight),
      });
    }
  }
  return differences;
}
