import type Redis from 'ioredis';
import type { ClearingRecordEvent, ClearingTopicEvent, DisputeRaisedEvent } from '@lib/clearing';
import type { Clock } from '@lib/clock';
import type { ProgramCatalogue } from '@lib/programs';
import {
  AtomicStepPlan,
  HOLDS_KEY,
  HoldRecord,
  Op,
  StepKeys,
  TRANSACTION_RECORD_TTL_MS,
  accountFromHash,
  keys,
  runAtomicStep,
  transactionFromHash,
} from './store-access';
import { EntryDraft, EntryDraftJson, cardholderMovements, entryFromJson, entryToJson } from '../journal-entry';
import { businessDateOf } from '../posting-rules/authorization-rules';
import { ClearingPosting, clearingRecordPosting, disputePosting } from '../posting-rules/clearing-rules';
import type { OpenDispute } from '../repository/ledger-repository';
import { clearedStateFromHash, clearedStateToHash } from '../posting-rules/clearing-state';

/**
 * Applies one `card.clearing` event to the hot cache, through the gateway's atomic step, and
 * answers the journal entry to post. The step's dedupe key (`clr:<eventId>`) stores the entry it
 * applied: a replayed event (crash before the ledger commit or before the offset commit) gets the
 * very same entry back and moves nothing again, so cache and ledger move together, once.
 *
 * The plan pins what the posting was computed from (`expect`: the TI record's version, the hold's
 * stored value): if a gateway step changed either meanwhile (a reversal, an expiry, an increment),
 * the step refuses it and the posting is recomputed.
 */
export const CLEARING_DEDUPE_TTL_MS = 45 * 24 * 3600 * 1000;
const MAX_ATTEMPTS = 8;

export class PermanentEventError extends Error {}

export interface ClearingApplierDeps {
  readonly redis: Redis;
  readonly catalogue: ProgramCatalogue;
  readonly clock: Clock;
  /** The open chargebacks (LedgerRepository): what a representment or a chargeback-reversal takes back. */
  readonly disputes: { openDispute(accountId: string, transactionId: string): Promise<OpenDispute | undefined> };
}

function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) throw new PermanentEventError(`${what} beyond exact range`);
  return Number(value);
}

/** The cardholder lines of the entry, as `post` ops: the cache moves exactly as the ledger. */
function postOps(entry: EntryDraft, accountId: string): Op[] {
  const ops: Op[] = [];
  for (const move of cardholderMovements(entry).values()) {
    if (move.accountId !== accountId) throw new Error(`entry ${entry.eventId} moves account ${move.accountId}, not ${accountId}`);
    if (move.deltaMinor !== 0n) ops.push({ type: 'post', currency: move.currency, by: safeNumber(move.deltaMinor, 'posting') });
  }
  return ops;
}

export class ClearingApplier {
  constructor(private readonly deps: ClearingApplierDeps) {}

