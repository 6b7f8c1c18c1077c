import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { AuthorizationEvent, findCardData, validateEvent } from '@lib/events';
import { HoldRecord, keys } from '@lib/store';
import { integrationConfig, uniqueId, waitFor } from '@lib/testing';
import { SAMPLE_NOW_MS } from '../../events/src/testing/event-samples';
import { OutboxRelay, OutboxRelayOptions, RelayLogger } from './outbox-relay';
import { relayKeys } from './relay-keys';
import {
  ConsumedMessage,
  createTopics,
  deleteTopics,
  DEBIT_MINOR,
  eventIdsByKey,
  fund,
  isolatedRedis,
  outboxBacklog,
  readWholeTopic,
  testKafka,
  writeDecision,
  writeDecisions,
} from './testing/relay-fixtures';

/**
 * The relay against the real Redis and the shared Kafka broker (nothing mocked). Entries are
 * written by the real atomic step. Isolation: the relay's pending set and safety scan are global
 * to a Redis database, so this file works in logical database 13 (11 is the back office spec's,
 * 14 the Kafka outage spec's), and on topics of its own, deleted at the end.
 */
const REDIS_DB = 13;
const config = integrationConfig();
const redis: Redis = isolatedRedis(config.redis, REDIS_DB, 'outbox-relay-int');
const writer: Redis = isolatedRedis(config.redis, REDIS_DB, 'outbox-relay-int-writer');
const kafka: Kafka = testKafka(config.kafka, uniqueId('outbox-relay-int'));
const topic = uniqueId('relay-test.card.authorizations');
const deadLetterTopic = `${topic}.dlq`;

const quietLogger = (): RelayLogger & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, warn: (m) => lines.push(m), error: (m) => lines.push(m) };
};

const relays: OutboxRelay[] = [];
function startRelay(connection: Redis, options: OutboxRelayOptions = {}): OutboxRelay {
  const relay = new OutboxRelay(connection, kafka, {
    topic,
    deadLetterTopic,
    logger: quietLogger(),
    sendTimeoutMs: 5_000,
    leaseMs: 15_000,
    ...options,
  });
  relays.push(relay);
  relay.start();
  return relay;
}

beforeAll(async () => {
  await Promise.all([redis.connect(), writer.connect()]);
  // This file's own database: an interrupted earlier run must not leave outboxes for this one.
  await redis.flushdb();
  await createTopics(kafka, [
    { name: topic, partitions: 6 },
    { name: deadLetterTopic, partitions: 1 },
  ]);
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
  // Each test starts from an empty database: a failed test's leftovers must not fail the next.
  await redis.flushdb();
});

afterAll(async () => {
  await deleteTopics(kafka, [topic, deadLetterTopic]).catch(() => undefined);
  await Promise.all([redis.quit(), writer.quit()]);
});

async function ourMessages(accountIds: readonly string[]): Promise<ConsumedMessage[]> {
  const ours = new Set(accountIds);
  return (await readWholeTopic(kafka, topic)).filter((m) => ours.has(m.key));
}

async function waitUntilRelayed(accountIds: readonly string[], timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () => ((await outboxBacklog(writer, accountIds)) === 0 ? true : undefined),
    timeoutMs,
    50,
  );
}

