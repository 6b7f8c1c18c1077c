import { randomBytes } from 'crypto';
import { hostname } from 'os';
import type Redis from 'ioredis';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { CARD_AUTHORIZATIONS_TOPIC } from '@lib/events';
import { backoffMs } from './backoff';
import type { DeadLetter } from './dead-letter';
import { OutboxStore } from './outbox-store';
import { AccountWork, chunkBySize, OutboxEntry, planAccountWork } from './relay-batch';
import { emptyRelayMetrics, RelayMetrics } from './relay-metrics';
import { OUTBOX_SCAN_MATCH } from './relay-keys';

/**
 * Moves each account's outbox (written by the atomic step, in the same script as the state change)
 * to the `card.authorizations` topic, key = account id, at least once (spec issue 5):
 *
 * 1. take account ids off `outbox:pending` (SPOP) and each account's lease (SET NX PX), so two
 *    gateways never relay one account at once and its events keep their order;
 * 2. read the outbox in order (XRANGE), turn each entry into a schema-valid event free of card data;
 * 3. produce the events (acks = all, many per request) and only once Kafka acknowledged them, trim
 *    them from the outbox (XTRIM MINID); put the account back in the pending set if entries remain.
 *
 * Kafka down: the send fails, the entries stay, the accounts go back to the pending set and the
 * relay retries with backoff; authorisations never wait on it (the relay has its own Redis
 * connection and no caller). A periodic safety scan re-adds accounts whose outbox is not empty
 * (a gateway that died between its step and its SADD). An entry that cannot become a valid event
 * is dead-lettered, never dropped. Duplicates are possible after a failure (a send Kafka wrote but
 * did not acknowledge): consumers dedupe on eventId.
 */
export interface RelayLogger {
  warn(message: string): void;
  error(message: string): void;
}

export interface OutboxRelayOptions {
  /** Owner written in leases; unique per process. */
  relayId?: string;
  topic?: string;
  deadLetterTopic?: string;
  /**
   * Turns run at once by this relay, each on accounts of its own (SPOP and leases keep them apart):
   * Redis reads and event encoding of one turn overlap with the Kafka send of another.
   */
  concurrency?: number;
  /** Accounts taken off the pending set per turn. */
  accountsPerTurn?: number;
  /** Entries read per account per turn. */
  entriesPerAccount?: number;
  /** Bytes of event values per producer send (below the broker's 1 MiB message.max.bytes). */
  maxSendBytes?: number;
  /** Lease of an account's outbox; must outlast a send (a lease that expires mid-send lets a second relay in). */
  leaseMs?: number;
  /** A send Kafka has not acknowledged in this time counts as failed (entries kept, retried). */
  sendTimeoutMs?: number;
  /** Sleep when a turn found nothing to do. */
  idlePollMs?: number;
  /**
   * Sleep after a turn that found less than a full turn of accounts: events gather meanwhile, so
   * under a steady load each send, Redis read and trim carries many events instead of a few
   * (every request is a system call and a wake-up of Kafka or Redis). Under a backlog turns are
   * full and follow each other without it.
   */
  gatherMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  safetyScanIntervalMs?: number;
  /** SCAN MATCH pattern of the outboxes (the default covers every account). */
  scanMatch?: string;
  scanCount?: number;
  /**
   * Pause between pages of the periodic safety scan, so that it costs a bounded share of Redis and
   * of this process whatever the size of the keyspace (a pass over millions of keys takes minutes,
   * never a burst of seconds of Redis time). 0: no pause.
   */
  scanPauseMs?: number;
  logger?: RelayLogger;
  /** Wall clock for dead-letter stamps and lag (infrastructure time, not the engine's clock). */
  nowMs?: () => number;
}

type Settings = Required<Omit<OutboxRelayOptions, 'logger'>> & { logger: RelayLogger };

