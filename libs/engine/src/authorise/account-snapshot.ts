import type Redis from 'ioredis';
import { accountFromHash, AccountRecord, CardRecord, cardFromHash, HoldRecord, readAccount, TransactionRecord, transactionFromHash } from '@lib/store';

/**
 * The state a decision is computed from, read in one round trip (account-read.lua, with the TI's
 * hold when it is held). The atomic step later re-checks what can move under it
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
  const read = await readAccount(redis, req);
  const account = accountFromHash(read.account);
  const card = cardFromHash(read.card);
  if (!account || !card) return undefined;
  const balances = new Map<string, bigint>();
  for (const [field, amount] of Object.entries(read.balances)) balances.set(field, BigInt(amount));
  const counters = new Map<string, bigint>();
  req.counterKeys.forEach((counter, i) => counters.set(counter, BigInt(read.counters[i] ?? '0')));
  const transaction = req.transactionId !== undefined ? transactionFromHash(req.transactionId, read.transaction) : undefined;
  const hold = read.holdRaw === null ? undefined : { raw: read.holdRaw, record: JSON.parse(read.holdRaw) as HoldRecord };
  return {
    account,
    card,
    balances,
    transactionKnown: transaction?.status !== undefined,
    originalHoldId: transaction?.holdId,
    transaction,
    hold,
    storedDecision: read.storedDecision,
    consentRevoked: read.consentRevoked,
    counters,
  };
}

/** The hold as the step will see it at `nowMs`: a hold due by then is expired by the step first. */
export function openHoldAt(snapshot: AccountSnapshot, nowMs: number): SnapshotHold | undefined {
  return snapshot.hold !== undefined && snapshot.hold.record.expiresAt > nowMs ? snapshot.hold : undefined;
}
