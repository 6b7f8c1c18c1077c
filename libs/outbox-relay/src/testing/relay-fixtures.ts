import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig, RedisConfig } from '@lib/config';
import { DecisionRecord } from '@lib/events';
import { AtomicStepPlan, BALANCES_KEY, HoldRecord, keys, runAtomicStep, StepKeys } from '@lib/store';
import { uniqueId, waitFor } from '@lib/testing';
import { sampleRecord, SAMPLE_NOW_MS } from '../../../events/src/testing/event-samples';

/**
 * Integration-test fixtures of the relay: decisions written by the real atomic step (the true
 * outbox format), topics on a real broker, and a reader that consumes a whole topic.
 */

/**
 * A Redis connection on a logical database of its own. The relay's keys (`outbox:pending`, the
 * `{a:*}:outbox` scan) are global: on database 0 a test relay would take the outboxes of other
 * tests running at the same time, and theirs ours. Each relay test file uses its own database.
 */
export function isolatedRedis(config: RedisConfig, db: number, name: string): Redis {
  return new Redis({
    host: config.host,
    port: config.port,
    db,
    connectionName: name,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
}

export function testKafka(config: KafkaConfig, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [`${config.host}:${config.port}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { initialRetryTime: 100, retries: 3 },
  });
}

export async function createTopics(
  kafka: Kafka,
  topics: { name: string; partitions: number }[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

export interface ConsumedMessage {
  key: string;
  value: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

/** Every message of a topic, read by a fresh consumer group from the beginning to the high watermark. */
export async function readWholeTopic(
  kafka: Kafka,
  topic: string,
  timeoutMs = 30_000,
): Promise<ConsumedMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const total = offsets.reduce((n, p) => n + (Number(p.high) - Number(p.low)), 0);
  if (total === 0) return [];
  const consumer = kafka.consumer({
    groupId: uniqueId('relay-test-reader'),
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
  });
  const messages: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        messages.push({
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          partition,
          offset: message.offset,
          headers,
        });
      },
    });
    await waitFor(() => (messages.length >= total ? true : undefined), timeoutMs, 50);
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

export const DEBIT_MINOR = 100;

/** Fund an account's EUR wallet (ledger and available). */
export async function fund(redis: Redis, accountId: string, minor: number): Promise<void> {
  await redis.hset(keys.balances(accountId), 'EUR:ledger', minor, 'EUR:avail', minor);
}

/** A debit of DEBIT_MINOR: approved while funds last, then declined `funds` (insufficient-funds). */
function debitPlan(hold?: HoldRecord): AtomicStepPlan {
  return {
    checks: [
      { name: 'funds', type: 'hbump', key: BALANCES_KEY, field: 'EUR:avail', by: -DEBIT_MINOR, min: 0 },
    ],
    onApprove: hold ? [{ type: 'hold', hold }] : [],
    onDecline: {},
    report: [
      { key: BALANCES_KEY, field: 'EUR:ledger' },
      { key: BALANCES_KEY, field: 'EUR:avail' },
    ],
  };
}

export interface WrittenDecision {
  eventId: string;
  approved: boolean;
}

/**
 * One decision through the real atomic step (which appends it to the account's outbox), then the
 * gateway's SADD of the account to the pending set unless `announce` is false (a gateway that
 * died between the two). `record` overrides let a test write an entry the relay must refuse.
 */
export async function writeDecision(
  redis: Redis,
  accountId: string,
  eventId: string,
  options: { nowMs?: number; hold?: HoldRecord; announce?: boolean; record?: Partial<DecisionRecord> } = {},
): Promise<WrittenDecision> {
  const record = sampleRecord(accountId, eventId, {
    approved: { ...sampleRecord(accountId, eventId).approved, hold: null, holdEffect: null },
    ...options.record,
  });
  const result = await runAtomicStep<DecisionRecord>(
    redis,
    new StepKeys(accountId),
    debitPlan(options.hold),
    options.nowMs ?? SAMPLE_NOW_MS,
    JSON.stringify(record),
  );
  if (result.status !== 'done') throw new Error(`atomic step: ${result.status}`);
  if (options.announce !== false) await redis.sadd(keys.outboxPending(), accountId);
  return { eventId, approved: result.outcome.declined === false };
}

/** `count` decisions on one account, one after the other (their outbox order is the write order). */
export async function writeDecisions(
  redis: Redis,
  accountId: string,
  count: number,
  announce = true,
): Promise<string[]> {
  const eventIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const eventId = `${accountId}-e${i}`;
    await writeDecision(redis, accountId, eventId, { announce });
    eventIds.push(eventId);
  }
  return eventIds;
}

/** Total entries left in the outboxes of these accounts. */
export async function outboxBacklog(redis: Redis, accountIds: readonly string[]): Promise<number> {
  const pipeline = redis.pipeline();
  for (const id of accountIds) pipeline.xlen(keys.outbox(id));
  const replies = (await pipeline.exec()) ?? [];
  return replies.reduce((n, [, len]) => n + Number(len), 0);
}

/** The eventIds of one key's messages, in topic order (one account = one partition). */
export function eventIdsByKey(messages: readonly ConsumedMessage[]): Map<string, string[]> {
  const byKey = new Map<string, string[]>();
  const sorted = [...messages].sort(
    (a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
  for (const m of sorted) {
    const list = byKey.get(m.key) ?? [];
    list.push((JSON.parse(m.value) as { eventId: string }).eventId);
    byKey.set(m.key, list);
  }
  return byKey;
}
