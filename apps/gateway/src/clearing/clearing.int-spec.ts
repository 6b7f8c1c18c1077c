import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { parseClearingTopicEvent } from '@lib/clearing';
import { SystemClock } from '@lib/clock';
import { seedAccount, seedCard, SeededCard } from '@lib/engine';
import { LedgerRepository, LineBuilder, ledgerAccounts } from '@lib/ledger';
import { createPgPool, createRedis } from '@lib/platform';
import { CardSecrets } from '@lib/store';
import { bootApp, integrationConfig, uniqueId, waitFor } from '@lib/testing';
import { gatewayApp } from '../gateway.app';
import { collect, createTopicSet, deleteTopicSet, testKafka, TopicSet } from '../../../settlement/src/testing/settlement-fixtures';

/**
 * The gateway's clearing routes on the real services: `POST /v1/clearing/files` (NDJSON body,
 * one `card.clearing` event per accepted record, once) and `POST /v1/accounts/{id}/disputes`.
 */
const config = integrationConfig();
const KEY = config.security.backOfficeKeys[0];
const auth = { authorization: `Bearer ${KEY}` };
let app: NestFastifyApplication;
let kafka: Kafka;
let topics: TopicSet;
let redis: Redis;
let pool: Pool;
let card: SeededCard;

beforeAll(async () => {
  kafka = testKafka('gateway-clearing-test');
  topics = await createTopicSet(kafka);
  app = await bootApp(gatewayApp, { ...process.env, GATEWAY_CLEARING_TOPIC: topics.clearing });
  redis = createRedis(config.redis, 'gateway-clearing-test');
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

function file(fileId: string, lines: string[]): string {
  return [JSON.stringify({ fileId, processingDate: '2026-11-23', records: lines.length }), ...lines].join('\n') + '\n';
}

function record(recordId: string, pan: string, transactionId?: string): string {
  return JSON.stringify({
    recordId,
    type: 'presentment',
    ...(transactionId ? { transactionId } : {}),
    pan,
    authCode: 'A1B2C3',
    amount: { minor: '1250', currency: 'EUR' },
    mcc: '5411',
    merchant: { id: 'MERCHANT0000001', name: 'SUPERMARCHE PARIS', country: 'FR' },
    acquirerId: '12345678',
    final: true,
  });
}

describe('POST /v1/clearing/files', () => {
  it('needs the back-office key', async () => {
    const response = await inject({ method: 'POST', url: '/v1/clearing/files', headers: { 'content-type': 'application/x-ndjson' }, payload: file('F', []) });
    expect(response.statusCode).toBe(401);
  });

  it('emits one event per accepted record, keyed by account, masked; the same file again emits nothing', async () => {
    const events = await collect(kafka, topics.clearing);
    try {
      const fileId = uniqueId('CLR');
      const body = file(fileId, [record(`${fileId}-1`, card.pan, '123456789012345'), '{"broken', record(`${fileId}-3`, '4999990000000001')]);
      const response = await inject({ method: 'POST', url: '/v1/clearing/files', headers: { ...auth, 'content-type': 'application/x-ndjson; charset=utf-8' }, payload: body });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ fileId, accepted: 2, rejected: [{ line: 3, reason: 'not valid JSON' }], emitted: 2, duplicates: 0, unknownCards: 1, warnings: [] });
      const received = await waitFor(() => (events.messages.length >= 2 ? events.messages : undefined));
      const values = received.map((m) => m.value!.toString());
      for (const value of values) {
        expect(value).not.toContain(card.pan);
        expect(parseClearingTopicEvent(JSON.parse(value)).ok).toBe(true);
      }
      const mine = received.find((m) => JSON.parse(m.value!.toString()).recordId === `${fileId}-1`)!;
      expect(mine.key!.toString()).toBe(card.accountId);
      // The headers of every event message (docs/events.md), as the relay's.
      const mineEvent = JSON.parse(mine.value!.toString()) as { eventId: string; type: string };
      expect(Object.fromEntries(Object.entries(mine.headers ?? {}).map(([k, v]) => [k, v?.toString()]))).toEqual({ eventId: mineEvent.eventId, type: mineEvent.type, schemaVersion: '1' });
      expect(JSON.parse(mine.value!.toString())).toMatchObject({ eventId: `${fileId}-1`, accountId: card.accountId, cardId: card.cardId, panMasked: `${card.pan.slice(0, 6)}******${card.pan.slice(-4)}`, transactionId: '123456789012345' });
      const unknown = received.find((m) => JSON.parse(m.value!.toString()).recordId === `${fileId}-3`)!;
      expect(unknown.key!.toString()).toBe('suspense');

      const stored = await pool.query('SELECT pan_first6, pan_last4, pan_hash, status FROM clearing_records WHERE record_id = $1', [`${fileId}-1`]);
      expect(stored.rows[0]).toMatchObject({ pan_first6: card.pan.slice(0, 6), pan_last4: card.pan.slice(-4), status: 'emitted' });
      expect(JSON.stringify(stored.rows[0])).not.toContain(card.pan);

      const again = await inject({ method: 'POST', url: '/v1/clearing/files', headers: { ...auth, 'content-type': 'application/x-ndjson' }, payload: body });
      expect(again.json()).toMatchObject({ fileId, accepted: 2, emitted: 0, duplicates: 2 });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(events.messages).toHaveLength(2);
    } finally {
      await events.stop();
    }
  });

  it('refuses a file whose header is unreadable (line 1) and a body that is not NDJSON', async () => {
    const bad = await inject({ method: 'POST', url: '/v1/clearing/files', headers: { ...auth, 'content-type': 'application/x-ndjson' }, payload: '{"records": 1}\n' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: { code: 'validation', field: 'line 1', reason: 'header: fileId must be 1 to 64 characters A-Z a-z 0-9 _ -' } });
    const json = await inject({ method: 'POST', url: '/v1/clearing/files', headers: { ...auth, 'content-type': 'application/json' }, payload: { fileId: 'x' } });
    expect(json.statusCode).toBe(415);
  });

  it('leaves the JSON routes parsing JSON', async () => {
    const response = await inject({ method: 'POST', url: '/v1/accounts', headers: { ...auth, 'content-type': 'application/json' }, payload: { program: 'eur-standard', holder: { name: 'Ada', email: 'ada@example.test' } } });
    expect(response.statusCode).toBe(201);
    expect(response.json().accountId).toEqual(expect.any(String));
  });
});