const DEFAULTS: Omit<Settings, 'relayId' | 'logger' | 'nowMs'> = {
  topic: CARD_AUTHORIZATIONS_TOPIC,
  deadLetterTopic: `${CARD_AUTHORIZATIONS_TOPIC}.dlq`,
  concurrency: 4,
  accountsPerTurn: 128,
  entriesPerAccount: 100,
  maxSendBytes: 512 * 1024,
  leaseMs: 30_000,
  sendTimeoutMs: 10_000,
  idlePollMs: 20,
  gatherMs: 10,
  backoffInitialMs: 100,
  backoffMaxMs: 5_000,
  safetyScanIntervalMs: 30_000,
  scanMatch: OUTBOX_SCAN_MATCH,
  scanCount: 1_000,
  scanPauseMs: 100,
};

const DEAD_STREAM_BATCH = 100;
/** A turn plans at most this many sends' worth of events (memory and CPU per turn stay bounded). */
const TURN_SENDS = 4;
/** Longest stretch of encoding before the relay yields the event loop. */
const ENCODE_SLICE_MS = 4;

type DeliverWork = Extract<AccountWork, { kind: 'deliver' }>;
type DeadLetterWork = Extract<AccountWork, { kind: 'dead-letter' }>;

export interface RelayTurnResult {
  /** Entries relayed or dead-lettered in this turn. */
  handledEntries: number;
  /** Whether the turn took as many accounts as a turn may (more are probably waiting). */
  full?: boolean;
}

/** What a turn has done so far: what to trim, which accounts it emptied. */
class TurnProgress {
  readonly trims: { accountId: string; lastEntryId: string }[] = [];
  /** Accounts whose outbox is empty once their work is done (see relayAccounts). */
  readonly drainable = new Set<string>();
  /** Accounts whose outbox this turn emptied: they need not go back to the pending set. */
  readonly drained = new Set<string>();
  handledEntries = 0;

  done(work: AccountWork, entries: number): void {
    this.trims.push({ accountId: work.accountId, lastEntryId: work.lastEntryId });
    if (this.drainable.has(work.accountId)) this.drained.add(work.accountId);
    this.handledEntries += entries;
  }
}

export class OutboxRelay {
  private readonly settings: Settings;
  private readonly store: OutboxStore;
  private readonly counters: RelayMetrics = emptyRelayMetrics();
  private producer: Producer | null = null;
  private producerConnected = false;
  private connecting: Promise<Producer> | null = null;
  private running = false;
  private loops: Promise<void>[] = [];
  private maintenance: Promise<void> | null = null;
  private maintenanceTimer: NodeJS.Timeout | null = null;
  private readonly sleepers = new Set<() => void>();

  /**
   * @param redis a connection of its own (the relay's commands must never queue behind, or ahead
   *   of, the authorisation path's steps).
   * @param kafka the client the relay makes its producer from.
   */
  constructor(
    redis: Redis,
    private readonly kafka: Kafka,
    options: OutboxRelayOptions = {},
  ) {
    this.settings = {
      ...DEFAULTS,
      relayId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
      nowMs: Date.now,
      logger: console,
      ...definedOnly(options),
    };
    if (this.settings.leaseMs < 2 * this.settings.sendTimeoutMs) {
      throw new Error(
        `outbox relay: leaseMs (${this.settings.leaseMs}) must be at least twice sendTimeoutMs (${this.settings.sendTimeoutMs})`,
      );
    }
    this.store = new OutboxStore(redis, this.settings.relayId, this.settings.leaseMs);
  }

  get relayId(): string {
    return this.settings.relayId;
  }

