import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { SystemClock } from '@lib/clock';
import { seedAccount, seedCard, SeededCard } from '@lib/engine';
import { LedgerRepository, LineBuilder, ledgerAccounts } from '@lib/ledger';
import { createPgPool, createRedis } from '@lib/platform';
import { CardSecrets } from '@lib/store';
import { bootApp, integrationConfig, uniqueId, waitFor } from '@lib/testing';
import { gatewayApp } from '../gateway.app';
import { collect, createTopicSet, deleteTopicSet, testKafka, TopicSet } from '../../../settlement/src/testing/settlement-fixtures';

/**
 * Idempotency of the clearing routes on the real services (http-and-events.md: "Writes take an
 * Idempotency-Key header: the same key with the same body returns the first result; with another
 * body, 409"; clearing.md: "A file with the same fileId ingested again posts nothing again").
 */
const config = integrationConfig();
const auth = { authorization: `Bearer ${config.security.backOfficeKeys[0]}` };
const NDJSON = { 'content-type': 'application/x-ndjson' };
const CONFLICT = { error: { code: 'idempotency-conflict', reason: 'this Idempotency-Key was used with another request (method, route or body)' } };
let app: NestFastifyApplication;
let kafka: Kafka;
let topics: TopicSet;
let redis: Redis;
let pool: Pool;
let card: SeededCard;

beforeAll(async () => {
  kafka = testKafka('gateway-clearing-idem-test');
  topics = await createTopicSet(kafka);
  app = await bootApp(gatewayApp, { ...process.env, GATEWAY_CLEARING_TOPIC: topics.clearing, GATEWAY_TCP_PORT: '0' });
  redis = createRedis(config.redis, 'gateway-clearing-idem-test');
  await redis.connect();
  pool = createPgPool({ ...config.postgres, poolSize: 2 });
  const accountId = await seedAccount(redis, { program: 'eur-standard', balances: { EUR: 10_000n }, nowMs: Date.now() });
  card = await seedCard(redis, new CardSecrets(config.security.panHmacKey), { accountId, nowMs: Date.now() });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await deleteTopicSet(kafka, topics);
  await Promise.allSettled([redis.quit(), pool.end()]);
});

const inject = (options: InjectOptions) => app.getHttpAdapter().getInstance().inject(options);
const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));
/** The record ids published for one file (the topic is shared by the tests of this file). */
const recordIdsOf = (messages: { value: Buffer | null }[], fileId: string) =>
  messages.map((m) => JSON.parse(m.value!.toString())).filter((e) => e.fileId === fileId || String(e.recordId ?? '').startsWith(`${fileId}-`)).map((e) => e.recordId as string);

function file(fileId: string, recordIds: string[]): string {
  const lines = recordIds.map((recordId) =>
    JSON.stringify({
      recordId,
      type: 'presentment',
      pan: card.pan,
      amount: { minor: '100', currency: 'EUR' },
      mcc: '5411',
      merchant: { id: 'MERCHANT0000001', name: 'SUPERMARCHE PARIS', country: 'FR' },
      acquirerId: '12345678',
      final: true,
    }),
  );
  return [JSON.stringify({ fileId, processingDate: '2026-11-23', records: lines.length }), ...lines].join('\n') + '\n';
}

describe('POST /v1/clearing/files', () => {
  it('replays the first answer for the same key and file; another file with the key is 409 and posts nothing', async () => {
    const events = await collect(kafka, topics.clearing);
    try {
      const key = uniqueId('idem');
      const fileId = uniqueId('CLR');
      const body = file(fileId, [`${fileId}-1`]);
      const first = await inject({ method: 'POST', url: '/v1/clearing/files', headers: { ...auth, ...NDJSON, 'idempotency-key': key }, payload: body });
      expect(first.statusCode).toBe(200);
      expect(first.headers['idempotency-replayed']).toBeUndefined();
      expect(first.json()).toMatchObject({ fileId, accepted: 1, emitted: 1, duplicates: 0 });

      const replay = await inject({ method: 'POST', url: '/v1/clearing/files', headers: { ...auth, ...NDJSON, 'idempotency-key': key }, payload: body });
      expect(replay.statusCode).toBe(200);
      expect(replay.headers['idempotency-replayed']).toBe('true');
      expect(replay.json()).toEqual(first.json());

      const otherId = uniqueId('CLR');
      const conflict = await inject({ method: 'POST', url: '/v1/clearing/files', headers: { ...auth, ...NDJSON, 'idempotency-key': key }, payload: file(otherId, [`${otherId}-1`]) });
      expect(conflict.statusCode).toBe(409);
      expect(conflict.json()).toEqual(CONFLICT);

      await settle();
      expect(recordIdsOf(events.messages, fileId)).toEqual([`${fileId}-1`]);
      expect(recordIdsOf(events.messages, otherId)).toEqual([]);
    } finally {
      await events.stop();
    }
  });

  it('keeps no 400 for the key: a corrected file may use it', async () => {
    const key = uniqueId('idem');
    const bad = await inject({ method: 'POST', url: '/v1/clearing/files', headers: { ...auth, ...NDJSON, 'idempotency-key': key }, payload: '{"records": 1}\n' });
    expect(bad.statusCode).toBe(400);
    const fileId = uniqueId('CLR');
    const good = await inject({ method: 'POST', url: '/v1/clearing/files', headers: { ...auth, ...NDJSON, 'idempotency-key': key }, payload: file(fileId, []) });
    expect(good.statusCode).toBe(200);
    expect(good.headers['idempotency-replayed']).toBeUndefined();
  });

  it('posts nothing again for a file id already ingested, even with new records (rejected with their line)', async () => {
    const events = await collect(kafka, topics.clearing);
    try {
      const fileId = uniqueId('CLR');
      const first = await inject({ method: 'POST', url: '/v1/clearing/files', headers: { ...auth, ...NDJSON }, payload: file(fileId, [`${fileId}-1`]) });
      expect(first.json()).toMatchObject({ fileId, accepted: 1, rejected: [], emitted: 1 });

      const resent = await inject({ method: 'POST', url: '/v1/clearing/files', headers: { ...auth, ...NDJSON }, payload: file(fileId, [`${fileId}-1`, `${fileId}-2`]) });
      expect(resent.statusCode).toBe(200);
      expect(resent.json()).toEqual({
        fileId,
        accepted: 1,
        rejected: [{ line: 3, reason: `file ${fileId} was already ingested: this record was not in it and is not posted (a file id posts once)` }],
        emitted: 0,
        duplicates: 1,
        unknownCards: 0,
        warnings: [],
      });
      await settle();
      expect(recordIdsOf(events.messages, fileId)).toEqual([`${fileId}-1`]);
      const stored = await pool.query('SELECT record_id FROM clearing_records WHERE file_id = $1', [fileId]);
      expect(stored.rows.map((r) => r.record_id)).toEqual([`${fileId}-1`]);
    } finally {
      await events.stop();
    }
  });
});

