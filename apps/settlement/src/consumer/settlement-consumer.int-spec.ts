import { join } from 'path';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { toClearingRecordEvent } from '@lib/clearing';
import { validateLedgerPostingEvent } from '@lib/events';
import { ClearingApplier, SettleBatchUseCase } from '@lib/ledger';
import { ManualClock } from '@lib/clock';
import { findRepoRoot } from '@lib/config';
import { authorisationRequest, NetworkMessageHandler, PinBlockCodec, seedAccount, seedCard } from '@lib/engine';
import { money } from '@lib/money';
import { loadProgramCatalogue } from '@lib/programs';
import { CardSecrets, keys } from '@lib/store';
import { uniqueId, waitFor } from '@lib/testing';
import {
  collect,
  config,
  ConsumerUnderTest,
  createTopicSet,
  deleteTopicSet,
  drained,
  isolatedRedis,
  produce,
  startConsumer,
  testKafka,
  testPool,
  TopicSet,
} from '../testing/settlement-fixtures';

/**
 * The ledger consumer on the real Kafka, Redis and PostgreSQL: idempotent posting, the dead-letter
 * queue, ledger.postings, and a clearing record moving the cache and the ledger together.
 */
const catalogue = loadProgramCatalogue(join(findRepoRoot(), 'config'));
const secrets = new CardSecrets(config.security.panHmacKey);
const NOW = Date.now();
const clock = new ManualClock(NOW);
let kafka: Kafka;
let redis: Redis;
let pool: Pool;
let topics: TopicSet;
let under: ConsumerUnderTest;

beforeAll(async () => {
  kafka = testKafka('settlement-consumer-test');
  redis = await isolatedRedis(12, 'settlement-consumer-test');
  pool = testPool();
  topics = await createTopicSet(kafka);
  under = await startConsumer({ kafka, redis, pool, catalogue, clock, topics }, { wallClockMs: () => DEAD_LETTER_WALL_MS });
});

afterAll(async () => {
  await under?.consumer.stop();
  await deleteTopicSet(kafka, topics);
  await Promise.allSettled([redis.quit(), pool.end()]);
});

function atmEvent(accountId: string, eventId: string) {
  return {
    schemaVersion: 1,
    eventId,
    type: 'authorization.approved',
    occurredAt: new Date(NOW).toISOString(),
    accountId,
    cardId: 'crd1',
    panMasked: '499999******0007',
    transactionId: '100000000000001',
    mti: '0200',
    processingCode: '010000',
    amount: { minor: '5000', currency: 'EUR' },
    billing: null,
    fx: null,
    fees: [{ type: 'atm-withdrawal', amount: { minor: '150', currency: 'EUR' } }],
    mcc: '6011',
    merchant: { id: 'ATM1', name: 'ATM', country: 'FR' },
    responseCode: '00',
    authCode: 'ABC123',
    approvedAmount: { minor: '5000', currency: 'EUR' },
    declineReason: null,
    hold: null,
    holdEffect: null,
    posted: { minor: '-5150', currency: 'EUR' },
    balancesAfter: { ledger: { minor: '4850', currency: 'EUR' }, available: { minor: '4850', currency: 'EUR' } },
    context: {},
  };
}

const POISON_PAN = '4999993107038284';
/** The consumer's wall clock for dead-letter stamps, fixed so the stamp can be checked. */
const DEAD_LETTER_WALL_MS = Date.UTC(2031, 0, 2, 3, 4, 5);

