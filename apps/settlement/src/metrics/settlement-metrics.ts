import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventVerdict, PostedEntry } from '@lib/ledger';
import { METRICS_REGISTRY } from '@lib/platform';

/** The spec's name of a consumed topic (the configured names may carry a prefix in tests). */
export type ConsumedTopic = 'card.authorizations' | 'card.clearing';

/**
 * What the settlement consumer reports as it goes. The consumer (a Kafka adapter) calls it; the
 * Prometheus side is below. Calls are cheap and never throw.
 */
export interface ConsumerMetrics {
  /** A chunk's events, settled (one verdict each), after its offsets were committed. */
  settled(topic: ConsumedTopic, verdicts: readonly EventVerdict[], posted: readonly PostedEntry[]): void;
  chunkDuration(topic: ConsumedTopic, seconds: number): void;
  /** Messages produced to `<topic>.dlq` (consumed events or postings that failed their schema). */
  deadLettered(topic: ConsumedTopic | 'ledger.postings', count: number): void;
  postingsPublished(count: number): void;
  /** Messages behind the partition's high watermark after the consumer's last batch there. */
  lag(topic: ConsumedTopic, partition: number, messages: number): void;
  joined(isJoined: boolean): void;
}

/**
 * Settlement's Prometheus metrics (`GET /metrics`, with the process' default metrics). Labels are
 * topics, outcomes and entry types: never an account, a card or an event id.
 */
@Injectable()
export class SettlementMetrics implements ConsumerMetrics {
  private readonly events: Counter<'topic' | 'outcome'>;
  private readonly entries: Counter<'source_topic' | 'entry_type'>;
  private readonly clearingRecords: Counter<'type' | 'match'>;
  private readonly deadLetters: Counter<'topic'>;
  private readonly postings: Counter;
  private readonly chunkSeconds: Histogram<'topic'>;
  private readonly consumerLag: Gauge<'topic' | 'partition'>;
  private readonly consumerJoined: Gauge;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.events = new Counter({
      name: 'settlement_events_consumed_total',
      help: 'Events consumed, by topic and outcome (posted, nothing-to-post, duplicate, dead-lettered)',
      labelNames: ['topic', 'outcome'],
      registers,
    });
    this.entries = new Counter({
      name: 'settlement_journal_entries_posted_total',
      help: 'Journal entries written to the ledger, by the topic of their event and their type',
      labelNames: ['source_topic', 'entry_type'],
      registers,
    });
    this.clearingRecords = new Counter({
      name: 'settlement_clearing_records_total',
      help: 'Clearing records posted, by record type and how they matched an authorisation (hold, already-posted, no-open-hold, unmatched, suspense)',
      labelNames: ['type', 'match'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'settlement_dead_letters_total',
      help: 'Messages produced to <topic>.dlq, by the topic they were meant for',
      labelNames: ['topic'],
      registers,
    });
    this.postings = new Counter({ name: 'settlement_postings_published_total', help: 'ledger.postings events acknowledged by Kafka (republished entries count again)', registers });
    this.chunkSeconds = new Histogram({
      name: 'settlement_chunk_settle_seconds',
      help: 'Time to settle one chunk of consumed events (one database transaction)',
      labelNames: ['topic'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'settlement_consumer_lag_messages',
      help: 'Messages of a partition not yet consumed, as of the consumer\'s last batch there',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.consumerJoined = new Gauge({ name: 'settlement_consumer_joined', help: '1 while the consumer is in its group, 0 otherwise', registers });
    for (const topic of ['card.authorizations', 'card.clearing'] as const) {
      for (const outcome of ['posted', 'nothing-to-post', 'duplicate', 'dead-lettered']) this.events.inc({ topic, outcome }, 0);
      this.deadLetters.inc({ topic }, 0);
    }
    this.deadLetters.inc({ topic: 'ledger.postings' }, 0);
    this.consumerJoined.set(0);
  }

  settled(topic: ConsumedTopic, verdicts: readonly EventVerdict[], posted: readonly PostedEntry[]): void {
    for (const verdict of verdicts) this.events.inc({ topic, outcome: verdict.status === 'poison' ? 'dead-lettered' : verdict.status });
    for (const { entry } of posted) {
      this.entries.inc({ source_topic: entry.topic, entry_type: entry.type });
      const match = entry.details.match;
      if (entry.topic === 'card.clearing' && typeof match === 'string') this.clearingRecords.inc({ type: entry.type, match });
    }
  }

  chunkDuration(topic: ConsumedTopic, seconds: number): void {
    this.chunkSeconds.observe({ topic }, seconds);
  }

  deadLettered(topic: ConsumedTopic | 'ledger.postings', count: number): void {
    this.deadLetters.inc({ topic }, count);
  }

  postingsPublished(count: number): void {
    this.postings.inc(count);
  }

  lag(topic: ConsumedTopic, partition: number, messages: number): void {
    this.consumerLag.set({ topic, partition: String(partition) }, messages);
  }

  joined(isJoined: boolean): void {
    this.consumerJoined.set(isJoined ? 1 : 0);
  }
}