  async apply(event: ClearingTopicEvent): Promise<EntryDraft> {
    if (event.type === 'dispute.raised') return this.applyDispute(event);
    if (event.accountId === null) {
      // No card for the PAN: nothing in the cache moves; the entry is suspense against the network.
      return clearingRecordPosting({ event, program: undefined, rates: this.deps.catalogue.rates, transaction: undefined, hold: undefined, cleared: clearedStateFromHash({}), available: new Map(), openDispute: null }).entry;
    }
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const outcome = await this.tryRecord(event, event.accountId);
      if (outcome !== 'stale') return outcome;
    }
    throw new Error(`clearing ${event.eventId}: the account ${event.accountId} kept changing under ${MAX_ATTEMPTS} attempts`);
  }

  private async tryRecord(event: ClearingRecordEvent, accountId: string): Promise<EntryDraft | 'stale'> {
    const { redis, catalogue, clock } = this.deps;
    const ti = event.transactionId;
    const pipeline = redis.pipeline().hgetall(keys.account(accountId)).hgetall(keys.balances(accountId)).hgetall(keys.holds(accountId));
    if (ti !== null) pipeline.hgetall(keys.transaction(accountId, ti));
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error);
    if (failed) throw failed[0];
    const account = accountFromHash(replies[0][1] as Record<string, string>);
    const balances = replies[1][1] as Record<string, string>;
    const holds = replies[2][1] as Record<string, string>;
    const tiHash = ti !== null ? (replies[3][1] as Record<string, string>) : {};
    const transaction = ti !== null && Object.keys(tiHash).length > 0 ? transactionFromHash(ti, tiHash) : undefined;
    const rawHold = transaction?.holdId !== undefined ? holds[transaction.holdId] : undefined;
    const hold = rawHold !== undefined ? (JSON.parse(rawHold) as HoldRecord) : undefined;
    const program = account ? catalogue.programs.get(account.program) : undefined;
    const available = new Map<string, bigint>();
    for (const [field, value] of Object.entries(balances)) if (field.endsWith(':avail')) available.set(field.slice(0, -':avail'.length), BigInt(value));
    const cleared = clearedStateFromHash(tiHash);
    const reclaims = event.type === 'representment' || event.type === 'chargeback-reversal';
    const openDispute = reclaims && ti !== null ? ((await this.deps.disputes.openDispute(accountId, ti)) ?? null) : null;
    const posting = clearingRecordPosting({ event, program, rates: catalogue.rates, transaction, hold, cleared, available, openDispute });
    if (posting.match === 'suspense') return posting.entry;

    const nowMs = clock.nowMs();
    const k = new StepKeys(accountId);
    const plan: AtomicStepPlan = {
      dedupe: { key: k.ref(keys.message(accountId, `clr:${event.eventId}`)), ttlMs: CLEARING_DEDUPE_TTL_MS },
      expect: [],
      onApprove: [...releaseOps(posting), ...postOps(posting.entry, accountId)],
      publish: false,
    };
    if (ti !== null) {
      const tiRef = k.ref(keys.transaction(accountId, ti));
      plan.expect!.push({ key: tiRef, field: 'version', value: transaction && transaction.version > 0 ? String(transaction.version) : '' });
      plan.onApprove!.push({
        type: 'hset',
        key: tiRef,
        values: { ...clearedStateToHash(posting.clearedAfter), version: (transaction?.version ?? 0) + 1 },
        expireAt: nowMs + TRANSACTION_RECORD_TTL_MS,
      });
    }
    if (transaction?.holdId !== undefined) plan.expect!.push({ key: HOLDS_KEY, field: transaction.holdId, value: rawHold ?? '' });
    return this.run(k, plan, nowMs, posting.entry);
  }

  private async applyDispute(event: DisputeRaisedEvent): Promise<EntryDraft> {
    const { redis, catalogue, clock } = this.deps;
    const account = accountFromHash(await redis.hgetall(keys.account(event.accountId)));
    const program = account ? catalogue.programs.get(account.program) : undefined;
    if (!program) throw new PermanentEventError(`dispute ${event.disputeId}: account ${event.accountId} or its program is unknown`);
    const entry = disputePosting({ event, program, businessDate: businessDateOf(event.occurredAt, program.timeZone) });
    const nowMs = clock.nowMs();
    const k = new StepKeys(event.accountId);
    const plan: AtomicStepPlan = {
      dedupe: { key: k.ref(keys.message(event.accountId, `clr:${event.eventId}`)), ttlMs: CLEARING_DEDUPE_TTL_MS },
      onApprove: postOps(entry, event.accountId),
      publish: false,
    };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const applied = await this.run(k, plan, nowMs, entry);
      if (applied !== 'stale') return applied;
    }
    throw new Error(`dispute ${event.disputeId}: stale ${MAX_ATTEMPTS} times`);
  }

  private async run(k: StepKeys, plan: AtomicStepPlan, nowMs: number, entry: EntryDraft): Promise<EntryDraft | 'stale'> {
    const result = await runAtomicStep<EntryDraftJson>(this.deps.redis, k, plan, nowMs, JSON.stringify(entryToJson(entry)));
    if (result.status === 'stale') {
      // The step may have expired holds before finding the plan stale: let the relay look.
      await this.deps.redis.sadd(keys.outboxPending(), k.accountId);
      return 'stale';
    }
    if (result.status === 'late') throw new Error('clearing step refused as late (no deadline was set)');
    if (result.status === 'done' && result.outcome.expired && result.outcome.expired.length > 0) {
      // The step expired other holds first: their hold.expired entries wait in the outbox.
      await this.deps.redis.sadd(keys.outboxPending(), k.accountId);
    }
    // A replay gets the entry the first application stored, whatever the state is now.
    return result.status === 'duplicate' ? entryFromJson(result.stored.record) : entry;
  }
}

function releaseOps(posting: ClearingPosting): Op[] {
  const release = posting.holdRelease;
  if (release === null) return [];
  if (release.byMinor === 'all') return [{ type: 'release', holdId: release.holdId, close: true }];
  return [{ type: 'release', holdId: release.holdId, by: safeNumber(release.byMinor, 'hold release') }];
}