  /** Starts the relay loop and the periodic safety scan; returns at once (Kafka may be down). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: Math.max(1, this.settings.concurrency) }, () => this.runLoop());
    this.scheduleMaintenance(0);
  }

  /** Graceful stop: the in-flight batch finishes (sent and trimmed, or kept), then the producer closes. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.maintenanceTimer) clearTimeout(this.maintenanceTimer);
    for (const wake of this.sleepers) wake();
    await Promise.allSettled([...this.loops, this.maintenance]);
    this.loops = [];
    const producer = this.producer;
    this.producer = null;
    this.producerConnected = false;
    await producer?.disconnect().catch(() => undefined);
  }

  /** A snapshot of the counters (plain numbers). */
  metrics(): RelayMetrics {
    return { ...this.counters };
  }

  /**
   * One turn: claim accounts, relay their leading entries, trim them, release the accounts. After
   * a failure the turn is a probe (one account, one entry): an outage costs one small attempt per
   * backoff period, not a re-read and re-encoding of a full batch.
   */
  async runTurn(): Promise<RelayTurnResult> {
    const probing = this.counters.consecutiveFailures > 0;
    const claim = await this.store.claimAccounts(probing ? 1 : this.settings.accountsPerTurn);
    this.counters.pendingAccounts = claim.pendingBefore;
    this.counters.leaseConflicts += claim.busy.length;
    if (claim.leased.length === 0) return { handledEntries: 0 };
    const turn = new TurnProgress();
    try {
      await this.relayAccounts(claim.leased, probing ? 1 : this.settings.entriesPerAccount, turn);
      return { handledEntries: turn.handledEntries, full: claim.leased.length + claim.busy.length >= this.settings.accountsPerTurn };
    } finally {
      // Also after a failure: what Kafka acknowledged is trimmed, the rest stays and is requeued.
      await this.store.finishTurn(
        turn.trims,
        claim.leased,
        claim.leased.filter((id) => !turn.drained.has(id)),
      );
    }
  }

  /** A full pass of the safety scan; returns how many accounts it put back in the pending set. */
  async runSafetyScan(pauseMs = 0): Promise<number> {
    let cursor = '0';
    let requeued = 0;
    do {
      if (pauseMs > 0 && cursor !== '0') await this.sleep(pauseMs);
      const page = await this.store.scanPage(cursor, this.settings.scanMatch, this.settings.scanCount);
      cursor = page.cursor;
      requeued += page.requeued;
    } while (cursor !== '0' && this.running);
    this.counters.requeuedByScan += requeued;
    return requeued;
  }

  /** Forwards dead letters kept in Redis (while Kafka was down) to the DLQ topic. */
  async forwardDeadLetters(): Promise<number> {
    const entries = await this.store.claimDeadStream(DEAD_STREAM_BATCH);
    if (entries === null) return 0;
    let forwarded: string[] = [];
    try {
      if (entries.length > 0) {
        await this.produce(
          this.settings.deadLetterTopic,
          entries.map((e) => ({ key: e.accountId, value: e.payload })),
        );
        forwarded = entries.map((e) => e.id);
        this.counters.deadLettersForwarded += forwarded.length;
      }
    } finally {
      await this.store.finishDeadStream(forwarded);
    }
    return forwarded.length;
  }

  private async runLoop(): Promise<void> {
    while (this.running) {
      let handled = 0;
      let full = false;
      let failed = false;
      try {
        ({ handledEntries: handled, full = false } = await this.runTurn());
        // A turn with nothing to do proves nothing about Kafka: only a turn that moved entries
        // ends a run of failures (and the probing that comes with it).
        if (handled > 0) this.noteSuccess();
      } catch (err) {
        failed = true;
        this.noteFailure(err);
      }
      if (!this.running) break;
      if (failed)
        await this.sleep(
          backoffMs(
            this.counters.consecutiveFailures,
            this.settings.backoffInitialMs,
            this.settings.backoffMaxMs,
          ),
        );
      else if (handled === 0) await this.sleep(this.settings.idlePollMs);
      else if (!full && this.settings.gatherMs > 0) await this.sleep(this.settings.gatherMs);
    }
  }

