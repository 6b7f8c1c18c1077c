import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { CARD_AUTHORIZATIONS_TOPIC } from '@lib/events';
import { keys } from '@lib/store';
import { integrationConfig, PrivateKafka, uniqueId, waitFor } from '@lib/testing';
import { OutboxRelay, RelayLogger } from './outbox-relay';
import { relayKeys } from './relay-keys';
import {
  ConsumedMessage,
  eventIdsByKey,
  fund,
  isolatedRedis,
  outboxBacklog,
  readWholeTopic,
  testKafka,
  writeDecision,
} from './testing/relay-fixtures';

/**
 * Spec issue 5: "Kafka down -> authorisations still answered, events delivered when it returns,
 * none lost, none duplicated downstream by eventId". The broker is a private one (its own ports
 * and data directory, libs/testing/private-kafka.ts) that this test kills and restarts; the
 * shared broker is never touched. Redis: the shared server, logical database 14 (this file's).
 */
const REDIS_DB = 14;
const ACCOUNTS = 100;
const DEAD_LETTER_TOPIC = `${CARD_AUTHORIZATIONS_TOPIC}.dlq`;

const config = integrationConfig();
const redis: Redis = isolatedRedis(config.redis, REDIS_DB, 'kafka-outage-relay');
const writer: Redis = isolatedRedis(config.redis, REDIS_DB, 'kafka-outage-writer');
let broker: PrivateKafka;
let kafka: Kafka;
let relay: OutboxRelay | undefined;
let bootRelay: OutboxRelay | undefined;
const logLines: string[] = [];
const logger: RelayLogger = { warn: (m) => logLines.push(m), error: (m) => logLines.push(m) };

beforeAll(async () => {
  await Promise.all([redis.connect(), writer.connect()]);
  // This file's own database: an interrupted earlier run must not leave outboxes for this one.
  await redis.flushdb();
  broker = await PrivateKafka.start({
    topics: [
      { name: CARD_AUTHORIZATIONS_TOPIC, partitions: 6 },
      { name: DEAD_LETTER_TOPIC, partitions: 1 },
    ],
  });
  kafka = testKafka(broker.config, uniqueId('kafka-outage'));
}, 60_000);

afterAll(async () => {
  await Promise.all([relay?.stop(), bootRelay?.stop()]);
  await broker?.destroy();
  await Promise.all([redis.quit(), writer.quit()]);
});

