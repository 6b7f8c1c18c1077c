import type Redis from 'ioredis';
import type { Clock } from '@lib/clock';
import type { HoldRecord } from '@lib/store';
import { keys } from '../settle/store-access';
import type { LedgerRepository } from '../repository/ledger-repository';
import { AccountObservation, CacheWallet, Difference, InFlight, reconcileAccount } from './reconcile';

/**
 * Reads both sides and compares them (reconcile.ts). Accounts: the given ones, or every account
 * the cache lists (`dir:accounts`) and every account the ledger has a wallet for.
 */
export interface ReconciliationReport {
  readonly checkedAt: string;
  readonly accountsChecked: number;
  readonly differences: readonly Difference[];
  readonly inFlight: InFlight;
}

export interface ReconciliationDeps {
  readonly redis: Redis;
  readonly repository: LedgerRepository;
  readonly clock: Clock;
  /** Lag of the settlement consumer group on the topics it consumes. */
  readonly inFlight: () => Promise<InFlight>;
  /** Events of an account waiting in its outbox (see outboxBacklog in docs/settlement.md). */
  readonly outboxBacklog?: (redis: Redis, accountIds: readonly string[]) => Promise<number[]>;
}

const PAGE = 500;

/**
 * Entries waiting in each account's outbox: the relay trims what Kafka acknowledged (XTRIM
 * MINID, libs/outbox-relay), so the stream's length is what is not yet relayed.
 */
export async function outboxLengths(redis: Redis, accountIds: readonly string[]): Promise<number[]> {
  const pipeline = redis.pipeline();
  for (const id of accountIds) pipeline.xlen(keys.outbox(id));
  const replies = (await pipeline.exec()) ?? [];
  return accountIds.map((_, i) => Number(replies[i]?.[1] ?? 0));
}

export class ReconciliationUseCase {
  constructor(private readonly deps: ReconciliationDeps) {}

  async execute(accountIds?: readonly string[]): Promise<ReconciliationReport> {
    // Lag first: an event consumed between the two reads can only make the report say "lag".
    const inFlight = await this.deps.inFlight();
    const ids = accountIds ?? (await this.allAccounts());
    const differences: Difference[] = [];
    for (let start = 0; start < ids.length; start += PAGE) {
      const page = ids.slice(start, start + PAGE);
      for (const observation of await this.observe(page)) differences.push(...reconcileAccount(observation, inFlight));
    }
    return { checkedAt: new Date(this.deps.clock.nowMs()).toISOString(), accountsChecked: ids.length, differences, inFlight };
  }

  private async allAccounts(): Promise<string[]> {
    const fromCache = await this.deps.redis.smembers(keys.accountDirectory());
    const fromLedger = (await this.deps.repository.cardholderBalances()).map((b) => b.accountId);
    return [...new Set([...fromCache, ...fromLedger])].sort();
  }

  private async observe(accountIds: readonly string[]): Promise<AccountObservation[]> {
    const pipeline = this.deps.redis.pipeline();
    for (const id of accountIds) pipeline.hgetall(keys.balances(id)).hvals(keys.holds(id));
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error);
    if (failed) throw failed[0];
    const ledgerRows = await this.deps.repository.cardholderBalances(accountIds);
    const backlog = await (this.deps.outboxBacklog ?? outboxLengths)(this.deps.redis, accountIds);
    return accountIds.map((accountId, i) => {
      const balances = replies[2 * i][1] as Record<string, string>;
      const holds = (replies[2 * i + 1][1] as string[]).map((raw) => JSON.parse(raw) as HoldRecord);
      const wallets = new Map<string, { ledger: bigint; available: bigint }>();
      for (const [field, value] of Object.entries(balances)) {
        const [currency, kind] = field.split(':');
        const wallet = wallets.get(currency) ?? { ledger: 0n, available: 0n };
        if (kind === 'ledger') wallet.ledger = BigInt(value);
        if (kind === 'avail') wallet.available = BigInt(value);
        wallets.set(currency, wallet);
      }
      const cache: CacheWallet[] = [...wallets].map(([currency, w]) => ({
        currency,
        ledgerMinor: w.ledger,
        availableMinor: w.available,
        openHoldsMinor: holds.filter((h) => h.currency === currency).reduce((sum, h) => sum + BigInt(h.remainingMinor), 0n),
      }));
      const ledger = new Map(ledgerRows.filter((r) => r.accountId === accountId).map((r) => [r.currency, r.balanceMinor]));
      return { accountId, cache, ledger, outboxBacklog: backlog[i] };
    });
  }
}