  private async relayAccounts(
    accountIds: readonly string[],
    entriesPerAccount: number,
    turn: TurnProgress,
  ): Promise<void> {
    // No send may start that could outlive the leases (taken just before): a second relay could
    // then take the same accounts and send the same entries alongside. What is left stays queued.
    const lastSendStartMs = performance.now() + this.settings.leaseMs - this.settings.sendTimeoutMs;
    const outboxes = await this.store.readOutboxes(accountIds, entriesPerAccount);
    const works = await this.planWorks(accountIds, outboxes, entriesPerAccount, turn);
    await this.deadLetterWork(
      works.filter((w): w is DeadLetterWork => w.kind === 'dead-letter'),
      turn,
    );
    await this.deliverWork(
      works.filter((w): w is DeliverWork => w.kind === 'deliver'),
      lastSendStartMs,
      turn,
    );
  }

  /**
   * Builds the turn's work account by account. The relay shares its event loop with the
   * authorisation path: it yields every few milliseconds of encoding, and a turn stops taking
   * accounts past a few sends' worth of bytes (the accounts not planned stay queued).
   */
  private async planWorks(
    accountIds: readonly string[],
    outboxes: Map<string, OutboxEntry[]>,
    entriesPerAccount: number,
    turn: TurnProgress,
  ): Promise<AccountWork[]> {
    const { maxSendBytes } = this.settings;
    const context = {
      topic: this.settings.topic,
      relayId: this.settings.relayId,
      nowMs: this.settings.nowMs(),
    };
    const works: AccountWork[] = [];
    let turnBytes = 0;
    let sliceStartMs = performance.now();
    for (const id of accountIds) {
      if (turnBytes >= TURN_SENDS * maxSendBytes) break;
      const entries = outboxes.get(id) ?? [];
      const work = planAccountWork(id, entries, maxSendBytes, context);
      if (work) works.push(work);
      if (work?.kind === 'deliver') turnBytes += work.bytes;
      // Empty, or drained once this work is done: it covers every entry read, and the read was
      // not cut short by its COUNT.
      if (entries.length < entriesPerAccount) {
        if (work === null) turn.drained.add(id);
        else if (work.lastEntryId === entries[entries.length - 1].id) turn.drainable.add(id);
      }
      if (performance.now() - sliceStartMs > ENCODE_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStartMs = performance.now();
      }
    }
    return works;
  }

  private async deadLetterWork(works: readonly DeadLetterWork[], turn: TurnProgress): Promise<void> {
    if (works.length === 0) return;
    await this.deadLetter(works.flatMap((w) => w.deadLetters));
    for (const work of works) turn.done(work, work.deadLetters.length);
  }

  private async deliverWork(
    works: readonly DeliverWork[],
    lastSendStartMs: number,
    turn: TurnProgress,
  ): Promise<void> {
    for (const chunk of chunkBySize(works, this.settings.maxSendBytes)) {
      if (performance.now() > lastSendStartMs) break;
      const messages = chunk.flatMap((w) => w.messages);
      await this.produce(this.settings.topic, messages);
      // Only now, with Kafka's acknowledgement, may the entries leave the outbox (end of the turn).
      for (const work of chunk) turn.done(work, work.messages.length);
      this.counters.relayedEvents += messages.length;
      this.counters.acknowledgedSends += 1;
      this.counters.lastDeliveryLagMs = Math.max(
        0,
        this.settings.nowMs() - Math.min(...chunk.map((w) => w.oldestEntryMs)),
      );
    }
  }

  /** To the DLQ topic; while Kafka is down, to the dead stream (forwarded later). Never dropped. */
  private async deadLetter(letters: readonly DeadLetter[]): Promise<void> {
    for (const letter of letters) {
      this.settings.logger.error(
        `outbox relay: dead-lettered outbox entry ${letter.entryId} of account ${letter.accountId}: ${reasonOf(letter)}`,
      );
    }
    try {
      await this.produce(
        this.settings.deadLetterTopic,
        letters.map((l) => ({ key: l.accountId, value: l.payload })),
      );
    } catch (err) {
      this.settings.logger.warn(
        `outbox relay: ${this.settings.deadLetterTopic} unreachable (${(err as Error).message}); ${letters.length} dead letter(s) kept in Redis`,
      );
      await this.store.appendDeadLetters(letters);
      this.counters.deadLetteredToRedis += letters.length;
    }
    this.counters.deadLettered += letters.length;
  }