/** Writes `perAccount` decisions on each account (each account in order, accounts at once); returns step latencies (ms). */
async function writeRound(
  accounts: readonly string[],
  round: string,
  perAccount: number,
  expected: Map<string, string[]>,
): Promise<number[]> {
  const latenciesMs: number[] = [];
  await Promise.all(
    accounts.map(async (accountId) => {
      for (let i = 0; i < perAccount; i++) {
        const startedMs = performance.now();
        const { eventId } = await writeDecision(writer, accountId, `${accountId}-${round}-${i}`);
        latenciesMs.push(performance.now() - startedMs);
        expected.get(accountId)!.push(eventId);
      }
    }),
  );
  return latenciesMs;
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

describe('Kafka outage (private broker killed and restarted)', () => {
  it('answers every authorisation while Kafka is down, then delivers every event once by eventId, in order', async () => {
    const accounts = Array.from({ length: ACCOUNTS }, () => uniqueId('acct'));
    const expected = new Map(accounts.map((id) => [id, [] as string[]]));
    await Promise.all(accounts.map((id) => fund(writer, id, 100_000_000)));
    relay = new OutboxRelay(redis, kafka, {
      logger,
      sendTimeoutMs: 3_000,
      leaseMs: 10_000,
      backoffMaxMs: 1_000,
      safetyScanIntervalMs: 1_000,
    });
    relay.start();

    // 1. Kafka up: 500 events flow.
    await writeRound(accounts, 'up', 5, expected);
    await waitFor(async () => ((await outboxBacklog(writer, accounts)) === 0 ? true : undefined), 20_000);

    // 2. A backlog of 3,000 is being relayed when the broker crashes (SIGKILL mid-flight).
    await writeRound(accounts, 'crash', 30, expected);
    await waitFor(() => (relay!.metrics().relayedEvents >= 500 + 300 ? true : undefined), 20_000, 2);
    await broker.stop('SIGKILL');
    const relayedBeforeOutage = relay.metrics().relayedEvents;

    // 3. Kafka down: 10,000 authorisations answered (the atomic step does not wait on Kafka).
    const downStartedMs = performance.now();
    const latenciesMs = await writeRound(accounts, 'down', 100, expected);
    const writeMs = performance.now() - downStartedMs;
    expect(latenciesMs).toHaveLength(10_000);
    await waitFor(() => (relay!.metrics().failedAttempts >= 3 ? true : undefined), 30_000);
    const backlogDuringOutage = await outboxBacklog(writer, accounts);
    expect(backlogDuringOutage).toBeGreaterThanOrEqual(10_000);
    const outage = relay.metrics();

    // 4. Kafka back on the same data directory: the relay catches up on its own.
    await broker.resume();
    const resumedMs = performance.now();
    await waitFor(async () => ((await outboxBacklog(writer, accounts)) === 0 ? true : undefined), 60_000);
    const catchUpMs = performance.now() - resumedMs;

    const total = ACCOUNTS * (5 + 30 + 100);
    const messages: ConsumedMessage[] = (
      await readWholeTopic(kafka, CARD_AUTHORIZATIONS_TOPIC, 60_000)
    ).filter((m) => expected.has(m.key));
    const distinct = new Set(messages.map((m) => m.headers.eventId));
    expect(distinct.size).toBe(total);
    expect([...expected.values()].flat().filter((id) => !distinct.has(id))).toEqual([]);
    // Order per account: the first delivery of each event follows the outbox order (a re-sent
    // batch after the crash may repeat events, never reorder their first occurrences).
    const firstOccurrences = new Map(
      [...eventIdsByKey(messages)].map(([key, ids]) => [key, [...new Set(ids)]]),
    );
    expect(firstOccurrences).toEqual(expected);
    expect(relay.metrics().deadLettered).toBe(0);
    process.stdout.write(
      [
        `outage: ${total} events (${messages.length - total} duplicates after the mid-flight crash; ${relayedBeforeOutage} relayed before it)`,
        `10,000 steps while Kafka was down in ${Math.round(writeMs)} ms: step latency p50 ${percentile(latenciesMs, 50).toFixed(2)} ms, p99 ${percentile(latenciesMs, 99).toFixed(2)} ms`,
        `failed relay attempts during the outage: ${outage.failedAttempts}; catch-up of ${backlogDuringOutage} events after restart: ${Math.round(catchUpMs)} ms (${Math.round(backlogDuringOutage / (catchUpMs / 1000))} events/s)`,
      ].join('\n') + '\n',
    );
  }, 120_000);

  it('starts with Kafka down (a gateway booting during an outage), keeps a dead letter in Redis, delivers all once Kafka is up', async () => {
    await relay?.stop();
    await broker.stop('SIGTERM');
    bootRelay = new OutboxRelay(redis, kafka, {
      logger,
      sendTimeoutMs: 3_000,
      leaseMs: 10_000,
      backoffMaxMs: 1_000,
      safetyScanIntervalMs: 1_000,
    });
    bootRelay.start();

    // An entry that can never be an event (a PAN in the merchant name): with the DLQ topic
    // unreachable too, it is kept in the Redis dead stream and leaves the outbox.
    const poisoned = uniqueId('acct');
    await fund(writer, poisoned, 10_000);
    await writeDecision(writer, poisoned, `${poisoned}-pan`, {
      record: { merchant: { id: 'M1', name: 'PAY 4111111111111111', country: 'FR' } },
    });
    await waitFor(() => (bootRelay!.metrics().deadLetteredToRedis === 1 ? true : undefined), 30_000);
    expect(await writer.xlen(relayKeys.outboxDead())).toBe(1);
    expect(await writer.xlen(keys.outbox(poisoned))).toBe(0);

    const accounts = Array.from({ length: 20 }, () => uniqueId('acct'));
    const expected = new Map(accounts.map((id) => [id, [] as string[]]));
    await Promise.all(accounts.map((id) => fund(writer, id, 1_000_000)));
    await writeRound(accounts, 'boot', 10, expected);
    const failedBefore = bootRelay.metrics().failedAttempts;
    await waitFor(() => (bootRelay!.metrics().failedAttempts >= failedBefore + 2 ? true : undefined), 30_000);
    expect(await outboxBacklog(writer, accounts)).toBe(200);
    expect(bootRelay.metrics().relayedEvents).toBe(0);

    await broker.resume();
    await waitFor(async () => ((await outboxBacklog(writer, accounts)) === 0 ? true : undefined), 30_000);
    await waitFor(async () => ((await writer.xlen(relayKeys.outboxDead())) === 0 ? true : undefined), 20_000);
    const messages = (await readWholeTopic(kafka, CARD_AUTHORIZATIONS_TOPIC, 60_000)).filter((m) =>
      expected.has(m.key),
    );
    expect(new Set(messages.map((m) => m.headers.eventId)).size).toBe(200);
    expect(new Map([...eventIdsByKey(messages)].map(([key, ids]) => [key, [...new Set(ids)]]))).toEqual(
      expected,
    );

    const dead = (await readWholeTopic(kafka, DEAD_LETTER_TOPIC)).filter((m) => m.key === poisoned);
    expect(dead.map((m) => JSON.parse(m.value).stage)).toEqual(['card-data']);
    expect(dead[0].value).not.toContain('4111111111111111');
    expect(logLines.join('\n')).not.toContain('4111111111111111');
    expect(bootRelay.metrics()).toMatchObject({
      deadLettered: 1,
      deadLetteredToRedis: 1,
      deadLettersForwarded: 1,
    });
  }, 90_000);
});