describe('settlement consumer (Kafka -> ledger)', () => {
  it('posts each event once, dead-letters what cannot be processed with its reason, and publishes every entry', async () => {
    const accountId = uniqueId('acc');
    const postings = await collect(kafka, topics.postings);
    const dlq = await collect(kafka, `${topics.authorizations}.dlq`);
    try {
      const atm = atmEvent(accountId, uniqueId('evt'));
      const load = { schemaVersion: 1, eventId: uniqueId('load'), type: 'account.loaded', occurredAt: new Date(NOW).toISOString(), accountId, loadId: 'load_1', amount: { minor: '10000', currency: 'EUR' }, method: 'sepa-transfer', fees: [] };
      await produce(kafka, topics.authorizations, [
        { key: accountId, value: JSON.stringify(load) },
        { key: accountId, value: JSON.stringify(atm) },
        { key: accountId, value: '{not json' },
        { key: accountId, value: JSON.stringify(atm) }, // the relay's at-least-once duplicate
        { key: accountId, value: JSON.stringify({ ...atm, eventId: uniqueId('evt'), amount: { minor: 'twelve', currency: 'EUR' } }) },
        // A poison message carrying a PAN in clear: dead-lettered, the PAN masked (invariant 6).
        { key: accountId, value: JSON.stringify({ not: 'an event', pan: POISON_PAN }) },
      ]);
      await drained(kafka, under.groupId, topics);
      expect(await under.repository.entriesOfEvent(atm.eventId)).toBe(1);
      expect(await under.repository.journalBalance(accountId, 'EUR')).toBe(10_000n - 5_150n);

      const letters = await waitFor(() => (dlq.messages.length >= 3 ? dlq.messages : undefined));
      const reasons = letters.map((m) => JSON.parse(m.value!.toString()) as { reason: string; source: { topic: string }; value: string; failedAt: string });
      expect(reasons.map((r) => r.failedAt)).toEqual(reasons.map(() => '2031-01-02T03:04:05.000Z'));
      expect(reasons.slice(0, 2).map((r) => r.reason)).toEqual(['not valid JSON', '/amount/minor must be an integer string']);
      expect(letters[2].value!.toString()).not.toContain(POISON_PAN);
      expect(JSON.parse(reasons[2].value)).toEqual({ not: 'an event', pan: '[redacted]' });
      expect(reasons[0].source.topic).toBe(topics.authorizations);
      expect(letters[0].headers?.['dlq-reason']?.toString()).toBe('not valid JSON');

      const published = await waitFor(() => {
        const mine = postings.messages.map((m) => JSON.parse(m.value!.toString())).filter((p) => p.accountId === accountId);
        return mine.length >= 2 ? mine : undefined;
      });
      expect(published.map((p) => p.entryType).sort()).toEqual(['account.loaded', 'authorization.approved']);
      for (const p of published) expect(validateLedgerPostingEvent(p)).toEqual({ valid: true });
      const posting = published.find((p) => p.entryType === 'authorization.approved');
      expect(posting.lines).toEqual([
        { ledgerAccount: `cardholder:${accountId}:EUR`, amount: { minor: '5150', currency: 'EUR' }, role: 'cardholder' },
        { ledgerAccount: 'fee-income:atm-withdrawal:EUR', amount: { minor: '-150', currency: 'EUR' }, role: 'fee:atm-withdrawal' },
        { ledgerAccount: 'network-settlement:EUR', amount: { minor: '-5000', currency: 'EUR' }, role: 'principal' },
      ]);
      expect(postings.messages.find((m) => JSON.parse(m.value!.toString()).entryId === posting.entryId)?.key?.toString()).toBe(accountId);
    } finally {
      await postings.stop();
      await dlq.stop();
    }
  });

  it('retries a failing batch, then isolates the message that keeps failing and dead-letters it; the others are posted', async () => {
    const own = await createTopicSet(kafka);
    const accountId = uniqueId('acc');
    const bad = atmEvent(accountId, uniqueId('evt-bad'));
    const good = [atmEvent(accountId, uniqueId('evt')), atmEvent(accountId, uniqueId('evt'))];
    // A bug in a rule for one event (not a contract violation, not an outage): every attempt fails.
    const real = new SettleBatchUseCase({ repository: under.repository, clearing: new ClearingApplier({ redis, catalogue, clock, disputes: under.repository }) });
    const flaky = { execute: (events: Parameters<SettleBatchUseCase['execute']>[0], options?: Parameters<SettleBatchUseCase['execute']>[1]) =>
      events.some((e) => String(e.value).includes(bad.eventId)) ? Promise.reject(new Error('rule exploded')) : real.execute(events, options) } as SettleBatchUseCase;
    const dlq = await collect(kafka, `${own.authorizations}.dlq`);
    const other = await startConsumer({ kafka, redis, pool, catalogue, clock, topics: own }, { settle: flaky });
    try {
      await produce(kafka, own.authorizations, [good[0], bad, good[1]].map((e) => ({ key: accountId, value: JSON.stringify(e) })));
      await drained(kafka, other.groupId, own);
      for (const event of good) expect(await under.repository.entriesOfEvent(event.eventId)).toBe(1);
      expect(await under.repository.entriesOfEvent(bad.eventId)).toBe(0);
      const letter = await waitFor(() => dlq.messages[0]);
      expect(JSON.parse(letter.value!.toString())).toMatchObject({ reason: 'failed after 2 attempts: rule exploded', source: { topic: own.authorizations } });
      expect(JSON.parse(JSON.parse(letter.value!.toString()).value).eventId).toBe(bad.eventId);
      expect(other.log.some((line) => line.includes('failed (attempt 2)'))).toBe(true);
    } finally {
      await other.consumer.stop();
      await dlq.stop();
      await deleteTopicSet(kafka, own);
    }
  });

  it('applies a presentment to the cache through the atomic step and the ledger together, once', async () => {
    const accountId = await seedAccount(redis, { program: 'eur-standard', balances: { EUR: 10_000n }, nowMs: NOW });
    const card = await seedCard(redis, secrets, { accountId, nowMs: NOW });
    const handler = new NetworkMessageHandler({ redis, catalogue, secrets, pinBlocks: new PinBlockCodec(config.security.zonePinKey), clock, redisBudgetMs: 2000 });
    const request = authorisationRequest({ pan: card.pan, stan: 1, amountMinor: 4_000, expiry: card.expiry, entryMode: '071' });
    const response = await handler.handle(request);
    expect(response?.get(39)).toBe('00');
    const ti = request.field48!.TI;
    expect(await redis.hlen(keys.holds(accountId))).toBe(1);

    const event = toClearingRecordEvent(
      { fileId: 'F1', processingDate: new Date(NOW).toISOString().slice(0, 10), records: 1 },
      { line: 2, recordId: uniqueId('rec'), type: 'presentment', transactionId: ti, pan: card.pan, authCode: null, amount: money(4_200n, 'EUR'), mcc: '5411', merchant: { id: 'M1', name: 'SHOP', country: 'FR' }, acquirerId: '12345678', final: true },
      { accountId, cardId: card.cardId },
      NOW,
    );
    await produce(kafka, topics.clearing, [{ key: accountId, value: JSON.stringify(event) }]);
    await drained(kafka, under.groupId, topics);
    const balances = await redis.hgetall(keys.balances(accountId));
    expect(balances).toMatchObject({ 'EUR:ledger': '5800', 'EUR:avail': '5800' });
    expect(await redis.hlen(keys.holds(accountId))).toBe(0);
    expect(await under.repository.journalBalance(accountId, 'EUR')).toBe(-4_200n);

    // The same record again (a re-read or a re-emitted event): nothing moves a second time.
    await produce(kafka, topics.clearing, [{ key: accountId, value: JSON.stringify(event) }]);
    await drained(kafka, under.groupId, topics);
    expect(await redis.hgetall(keys.balances(accountId))).toMatchObject({ 'EUR:ledger': '5800', 'EUR:avail': '5800' });
    expect(await under.repository.entriesOfEvent(event.eventId)).toBe(1);
    expect(under.consumer.stats.duplicates).toBeGreaterThanOrEqual(1);
  });
});
