import { parseClearingTopicEvent, ClearingTopicEvent } from '@lib/clearing';
import { EntryDraft } from '../journal-entry';
import { parseAuthorizationTopicEvent } from '../posting-rules/authorization-events';
import { authorizationTopicPosting } from '../posting-rules/authorization-rules';
import { BatchItem, LedgerRepository, PostBatchOptions, PostedEntry } from '../repository/ledger-repository';
import { ClearingApplier, PermanentEventError } from './apply-clearing';

/**
 * One batch of consumed events to the ledger: parse, apply the posting rules (and, for clearing,
 * the cache moves through the atomic step), then ONE database transaction for the whole batch
 * with per-event idempotency. The Kafka adapter commits offsets only after this returns.
 *
 * A message that can never be processed (not JSON, not the contract, a rule refusing it) is a
 * `poison` verdict: the adapter dead-letters it with the reason. Anything else that fails (the
 * database or Redis unreachable) throws: the adapter retries the batch.
 */
export type SettlementTopicRole = 'authorizations' | 'clearing';

export interface IncomingEvent {
  readonly role: SettlementTopicRole;
  /** The topic it was read from (recorded in processed_events). */
  readonly topic: string;
  readonly value: Buffer | string | null;
}

export type EventVerdict =
  | { readonly status: 'posted'; readonly eventId: string; readonly entry: PostedEntry }
  | { readonly status: 'nothing-to-post'; readonly eventId: string }
  | { readonly status: 'duplicate'; readonly eventId: string }
  | { readonly status: 'poison'; readonly eventId: string | null; readonly reason: string };

export interface SettleBatchResult {
  readonly verdicts: readonly EventVerdict[];
  /** Entries posted by this batch (to publish on ledger.postings). */
  readonly posted: readonly PostedEntry[];
  /** Entries of events seen again: published again (ledger.postings is at-least-once). */
  readonly replayed: readonly PostedEntry[];
}

export interface SettleBatchDeps {
  readonly repository: LedgerRepository;
  readonly clearing: ClearingApplier;
  /** Accounts whose clearing events are applied concurrently (one account stays in order). */
  readonly clearingConcurrency?: number;
}

type Parsed =
  | { kind: 'auth'; eventId: string; entry: EntryDraft | null }
  | { kind: 'clearing'; eventId: string; event: ClearingTopicEvent }
  | { kind: 'poison'; eventId: string | null; reason: string };

function eventIdOf(value: unknown): string | null {
  const id = typeof value === 'object' && value !== null ? (value as { eventId?: unknown }).eventId : undefined;
  return typeof id === 'string' ? id.slice(0, 128) : null;
}

function parse(event: IncomingEvent): Parsed {
  if (event.value === null) return { kind: 'poison', eventId: null, reason: 'empty message (tombstone)' };
  let json: unknown;
  try {
    json = JSON.parse(typeof event.value === 'string' ? event.value : event.value.toString('utf8'));
  } catch {
    return { kind: 'poison', eventId: null, reason: 'not valid JSON' };
  }
  const eventId = eventIdOf(json);
  if (event.role === 'clearing') {
    const parsed = parseClearingTopicEvent(json);
    return parsed.ok ? { kind: 'clearing', eventId: parsed.value.eventId, event: parsed.value } : { kind: 'poison', eventId, reason: parsed.error };
  }
  const parsed = parseAuthorizationTopicEvent(json);
  if (!parsed.ok) return { kind: 'poison', eventId, reason: parsed.error };
  try {
    return { kind: 'auth', eventId: parsed.value.eventId, entry: authorizationTopicPosting(parsed.value) };
  } catch (error) {
    return { kind: 'poison', eventId, reason: `posting rule refused it: ${(error as Error).message}` };
  }
}

async function inGroups<T>(items: readonly T[], keyOf: (item: T) => string, concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key) ?? [];
    group.push(item);
    groups.set(key, group);
  }
  const queue = [...groups.values()];
  const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
      for (const item of group) await work(item);
    }
  });
  await Promise.all(workers);
}

export class SettleBatchUseCase {
  constructor(private readonly deps: SettleBatchDeps) {}

  async execute(events: readonly IncomingEvent[], options: PostBatchOptions = {}): Promise<SettleBatchResult> {
    const parsed = events.map(parse);
    const entries = new Map<number, EntryDraft | null>();
    const poison = new Map<number, string>();
    parsed.forEach((p, i) => {
      if (p.kind === 'auth') entries.set(i, p.entry);
      if (p.kind === 'poison') poison.set(i, p.reason);
    });

    // Clearing events already in the ledger are not applied to the cache again (their step's
    // dedupe key may have expired by the time an old offset is replayed).
    const clearingIndexes = parsed.flatMap((p, i) => (p.kind === 'clearing' ? [i] : []));
    const known = await this.deps.repository.processedAmong(clearingIndexes.map((i) => (parsed[i] as { eventId: string }).eventId));
    const toApply = clearingIndexes.filter((i) => !known.has((parsed[i] as { eventId: string }).eventId));
    await inGroups(
      toApply,
      (i) => {
        const event = (parsed[i] as { event: ClearingTopicEvent }).event;
        return event.accountId ?? 'suspense';
      },
      this.deps.clearingConcurrency ?? 64,
      async (i) => {
        try {
          entries.set(i, await this.deps.clearing.apply((parsed[i] as { event: ClearingTopicEvent }).event));
        } catch (error) {
          if (!(error instanceof PermanentEventError)) throw error;
          poison.set(i, error.message);
        }
      },
    );

    const items: BatchItem[] = [];
    parsed.forEach((p, i) => {
      if (poison.has(i) || p.kind === 'poison') return;
      if (p.kind === 'clearing' && known.has(p.eventId)) {
        items.push({ eventId: p.eventId, topic: events[i].topic, entry: null });
        return;
      }
      items.push({ eventId: p.eventId, topic: events[i].topic, entry: entries.get(i) ?? null });
    });
    const result = await this.deps.repository.postBatch(items, options);
    const postedByEvent = new Map(result.posted.map((p) => [p.entry.eventId, p]));
    const duplicates = new Set(result.duplicates);
    // Seen before this batch: their entries are published again (at-least-once); a duplicate of
    // an event this batch posted is already being published.
    const seenBefore = [...duplicates].filter((id) => !postedByEvent.has(id));
    const replayed = seenBefore.length > 0 ? await this.deps.repository.postedEntriesOf(seenBefore) : [];

    const seen = new Set<string>();
    const verdicts = parsed.map((p, i): EventVerdict => {
      if (poison.has(i)) return { status: 'poison', eventId: p.eventId, reason: poison.get(i)! };
      const eventId = p.eventId!;
      const posted = postedByEvent.get(eventId);
      const first = !seen.has(eventId);
      seen.add(eventId);
      if (posted && first) return { status: 'posted', eventId, entry: posted };
      if (duplicates.has(eventId) || !first) return { status: 'duplicate', eventId };
      return { status: 'nothing-to-post', eventId };
    });
    return { verdicts, posted: result.posted, replayed };
  }
}
