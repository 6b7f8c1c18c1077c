import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import { EventVerdict, IncomingEvent, PostedEntry, SettleBatchResult, SettleBatchUseCase, SettlementTopicRole } from '@lib/ledger';
import { redactCardData } from '@lib/events';
import type { ConsumedTopic, ConsumerMetrics } from '../metrics/settlement-metrics';
import { encodePostings, InvalidPosting } from './postings';

const FETCH_MIN_BYTES = 256 * 1024;
const FETCH_MAX_WAIT_MS = 100;

/**
 * The Kafka side of settlement: a thin adapter around SettleBatchUseCase (libs/ledger).
 *
 * Delivery contract (spec invariant 5, http-and-events.md):
 * - consumer group `settlement.groupId`, `eachBatch`, offsets committed by hand, only after the
 *   batch's database transaction committed (ledger entries + processed_events rows together);
 * - a batch that fails is retried `maxRetries` times; then its messages are retried one by one,
 *   and a message that still fails goes to `<topic>.dlq` with its reason before its offset is
 *   committed (never dropped silently). A message that is not the contract goes there at once.
 *   Infrastructure errors (database or Redis unreachable) are never dead-lettered: the batch is
 *   handed back to kafkajs, which retries it once the consumer restarts;
 * - every journal entry posted is published to `ledger.postings` after the commit, keyed by
 *   account id (at-least-once: an event seen again publishes its entry again), each validated
 *   against libs/events/schemas/ledger.postings.v1.schema.json first. One that fails is a bug: it
 *   goes to `ledger.postings.dlq` with the reason, as the outbox relay does with an invalid
 *   authorisation event (the entry is in the ledger already: failing the batch would only replay
 *   it forever), or, with `invalidPostings: 'throw'` (tests), fails the batch loudly.
 */
export interface SettlementConsumerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: { readonly authorizations: string; readonly clearing: string; readonly postings: string };
  readonly settle: SettleBatchUseCase;
  readonly maxRetries: number;
  readonly retryBackoffMs: number;
  readonly partitionsConcurrently: number;
  /** Messages per database transaction (a Kafka batch is cut in chunks of this size; default 2,000). */
  readonly chunkSize?: number;
  readonly sessionTimeoutMs?: number;
  /** Tests only: called right after a chunk's database commit, before its offsets are committed. */
  readonly afterCommit?: () => void | Promise<void>;
  readonly log?: (line: string) => void;
  /** Counters for `GET /metrics`; none by default. */
  readonly metrics?: ConsumerMetrics;
  /** A posting that fails its schema: dead-lettered (default, production) or thrown (tests). */
  readonly invalidPostings?: 'dead-letter' | 'throw';
  /**
   * Wall clock for the `failedAt` of dead letters: infrastructure time for operations, not the
   * business clock (which may be simulated). Date.now by default, as the outbox relay's.
   */
  readonly wallClockMs?: () => number;
}

export interface ConsumerStats {
  consumed: number;
  posted: number;
  duplicates: number;
  deadLettered: number;
}

const INFRA_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

/** Errors that say "a service is unreachable", not "this message is bad". */
export function isInfrastructureError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof e?.code === 'string' && INFRA_ERROR_CODES.has(e.code)) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connect ECONNREFUSED|Connection is closed|timeout exceeded when trying to connect|MaxRetriesPerRequest|Stream isn't writeable|the database system is/i.test(message);
}

/** Bytes of values per produce request (the broker's default message.max.bytes is 1 MiB). */
const SEND_BYTES = 512 * 1024;