describe('POST /v1/accounts/{id}/disputes', () => {
  const TI = '987654321098765';

  async function cleared(accountId: string, minor: bigint): Promise<void> {
    const eventId = uniqueId('rec');
    await new LedgerRepository(pool, new SystemClock()).postBatch([
      {
        eventId,
        topic: 'card.clearing',
        entry: {
          eventId,
          topic: 'card.clearing',
          type: 'presentment',
          accountId,
          transactionId: TI,
          occurredAt: new Date().toISOString(),
          businessDate: '2026-11-23',
          memo: false,
          lines: new LineBuilder().add(ledgerAccounts.cardholder(accountId, 'EUR'), 'EUR', minor, 'cardholder').add(ledgerAccounts.networkSettlement('EUR'), 'EUR', -minor, 'principal').lines,
          details: {},
        },
      },
    ]);
  }

  const url = () => `/v1/accounts/${card.accountId}/disputes`;
  const body = (minor: string) => ({ transactionId: TI, amount: { minor, currency: 'EUR' }, reason: 'goods not received' });

  it('answers 401, 404, 400 with the field, and 409 when nothing was cleared', async () => {
    expect((await inject({ method: 'POST', url: url(), payload: body('100') })).statusCode).toBe(401);
    expect((await inject({ method: 'POST', url: '/v1/accounts/acc_nobody/disputes', headers: auth, payload: body('100') })).statusCode).toBe(404);
    const invalid = await inject({ method: 'POST', url: url(), headers: auth, payload: { ...body('100'), amount: { minor: 100, currency: 'EUR' } } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toEqual({ error: { code: 'validation', field: 'amount.minor', reason: 'must be a string of 1 to 15 digits, greater than 0' } });
    const notCleared = await inject({ method: 'POST', url: url(), headers: auth, payload: { ...body('100'), transactionId: '111111111111111' } });
    expect(notCleared.statusCode).toBe(409);
    expect(notCleared.json().error.code).toBe('not-cleared');
  });

  it('raises a chargeback once per Idempotency-Key and sends dispute.raised', async () => {
    await cleared(card.accountId, 5_000n);
    const events = await collect(kafka, topics.clearing);
    try {
      const key = uniqueId('idem');
      const first = await inject({ method: 'POST', url: url(), headers: { ...auth, 'idempotency-key': key }, payload: body('3000') });
      expect(first.statusCode).toBe(201);
      expect(first.json()).toEqual({ disputeId: expect.stringMatching(/^dsp_[0-9a-f]{24}$/), status: 'raised' });
      const replay = await inject({ method: 'POST', url: url(), headers: { ...auth, 'idempotency-key': key }, payload: body('3000') });
      expect(replay.statusCode).toBe(201);
      expect(replay.headers['idempotency-replayed']).toBe('true');
      expect(replay.json()).toEqual(first.json());
      const conflict = await inject({ method: 'POST', url: url(), headers: { ...auth, 'idempotency-key': key }, payload: body('2000') });
      expect(conflict.statusCode).toBe(409);
      // 30.00 of 50.00 is already disputed (not yet posted): 30.00 more exceeds it.
      const tooMuch = await inject({ method: 'POST', url: url(), headers: auth, payload: body('3000') });
      expect(tooMuch.json()).toMatchObject({ error: { code: 'exceeds-disputable', disputable: { minor: '2000', currency: 'EUR' } } });
      const event = await waitFor(() => events.messages.map((m) => JSON.parse(m.value!.toString())).find((e) => e.disputeId === first.json().disputeId));
      expect(event).toMatchObject({ type: 'dispute.raised', accountId: card.accountId, transactionId: TI, amount: { minor: '3000', currency: 'EUR' } });
      expect(events.messages.filter((m) => JSON.parse(m.value!.toString()).type === 'dispute.raised')).toHaveLength(1);
    } finally {
      await events.stop();
    }
  });
});
