import Redis from 'ioredis';
import { Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { ClearingApplier, LedgerRepository, SettleBatchUseCase } from '@lib/ledger';
import type { Clock } from '@lib/clock';
import { createPgPool } from '@lib/platform';
import type { ProgramCatalogue } from '@lib/programs';
import { integrationConfig, uniqueId, waitFor } from '@lib/testing';
import { consumerLag } from '../consumer/consumer-lag';
import { SettlementConsumer, SettlementConsumerOptions } from '../consumer/settlement-consumer';

/**
 * Fixtures of the settlement integration tests: topics of their own per test file (the shared
 * broker's spec topics carry every other test's traffic), a Redis logical database of their own
 * when a test runs the outbox relay (its pending set is global), and the consumer built as the app
 * builds it.
 */
export const config = integrationConfig();

export function testKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [`${config.kafka.host}:${config.kafka.port}`], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}

export interface TopicSet {
  readonly authorizations: string;
  readonly clearing: string;
  readonly postings: string;
}

export async function createTopicSet(kafka: Kafka, prefix = uniqueId('t')): Promise<TopicSet> {
  const set = { authorizations: `${prefix}.card.authorizations`, clearing: `${prefix}.card.clearing`, postings: `${prefix}.ledger.postings` };
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: set.authorizations, numPartitions: 3 },
        { topic: set.clearing, numPartitions: 3 },
        { topic: set.postings, numPartitions: 3 },
        { topic: `${set.authorizations}.dlq`, numPartitions: 1 },
        { topic: `${set.clearing}.dlq`, numPartitions: 1 },
      ].map((t) => ({ ...t, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
  return set;
}

export async function deleteTopicSet(kafka: Kafka, set: TopicSet): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [set.authorizations, set.clearing, set.postings, `${set.authorizations}.dlq`, `${set.clearing}.dlq`] });
  } catch {
    // Best effort: a leftover test topic costs nothing.
  } finally {
    await admin.disconnect();
  }
}

/** Everything published on a topic, from the beginning, while the collector runs. */
export async function collect(kafka: Kafka, topic: string): Promise<{ messages: KafkaMessage[]; stop: () => Promise<void> }> {
  // A short fetch wait: kafkajs' disconnect waits for the fetch in flight (5 s by default).
  const consumer = kafka.consumer({ groupId: uniqueId('collect'), sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 200 });
  const messages: KafkaMessage[] = [];
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  await joined;
  return { messages, stop: () => consumer.disconnect() };
}

export async function produce(kafka: Kafka, topic: string, messages: { key: string; value: string }[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** A Redis connection on a logical database of its own (keeps a test's relay away from other tests' outboxes). */
export async function isolatedRedis(db: number, name: string): Promise<Redis> {
  const redis = new Redis({ host: config.redis.host, port: config.redis.port, db, connectionName: name, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  return redis;
}

export function testPool(): Pool {
  return createPgPool({ ...config.postgres, poolSize: 8 });
}

export interface ConsumerUnderTest {
  readonly consumer: SettlementConsumer;
  readonly repository: LedgerRepository;
  readonly groupId: string;
  readonly log: string[];
}

export async function startConsumer(
  deps: { kafka: Kafka; redis: Redis; pool: Pool; catalogue: ProgramCatalogue; clock: Clock; topics: TopicSet },
  options: Partial<SettlementConsumerOptions> = {},
): Promise<ConsumerUnderTest> {
  const repository = new LedgerRepository(deps.pool, deps.clock);
  const settle = new SettleBatchUseCase({ repository, clearing: new ClearingApplier({ redis: deps.redis, catalogue: deps.catalogue, clock: deps.clock, disputes: repository }) });
  const groupId = uniqueId('settlement-test');
  const log: string[] = [];
  const consumer = new SettlementConsumer({
    kafka: deps.kafka,
    groupId,
    topics: deps.topics,
    settle,
    maxRetries: 1,
    retryBackoffMs: 20,
    partitionsConcurrently: 3,
    sessionTimeoutMs: 10_000,
    log: (line) => void log.push(line),
    // A posting that fails its schema is a bug: tests fail on it instead of dead-lettering it.
    invalidPostings: 'throw',
    ...options,
  });
  await consumer.start();
  return { consumer, repository, groupId, log };
}

/** Waits until the group has consumed everything published on both topics (lag 0). */
export async function drained(kafka: Kafka, groupId: string, topics: TopicSet, timeoutMs = 30_000): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(async () => ((await consumerLag(admin, groupId, [topics.authorizations, topics.clearing])).consumerLag === 0 ? true : undefined), timeoutMs, 100);
  } finally {
    await admin.disconnect();
  }
}