describe('OutboxRelay (real Redis, real Kafka)', () => {
  it('delivers every entry once, in outbox order per account, key = account id, schema-valid, distinct eventIds', async () => {
    const accounts = Array.from({ length: 12 }, () => uniqueId('acct'));
    const stepsPerAccount = 40;
    const expected = new Map<string, string[]>();
    await Promise.all(
      accounts.map(async (accountId) => {
        // 35 debits are covered: the last 5 decline. The first approval opens a hold that the
        // second step finds expired (atomic-step.lua step 1): a hold.expired entry before it.
        await fund(writer, accountId, 35 * DEBIT_MINOR);
        const hold: HoldRecord = {
          holdId: `hold-${accountId}`,
          transactionId: '123456789012345',
          cardId: 'card-1',
          currency: 'EUR',
          amountMinor: 50,
          remainingMinor: 50,
          feesMinor: 0,
          openedAt: SAMPLE_NOW_MS,
          expiresAt: SAMPLE_NOW_MS + 10,
          kind: 'pre-authorisation',
        };
        const ids: string[] = [];
        for (let i = 0; i < stepsPerAccount; i++) {
          const written = await writeDecision(writer, accountId, `${accountId}-e${i}`, {
            nowMs: SAMPLE_NOW_MS + 20 * i,
            hold: i === 0 ? hold : undefined,
          });
          if (i === 1) ids.push(`hold-expired:${accountId}:${hold.holdId}`);
          ids.push(written.eventId);
        }
        expected.set(accountId, ids);
      }),
    );
    const total = accounts.length * (stepsPerAccount + 1);
    expect(await outboxBacklog(writer, accounts)).toBe(total);

    // Small batches: an account needs several turns, so the put-back of unfinished accounts is exercised.
    const startedMs = Date.now();
    const relay = startRelay(redis, { entriesPerAccount: 7, accountsPerTurn: 5 });
    await waitUntilRelayed(accounts);
    const elapsedMs = Date.now() - startedMs;

    const messages = await ourMessages(accounts);
    expect(messages).toHaveLength(total);
    expect(new Set(messages.map((m) => m.headers.eventId)).size).toBe(total);
    expect(eventIdsByKey(messages)).toEqual(expected);
    // One account, one partition: its order is the topic's.
    for (const accountId of accounts)
      expect(new Set(messages.filter((m) => m.key === accountId).map((m) => m.partition)).size).toBe(1);

    const events = messages.map((m) => JSON.parse(m.value) as AuthorizationEvent);
    expect(events.filter((e) => !validateEvent(e).valid)).toEqual([]);
    expect(events.filter((e) => findCardData(e).length > 0)).toEqual([]);
    expect(
      events.every((e, i) => e.accountId === messages[i].key && e.eventId === messages[i].headers.eventId),
    ).toBe(true);
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect([count('authorization.approved'), count('authorization.declined'), count('hold.expired')]).toEqual(
      [35 * 12, 5 * 12, 12],
    );
    // Balances after, as the step reported them: the first decline of an account sees 0 available.
    const firstDecline = events.find(
      (e) => e.accountId === accounts[0] && e.type === 'authorization.declined',
    );
    expect(firstDecline?.balancesAfter.available).toEqual({ minor: '50', currency: 'EUR' });

    expect(relay.metrics()).toMatchObject({ relayedEvents: total, deadLettered: 0, failedAttempts: 0 });
    expect(await redis.scard(relayKeys.outboxPending())).toBe(0);
    process.stdout.write(
      `relay: ${total} events over ${accounts.length} accounts in ${elapsedMs} ms (batches of 7 per account)\n`,
    );
  });

  it('two relays on one Redis: each entry delivered, none twice, order kept, both at work', async () => {
    const accounts = Array.from({ length: 60 }, () => uniqueId('acct'));
    await Promise.all(accounts.map((id) => fund(writer, id, 1_000_000)));
    const first = startRelay(redis, { entriesPerAccount: 5, accountsPerTurn: 8 });
    const secondConnection = isolatedRedis(config.redis, REDIS_DB, 'outbox-relay-int-2');
    await secondConnection.connect();
    try {
      const second = startRelay(secondConnection, { entriesPerAccount: 5, accountsPerTurn: 8 });
      // Written while both relays run, so that they compete for the same accounts.
      const written = await Promise.all(
        accounts.map(async (id) => [id, await writeDecisions(writer, id, 25)] as const),
      );
      await waitUntilRelayed(accounts);

      const messages = await ourMessages(accounts);
      expect(messages).toHaveLength(accounts.length * 25);
      expect(new Set(messages.map((m) => m.headers.eventId)).size).toBe(messages.length);
      expect(eventIdsByKey(messages)).toEqual(new Map(written));
      const [a, b] = [first.metrics(), second.metrics()];
      expect(a.relayedEvents + b.relayedEvents).toBe(messages.length);
      expect(a.relayedEvents).toBeGreaterThan(0);
      expect(b.relayedEvents).toBeGreaterThan(0);
      await first.stop();
      await second.stop();
      expect(await redis.keys('outbox:lease:*')).toEqual([]);
    } finally {
      await secondConnection.quit();
    }
  });

  it('a lease held by another relay keeps this relay off that account until it is released', async () => {
    const accountId = uniqueId('acct');
    await fund(writer, accountId, 10_000);
    await writeDecisions(writer, accountId, 3);
    await redis.set(keys.outboxLease(accountId), 'another-relay', 'PX', 60_000);
    const relay = startRelay(redis);
    await waitFor(() => (relay.metrics().leaseConflicts >= 3 ? true : undefined), 10_000);
    expect(await writer.xlen(keys.outbox(accountId))).toBe(3);
    // Put back after each conflict (the relay may hold it for an instant between SPOP and SADD).
    await waitFor(async () => ((await redis.sismember(relayKeys.outboxPending(), accountId)) === 1 ? true : undefined), 5_000);
    await redis.del(keys.outboxLease(accountId));
    await waitUntilRelayed([accountId]);
    expect(eventIdsByKey(await ourMessages([accountId])).get(accountId)).toEqual([
      `${accountId}-e0`,
      `${accountId}-e1`,
      `${accountId}-e2`,
    ]);
  });

  it('the safety scan finds outboxes whose account never reached the pending set', async () => {
    const accounts = [uniqueId('acct'), uniqueId('acct')];
    for (const id of accounts) {
      await fund(writer, id, 10_000);
      await writeDecisions(writer, id, 4, false);
    }
    expect(await redis.scard(relayKeys.outboxPending())).toBe(0);
    const relay = startRelay(redis, { safetyScanIntervalMs: 200 });
    await waitUntilRelayed(accounts);
    expect(relay.metrics().requeuedByScan).toBeGreaterThanOrEqual(2);
    expect((await ourMessages(accounts)).length).toBe(8);
  });

  it('a paced safety scan (pause between pages) still finds every unannounced outbox', async () => {
    const accounts = Array.from({ length: 5 }, () => uniqueId('acct'));
    for (const accountId of accounts) {
      await fund(writer, accountId, 10 * DEBIT_MINOR);
      await writeDecisions(writer, accountId, 2, false);
    }
    // Pages of 2 keys with a pause after each: the pass is spread out and still complete.
    const relay = startRelay(redis, { scanCount: 2, scanPauseMs: 5 });
    await waitUntilRelayed(accounts);
    expect(relay.metrics().requeuedByScan).toBe(accounts.length);
    expect(await ourMessages(accounts)).toHaveLength(2 * accounts.length);
  });

  it('events trickling in one by one leave in sends of several (the relay gathers after a partial turn)', async () => {
    const accounts = Array.from({ length: 60 }, () => uniqueId('acct'));
    await Promise.all(accounts.map((accountId) => fund(writer, accountId, 10 * DEBIT_MINOR)));
    // One relay loop, a long gather: after the turn that finds the first event, the loop waits
    // while the others arrive (one every ~2 ms, slower on a busy machine). Without gathering,
    // turns follow each other as fast as Redis answers and most sends carry one event.
    const relay = startRelay(redis, { concurrency: 1, gatherMs: 200 });
    for (const accountId of accounts) {
      await writeDecision(writer, accountId, `${accountId}-e0`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await waitUntilRelayed(accounts);
    const { relayedEvents, acknowledgedSends } = relay.metrics();
    expect(relayedEvents).toBe(accounts.length);
    expect(acknowledgedSends).toBeLessThanOrEqual(10);
    expect(await ourMessages(accounts)).toHaveLength(accounts.length);
  });

  it('dead-letters an entry that is not a valid event (reason, card data masked) and relays the rest in order', async () => {
    const accountId = uniqueId('acct');
    const pan = '4111111111111111';
    await fund(writer, accountId, 10_000);
    await writeDecision(writer, accountId, `${accountId}-ok1`);
    await writeDecision(writer, accountId, `${accountId}-pan`, {
      record: { merchant: { id: 'M1', name: `SHOP ${pan}`, country: 'FR' } },
    });
    await writeDecision(writer, accountId, `${accountId}-mcc`, { record: { mcc: 'grocery' } });
    await writeDecision(writer, accountId, `${accountId}-ok2`);
    const logger = quietLogger();
    const relay = startRelay(redis, { logger });
    await waitUntilRelayed([accountId]);

    expect(eventIdsByKey(await ourMessages([accountId])).get(accountId)).toEqual([
      `${accountId}-ok1`,
      `${accountId}-ok2`,
    ]);
    const dead = (await readWholeTopic(kafka, deadLetterTopic)).filter((m) => m.key === accountId);
    expect(dead.map((m) => JSON.parse(m.value))).toEqual([
      expect.objectContaining({
        eventId: `${accountId}-pan`,
        stage: 'card-data',
        reason: 'card data found at /merchant/name (pan)',
        topic,
      }),
      expect.objectContaining({
        eventId: `${accountId}-mcc`,
        stage: 'schema',
        reason: expect.stringContaining('/mcc must match pattern'),
      }),
    ]);
    expect(dead[0].value).not.toContain(pan);
    expect(JSON.parse(dead[0].value).entry.decision.record.merchant.name).toBe('SHOP 411111******1111');
    expect(relay.metrics()).toMatchObject({ deadLettered: 2, deadLetteredToRedis: 0, relayedEvents: 2 });
    expect(logger.lines.join('\n')).not.toContain(pan);
    expect(logger.lines.filter((l) => l.includes('dead-lettered'))).toHaveLength(2);
  });

  it('graceful stop: the in-flight batch ends, no lease is left, and every entry is delivered or still queued', async () => {
    const accounts = Array.from({ length: 40 }, () => uniqueId('acct'));
    await Promise.all(accounts.map((id) => fund(writer, id, 1_000_000)));
    await Promise.all(accounts.map((id) => writeDecisions(writer, id, 30)));
    const relay = startRelay(redis, { entriesPerAccount: 3, accountsPerTurn: 4 });
    await waitFor(() => (relay.metrics().relayedEvents > 0 ? true : undefined), 10_000, 5);
    await relay.stop();

    const delivered = (await ourMessages(accounts)).length;
    const backlog = await outboxBacklog(writer, accounts);
    expect(delivered).toBeGreaterThan(0);
    expect(backlog).toBeGreaterThan(0);
    expect(delivered + backlog).toBe(accounts.length * 30);
    expect(relay.metrics().relayedEvents).toBe(delivered);
    expect(await redis.keys('outbox:lease:*')).toEqual([]);
    // Whatever is left is findable again: each account with entries is back in the pending set.
    for (const id of accounts) {
      if ((await writer.xlen(keys.outbox(id))) > 0)
        expect(await redis.sismember(relayKeys.outboxPending(), id)).toBe(1);
    }
    // A new relay finishes the job.
    startRelay(redis);
    await waitUntilRelayed(accounts);
    expect(new Set((await ourMessages(accounts)).map((m) => m.headers.eventId)).size).toBe(
      accounts.length * 30,
    );
  });
});