  private async produce(
    topic: string,
    messages: { key: string; value: string; headers?: Record<string, string> }[],
  ): Promise<void> {
    const producer = await this.connectedProducer();
    const { sendTimeoutMs } = this.settings;
    await withTimeout(
      producer.send({ topic, acks: -1, timeout: sendTimeoutMs, messages }),
      sendTimeoutMs,
      `${topic}: send not acknowledged within ${sendTimeoutMs} ms`,
    );
  }

  /**
   * The producer, connected. Concurrent turns share one connection attempt. A producer whose
   * connect failed is thrown away and made again on the next attempt.
   */
  private connectedProducer(): Promise<Producer> {
    if (this.producer && this.producerConnected) return Promise.resolve(this.producer);
    this.connecting ??= this.connectProducer().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connectProducer(): Promise<Producer> {
    const producer = this.producer ?? this.createProducer();
    this.producer = producer;
    try {
      await withTimeout(
        producer.connect(),
        this.settings.sendTimeoutMs,
        `Kafka: producer not connected within ${this.settings.sendTimeoutMs} ms`,
      );
    } catch (err) {
      this.producer = null;
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    this.producerConnected = true;
    return producer;
  }

  private createProducer(): Producer {
    const producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: false,
      // Several requests in flight are safe for order: an account is in one send at a time (its
      // lease), and its next send starts only after Kafka acknowledged the previous one.
      maxInFlightRequests: this.settings.concurrency + 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { initialRetryTime: 100, retries: 3, maxRetryTime: 2_000 },
    });
    producer.on(producer.events.DISCONNECT, () => {
      if (this.producer === producer) this.producerConnected = false;
    });
    return producer;
  }

  private noteSuccess(): void {
    if (this.counters.consecutiveFailures > 0) {
      this.settings.logger.warn(
        `outbox relay: relaying again after ${this.counters.consecutiveFailures} failed attempt(s)`,
      );
    }
    this.counters.consecutiveFailures = 0;
  }

  private noteFailure(err: unknown): void {
    this.counters.failedAttempts += 1;
    this.counters.consecutiveFailures += 1;
    // One line when the outage starts, then one every 20 attempts: a long outage must not flood the log.
    if (this.counters.consecutiveFailures % 20 === 1) {
      this.settings.logger.warn(
        `outbox relay: attempt failed (${(err as Error).message}); entries kept in the outbox, retrying with backoff`,
      );
    }
  }

  private scheduleMaintenance(delayMs: number): void {
    if (!this.running) return;
    this.maintenanceTimer = setTimeout(() => {
      this.maintenance = this.runMaintenance().finally(() =>
        this.scheduleMaintenance(this.settings.safetyScanIntervalMs),
      );
    }, delayMs);
  }

  private async runMaintenance(): Promise<void> {
    try {
      await this.runSafetyScan(this.settings.scanPauseMs);
      await this.forwardDeadLetters();
    } catch (err) {
      this.settings.logger.warn(
        `outbox relay: safety scan or dead-letter forwarding failed (${(err as Error).message}); next pass in ${this.settings.safetyScanIntervalMs} ms`,
      );
    }
  }

  /** A sleep that stop() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      this.sleepers.add(done);
    });
  }
}

/** The reason recorded in a dead letter's payload (no card data: it names fields, not values). */
function reasonOf(letter: DeadLetter): string {
  const { stage, reason } = JSON.parse(letter.payload) as { stage: string; reason: string };
  return `${stage}: ${reason}`;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