describe('POST /v1/accounts/{id}/disputes', () => {
  const TI = '555666777888999';
  const url = () => `/v1/accounts/${card.accountId}/disputes`;
  const body = (minor: string, transactionId = TI) => ({ transactionId, amount: { minor, currency: 'EUR' }, reason: 'goods not received' });
  const dispute = (payload: object, key: string) => inject({ method: 'POST', url: url(), headers: { ...auth, 'idempotency-key': key }, payload });

  beforeAll(async () => {
    const eventId = uniqueId('rec');
    await new LedgerRepository(pool, new SystemClock()).postBatch([
      {
        eventId,
        topic: 'card.clearing',
        entry: {
          eventId,
          topic: 'card.clearing',
          type: 'presentment',
          accountId: card.accountId,
          transactionId: TI,
          occurredAt: new Date().toISOString(),
          businessDate: '2026-11-23',
          memo: false,
          lines: new LineBuilder().add(ledgerAccounts.cardholder(card.accountId, 'EUR'), 'EUR', 4_000n, 'cardholder').add(ledgerAccounts.networkSettlement('EUR'), 'EUR', -4_000n, 'principal').lines,
          details: {},
        },
      },
    ]);
  });

  it('replays a raised dispute with its first status (201), body and Idempotency-Replayed, once', async () => {
    const events = await collect(kafka, topics.clearing);
    try {
      const key = uniqueId('idem');
      const first = await dispute(body('1000'), key);
      expect(first.statusCode).toBe(201);
      const replay = await dispute(body('1000'), key);
      expect(replay.statusCode).toBe(201);
      expect(replay.headers['idempotency-replayed']).toBe('true');
      expect(replay.json()).toEqual(first.json());
      expect((await dispute(body('900'), key)).json()).toEqual(CONFLICT);
      await waitFor(() => events.messages.find((m) => JSON.parse(m.value!.toString()).disputeId === first.json().disputeId));
      await settle();
      expect(events.messages.filter((m) => JSON.parse(m.value!.toString()).type === 'dispute.raised')).toHaveLength(1);
    } finally {
      await events.stop();
    }
  });

  it('replays a refusal (409) as it was, and keeps no 400', async () => {
    const key = uniqueId('idem');
    const first = await dispute(body('100', '111222333444555'), key);
    expect(first.statusCode).toBe(409);
    expect(first.json().error.code).toBe('not-cleared');
    const replay = await dispute(body('100', '111222333444555'), key);
    expect(replay.statusCode).toBe(409);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    expect((await dispute(body('100'), key)).json()).toEqual(CONFLICT);

    const other = uniqueId('idem');
    expect((await dispute({ ...body('100'), amount: { minor: '100', currency: 'GBP' } }, other)).statusCode).toBe(400);
    const corrected = await dispute(body('100'), other);
    expect(corrected.statusCode).toBe(201);
    expect(corrected.headers['idempotency-replayed']).toBeUndefined();
  });

  it("shares the account's idempotency keys with its other writes: a key used by a dispute is a conflict on a load", async () => {
    const key = uniqueId('idem');
    expect((await dispute(body('100'), key)).statusCode).toBe(201);
    const load = await inject({ method: 'POST', url: `/v1/accounts/${card.accountId}/loads`, headers: { ...auth, 'idempotency-key': key }, payload: { amount: { minor: '2000', currency: 'EUR' }, method: 'sepa-transfer' } });
    expect(load.statusCode).toBe(409);
    expect(load.json()).toEqual(CONFLICT);
  });
});
