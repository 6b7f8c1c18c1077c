import type Redis from 'ioredis';
import { accountFromHash, AccountRecord, CardRecord, cardFromHash, keys } from '@lib/store';

/**
 * The state a decision is computed from, read in one pipelined round trip. The atomic step later
 * re-checks what can move under it (balances and counters by bounded moves, card and account by
 * their versions), so this read needs no lock.
 */
export interface AccountSnapshot {
  readonly account: AccountRecord;
  readonly card: CardRecord;
  /** `<CUR>:ledger` / `<CUR>:avail` -> minor units. */
  readonly balances: ReadonlyMap<string, bigint>;
  readonly transactionKnown: boolean;
  /** The hold of the original of this TI (incremental authorisations grow it). */
  readonly originalHoldId: string | undefined;
  readonly storedDecision: string | null;
  readonly consentRevoked: boolean;
  readonly counters: ReadonlyMap<string, bigint>;
}

export interface SnapshotRequest {
  accountId: string;
  cardId: string;
  transactionId: string | undefined;
  messageKey: string;
  merchantId: string | undefined;
  /** Account-relative counter keys whose values the decision needs (fee usage). */
  counterKeys: readonly string[];
}

export async function readSnapshot(redis: Redis, req: SnapshotRequest): Promise<AccountSnapshot | undefined> {
  const { accountId, cardId } = req;
  const pipeline = redis
    .pipeline()
    .hgetall(keys.account(accountId))
    .hgetall(keys.card(accountId, cardId))
    .hgetall(keys.balances(accountId))
    .hget(req.transactionId ? keys.transaction(accountId, req.transactionId) : keys.account(accountId), 'holdId')
    .get(keys.message(accountId, req.messageKey))
    .hexists(keys.revokedConsents(accountId, cardId), req.merchantId ?? '');
  for (const counter of req.counterKeys) pipeline.get(keys.counter(accountId, counter));
  const replies = (await pipeline.exec()) ?? [];
  const failed = replies.find(([error]) => error);
  if (failed) throw failed[0];
  const value = (i: number) => replies[i][1];
  const account = accountFromHash(value(0) as Record<string, string>);
  const card = cardFromHash(value(1) as Record<string, string>);
  if (!account || !card) return undefined;
  const balances = new Map<string, bigint>();
  for (const [field, amount] of Object.entries(value(2) as Record<string, string>)) balances.set(field, BigInt(amount));
  const counters = new Map<string, bigint>();
  req.counterKeys.forEach((counter, i) => counters.set(counter, BigInt((value(6 + i) as string | null) ?? '0')));
  return {
    account,
    card,
    balances,
    transactionKnown: req.transactionId !== undefined && value(3) !== null,
    originalHoldId: req.transactionId !== undefined ? ((value(3) as string | null) ?? undefined) : undefined,
    storedDecision: value(4) as string | null,
    consentRevoked: req.merchantId !== undefined && value(5) === 1,
    counters,
  };
}
