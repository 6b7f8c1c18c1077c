import type Redis from 'ioredis';
import { accountFromHash, AccountRecord, CardRecord, cardFromHash, HoldRecord, keys, TransactionRecord, transactionFromHash } from '@lib/store';

/**
 * The state a decision is computed from, read in one pipelined round trip (two when the message's
 * TI has a hold: its record is read next). The atomic step later re-checks what can move under it
 * (balances and counters by bounded moves; card, account and TI record by their versions; the
 * hold by its exact stored value), so this read needs no lock.
 */
export interface AccountSnapshot {
  readonly account: AccountRecord;
  readonly card: CardRecord;
  /** `<CUR>:ledger` / `<CUR>:avail` -> minor units. */
  readonly balances: ReadonlyMap<string, bigint>;
  /** An original was processed for this TI (approved or declined): a new original with it is a 94. */
  readonly transactionKnown: boolean;
  /** The hold of the original of this TI (incremental authorisations grow it). */
  readonly originalHoldId: string | undefined;
  /** The TI record (undefined when the message has no TI; version 0 when nothing is stored yet). */
  readonly transaction: TransactionRecord | undefined;
  /** The TI's hold as stored, while it is open (absent once released, expired or never opened). */
  readonly hold: SnapshotHold | undefined;
  readonly storedDecision: string | null;
  readonly consentRevoked: boolean;
  readonly counters: ReadonlyMap<string, bigint>;
}

export interface SnapshotHold {
  /** The stored JSON, exactly: a plan `expect`s it unchanged. */
  readonly raw: string;
  readonly record: HoldRecord;
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
    .hgetall(req.transactionId ? keys.transaction(accountId, req.transactionId) : keys.account(accountId))
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
  const transaction = req.transactionId !== undefined ? transactionFromHash(req.transactionId, value(3) as Record<string, string>) : undefined;
  const hold = transaction?.holdId !== undefined && transaction.status === 'held' ? await readHold(redis, accountId, transaction.holdId) : undefined;
  return {
    account,
    card,
    balances,
    transactionKnown: transaction?.status !== undefined,
    originalHoldId: transaction?.holdId,
    transaction,
    hold,
    storedDecision: value(4) as string | null,
    consentRevoked: req.merchantId !== undefined && value(5) === 1,
    counters,
  };
}

async function readHold(redis: Redis, accountId: string, holdId: string): Promise<SnapshotHold | undefined> {
  const raw = await redis.hget(keys.holds(accountId), holdId);
  return raw === null ? undefined : { raw, record: JSON.parse(raw) as HoldRecord };
}

/** The hold as the step will see it at `nowMs`: a hold due by then is expired by the step first. */
export function openHoldAt(snapshot: AccountSnapshot, nowMs: number): SnapshotHold | undefined {
  return snapshot.hold !== undefined && snapshot.hold.record.expiresAt > nowMs ? snapshot.hold : undefined;
}