const SPEC_TOPIC: Record<SettlementTopicRole, ConsumedTopic> = { authorizations: 'card.authorizations', clearing: 'card.clearing' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SettlementConsumer {
  readonly stats: ConsumerStats = { consumed: 0, posted: 0, duplicates: 0, deadLettered: 0 };
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private readonly roles: Map<string, SettlementTopicRole>;
  private readonly metrics: ConsumerMetrics | undefined;

  private readonly wallClockMs: () => number;

  constructor(private readonly options: SettlementConsumerOptions) {
    this.wallClockMs = options.wallClockMs ?? Date.now;
    this.roles = new Map([
      [options.topics.authorizations, 'authorizations'],
      [options.topics.clearing, 'clearing'],
    ]);
    this.metrics = options.metrics;
  }

  private log(line: string): void {
    (this.options.log ?? ((l: string) => process.stdout.write(`${l}\n`)))(line);
  }

  /** Connects, subscribes (a new group reads the topics from the beginning) and waits until the group is joined. */
  async start(joinTimeoutMs = 60_000): Promise<void> {
    const { kafka, groupId, topics } = this.options;
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    this.consumer = kafka.consumer({
      groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 3)),
      allowAutoTopicCreation: false,
      // Large fetches make large batches: one database transaction per chunk of up to chunkSize events.
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      // The broker answers a fetch once it holds FETCH_MIN_BYTES for it, or after FETCH_MAX_WAIT_MS:
      // under load a batch (one database transaction, one offset commit, one ledger.postings send
      // per partition) carries many events instead of one or two; idle, an event waits at most
      // FETCH_MAX_WAIT_MS, and a stop (which waits for the fetch) is quick.
      minBytes: FETCH_MIN_BYTES,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
    });
    const consumer = this.consumer;
    const joined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`settlement consumer: group ${groupId} not joined within ${joinTimeoutMs} ms`)), joinTimeoutMs);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        this.metrics?.joined(true);
        resolve();
      });
    });
    consumer.on(consumer.events.CRASH, () => this.metrics?.joined(false));
    consumer.on(consumer.events.STOP, () => this.metrics?.joined(false));
    // The lag kafkajs computes for each batch (high watermark - last offset - 1): no extra request.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const role = this.roles.get(payload.topic);
      if (role) this.metrics?.lag(SPEC_TOPIC[role], payload.partition, Number(payload.offsetLag));
    });
    await consumer.connect();
    // kafkajs: a group without committed offsets starts at the latest offset unless told otherwise.
    await consumer.subscribe({ topics: [topics.authorizations, topics.clearing], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    await joined;
    this.log(`settlement consumer: joined group ${groupId} on ${topics.authorizations}, ${topics.clearing}`);
  }

  /** When a dead letter is written, on the wall clock (see wallClockMs). */
  private failedAt(): string {
    return new Date(this.wallClockMs()).toISOString();
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    this.consumer = null;
    this.producer = null;
  }

  /**
   * Chunks of a batch, in order. A chunk's publishing and offset commit overlap the next chunk's
   * settling (the database and Kafka work at the same time), but each offset is committed only
   * after its own chunk's commit and publishing, and after the previous chunk's offset.
   */
  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const role = this.roles.get(batch.topic);
    if (!role) throw new Error(`settlement consumer: unexpected topic ${batch.topic}`);
    const chunkSize = this.options.chunkSize ?? 2000;
    let finishing: Promise<void> = Promise.resolve();
    let failure: unknown;
    for (let start = 0; start < batch.messages.length && failure === undefined; start += chunkSize) {
      if (!isRunning() || isStale()) break;
      const chunk = batch.messages.slice(start, start + chunkSize);
      const startedMs = performance.now();
      const results = await this.settleChunk(role, batch.topic, chunk, heartbeat);
      this.metrics?.chunkDuration(SPEC_TOPIC[role], (performance.now() - startedMs) / 1000);
      const last = chunk[chunk.length - 1].offset;
      finishing = finishing.then(async () => {
        await this.deadLetter(batch.topic, batch.partition, chunk, results.verdicts);
        await this.publish([...results.posted, ...results.replayed]);
        resolveOffset(last);
        await this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
        this.count(results);
        this.metrics?.settled(SPEC_TOPIC[role], results.verdicts, results.posted);
        await heartbeat();
      });
      finishing.catch((error: unknown) => (failure = error));
    }
    // A failure is thrown to kafkajs, which reads the batch again from the last committed offset.
    await finishing;
  }

  private count(results: { verdicts: readonly EventVerdict[] }): void {
    for (const v of results.verdicts) {
      this.stats.consumed += 1;
      if (v.status === 'posted') this.stats.posted += 1;
      if (v.status === 'duplicate') this.stats.duplicates += 1;
      if (v.status === 'poison') this.stats.deadLettered += 1;
    }
  }

  private events(role: SettlementTopicRole, topic: string, messages: readonly KafkaMessage[]): IncomingEvent[] {
    return messages.map((m) => ({ role, topic, value: m.value }));
  }

  /** The chunk as one transaction; after repeated failures, message by message (isolates a bad one). */
  private async settleChunk(role: SettlementTopicRole, topic: string, messages: readonly KafkaMessage[], heartbeat: () => Promise<void>): Promise<SettleBatchResult> {
    const { settle, maxRetries } = this.options;
    const commitHook = { afterCommit: this.options.afterCommit };
    let lastError: unknown;
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      try {
        return await settle.execute(this.events(role, topic, messages), commitHook);
      } catch (error) {
        lastError = error;
        this.log(`settlement consumer: ${topic} batch of ${messages.length} failed (attempt ${attempt + 1}): ${(error as Error).message}`);
        if (isInfrastructureError(error)) throw error;
        await this.backoff(attempt, heartbeat);
      }
    }
    if (messages.length === 1) return this.failedAlone(lastError);
    const verdicts: EventVerdict[] = [];
    const posted: PostedEntry[] = [];
    const replayed: PostedEntry[] = [];
    for (const message of messages) {
      let result: SettleBatchResult | undefined;
      let error: unknown;
      for (let attempt = 0; attempt <= maxRetries && result === undefined; attempt++) {
        try {
          result = await settle.execute(this.events(role, topic, [message]), commitHook);
        } catch (caught) {
          error = caught;
          if (isInfrastructureError(caught)) throw caught;
          await this.backoff(attempt, heartbeat);
        }
      }
      result ??= this.failedAlone(error);
      verdicts.push(...result.verdicts);
      posted.push(...result.posted);
      replayed.push(...result.replayed);
    }
    return { verdicts, posted, replayed };
  }

  private failedAlone(error: unknown): SettleBatchResult {
    const reason = `failed after ${this.options.maxRetries + 1} attempts: ${(error as Error)?.message ?? String(error)}`;
    return { verdicts: [{ status: 'poison', eventId: null, reason }], posted: [], replayed: [] };
  }

  private async backoff(attempt: number, heartbeat: () => Promise<void>): Promise<void> {
    await sleep(Math.min(this.options.retryBackoffMs * 2 ** attempt, 10_000));
    await heartbeat().catch(() => undefined);
  }

  private async deadLetter(topic: string, partition: number, messages: readonly KafkaMessage[], verdicts: readonly EventVerdict[]): Promise<void> {
    const dead = verdicts.flatMap((verdict, i) => (verdict.status === 'poison' ? [{ verdict, message: messages[i] }] : []));
    if (dead.length === 0) return;
    await this.send(
      `${topic}.dlq`,
      dead.map(({ verdict, message }) => {
        const reason = redactCardData(verdict.status === 'poison' ? verdict.reason : '');
        const headers: IHeaders = { ...(message.headers ?? {}), 'dlq-reason': reason, 'dlq-source': `${topic}/${partition}/${message.offset}` };
        return {
          key: message.key,
          headers,
          value: JSON.stringify({
            schemaVersion: 1,
            source: { topic, partition, offset: message.offset, key: message.key?.toString('utf8') ?? null },
            eventId: verdict.eventId,
            reason,
            failedAt: this.failedAt(),
            // The original value as text, card data masked: a poison message may carry anything
            // (invariant 6: no PAN, PIN block or CVV2 in clear in any Kafka message).
            value: message.value === null ? null : redactedText(message.value.toString('utf8')),
          }),
        };
      }),
    );
    this.metrics?.deadLettered(SPEC_TOPIC[this.roles.get(topic)!], dead.length);
    for (const { verdict, message } of dead) {
      this.log(`settlement consumer: ${topic}/${partition}/${message.offset} dead-lettered: ${verdict.status === 'poison' ? verdict.reason : ''}`);
    }
  }

  private async publish(entries: readonly PostedEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const { messages, invalid } = encodePostings(entries);
    if (invalid.length > 0) await this.rejectPostings(invalid);
    if (messages.length === 0) return;
    await this.send(this.options.topics.postings, messages);
    this.metrics?.postingsPublished(messages.length);
  }

  /**
   * Postings that fail their schema: never produced to `ledger.postings`, never dropped silently.
   * The DLQ value names the entry (ops repair the builder, then republish from the ledger).
   */
  private async rejectPostings(invalid: readonly InvalidPosting[]): Promise<void> {
    const first = invalid[0];
    if (this.options.invalidPostings === 'throw') {
      throw new Error(`settlement consumer: ledger.postings event ${first.eventId} (entry of event ${first.posted.entry.eventId}) is invalid: ${first.reason}`);
    }
    const topic = `${this.options.topics.postings}.dlq`;
    await this.send(
      topic,
      invalid.map(({ posted, eventId, reason }) => ({
        key: posted.entry.accountId ?? 'house',
        headers: { 'dlq-reason': reason, eventId },
        value: JSON.stringify({
          schemaVersion: 1,
          source: { topic: this.options.topics.postings, entryId: posted.entryId, sourceEventId: posted.entry.eventId },
          eventId,
          stage: 'schema',
          reason,
          failedAt: this.failedAt(),
        }),
      })),
    );
    this.metrics?.deadLettered('ledger.postings', invalid.length);
    for (const { eventId, reason } of invalid) this.log(`settlement consumer: ERROR ledger.postings event ${eventId} dead-lettered to ${topic}: ${reason}`);
  }

  /**
   * Sends in requests of at most SEND_BYTES of values: the broker refuses a record batch above
   * its message.max.bytes (1 MiB by default), and a chunk of postings easily exceeds it.
   */
  private async send(topic: string, messages: readonly Message[]): Promise<void> {
    let batch: Message[] = [];
    let bytes = 0;
    for (const message of messages) {
      const size = (message.value?.length ?? 0) + (typeof message.key === 'string' ? message.key.length : (message.key?.length ?? 0)) + 64;
      if (batch.length > 0 && bytes + size > SEND_BYTES) {
        await this.producer!.send({ topic, acks: -1, messages: batch });
        batch = [];
        bytes = 0;
      }
      batch.push(message);
      bytes += size;
    }
    if (batch.length > 0) await this.producer!.send({ topic, acks: -1, messages: batch });
  }
}

/** Text with card data masked (redactCardData), read as JSON when it is JSON so keys are known. */
function redactedText(text: string): string {
  try {
    return JSON.stringify(redactCardData(JSON.parse(text) as unknown));
  } catch {
    return redactCardData(text);
  }
}
