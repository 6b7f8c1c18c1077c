import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { SystemClock } from '@lib/clock';
import { seedAccount } from '@lib/engine';
import { EntryDraft, LedgerRepository, LineBuilder, ledgerAccounts } from '@lib/ledger';
import { createRedis } from '@lib/platform';
import { bootApp, uniqueId } from '@lib/testing';
import { settlementApp } from '../settlement.app';
import { config, createTopicSet, deleteTopicSet, testKafka, testPool, TopicSet } from '../testing/settlement-fixtures';

/** Settlement's HTTP routes: GET /v1/reconciliation and GET /v1/reports/settlement (back-office key). */
const auth = { authorization: `Bearer ${config.security.backOfficeKeys[0]}` };
let app: NestFastifyApplication;
let kafka: Kafka;
let topics: TopicSet;
let redis: Redis;
let pool: Pool;

beforeAll(async () => {
  kafka = testKafka('settlement-http-test');
  topics = await createTopicSet(kafka);
  app = await bootApp(settlementApp, {
    ...process.env,
    SETTLEMENT_GROUP_ID: uniqueId('settlement-http'),
    SETTLEMENT_TOPICS_AUTHORIZATIONS: topics.authorizations,
    SETTLEMENT_TOPICS_CLEARING: topics.clearing,
    SETTLEMENT_TOPICS_POSTINGS: topics.postings,
    SETTLEMENT_RECONCILIATION_INTERVAL_MS: '0',
    SETTLEMENT_CONSUMER: 'false',
  });
  redis = createRedis(config.redis, 'settlement-http-test');
  await redis.connect();
  pool = testPool();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await deleteTopicSet(kafka, topics);
  await Promise.allSettled([redis.quit(), pool.end()]);
});

const inject = (options: InjectOptions) => app.getHttpAdapter().getInstance().inject(options);

function entry(type: string, topic: string, accountId: string | null, businessDate: string, lines: LineBuilder): EntryDraft {
  return { eventId: uniqueId('evt'), topic, type, accountId, transactionId: null, occurredAt: `${businessDate}T10:00:00.000Z`, businessDate, memo: false, lines: lines.lines, details: {} };
}

describe('GET /v1/reconciliation', () => {
  it('needs the back-office key', async () => {
    expect((await inject({ method: 'GET', url: '/v1/reconciliation' })).statusCode).toBe(401);
    expect((await inject({ method: 'GET', url: '/v1/reconciliation', headers: { authorization: 'Bearer wrong-key-0000000000' } })).statusCode).toBe(401);
  });

  it('finds no difference when the cache equals the ledger, and names the cause of one', async () => {
    const repository = new LedgerRepository(pool, new SystemClock());
    const agreed = await seedAccount(redis, { program: 'eur-standard', balances: { EUR: 5_000n }, nowMs: Date.now() });
    const load = entry('account.loaded', 'card.authorizations', agreed, '2026-11-23', new LineBuilder().add(ledgerAccounts.loadFunding('EUR'), 'EUR', 5_000n, 'principal').add(ledgerAccounts.cardholder(agreed, 'EUR'), 'EUR', -5_000n, 'cardholder'));
    await repository.postBatch([{ eventId: load.eventId, topic: load.topic, entry: load }]);
    const unposted = await seedAccount(redis, { program: 'eur-standard', balances: { EUR: 700n }, nowMs: Date.now() });

    const response = await inject({ method: 'GET', url: `/v1/reconciliation?accountId=${agreed}&accountId=${unposted}`, headers: auth });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ checkedAt: expect.any(String), accountsChecked: 2 });
    expect(body.differences).toEqual([
      { accountId: unposted, currency: 'EUR', check: 'ledger', cache: { minor: '700', currency: 'EUR' }, ledger: { minor: '0', currency: 'EUR' }, openHolds: { minor: '0', currency: 'EUR' }, expected: { minor: '0', currency: 'EUR' }, cause: expect.stringMatching(/^unposted/) },
      { accountId: unposted, currency: 'EUR', check: 'available', cache: { minor: '700', currency: 'EUR' }, ledger: { minor: '0', currency: 'EUR' }, openHolds: { minor: '0', currency: 'EUR' }, expected: { minor: '0', currency: 'EUR' }, cause: expect.stringMatching(/^unposted/) },
    ]);
    const bad = await inject({ method: 'GET', url: '/v1/reconciliation?accountId={a:1}', headers: auth });
    expect(bad.statusCode).toBe(400);
  });
});

describe('GET /v1/reports/settlement', () => {
  it('sums the business day per currency, as JSON and CSV', async () => {
    // A day nobody else posts to: far in the future, drawn until the ledger has nothing on it.
    let day = '';
    for (let attempt = 0; attempt < 20 && day === ''; attempt++) {
      const candidate = `${2100 + Math.floor(Math.random() * 800)}-0${1 + Math.floor(Math.random() * 9)}-${10 + Math.floor(Math.random() * 18)}`;
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM journal_entries WHERE business_date = $1', [candidate]);
      if (rows[0].n === 0) day = candidate;
    }
    expect(day).not.toBe('');
    const acc = uniqueId('acc');
    const holder = ledgerAccounts.cardholder(acc, 'EUR');
    const network = ledgerAccounts.networkSettlement('EUR');
    const entries = [
      entry('presentment', 'card.clearing', acc, day, new LineBuilder().add(holder, 'EUR', 10_289n, 'cardholder').add(network, 'EUR', -10_000n, 'principal').add('fee-income:foreign-payment:EUR', 'EUR', -89n, 'fee:foreign-payment').add('fx-income:EUR', 'EUR', -200n, 'fee:fx')),
      entry('refund', 'card.clearing', acc, day, new LineBuilder().add(holder, 'EUR', -1_000n, 'cardholder').add(network, 'EUR', 1_000n, 'principal')),
      entry('authorization.approved', 'card.authorizations', acc, day, new LineBuilder().add(holder, 'EUR', 5_150n, 'cardholder').add('fee-income:atm-withdrawal:EUR', 'EUR', -150n, 'fee:atm-withdrawal').add(network, 'EUR', -5_000n, 'principal')),
      entry('presentment', 'card.clearing', null, day, new LineBuilder().add(ledgerAccounts.suspense('USD'), 'USD', 700n, 'principal').add(ledgerAccounts.networkSettlement('USD'), 'USD', -700n, 'principal')),
    ];
    await new LedgerRepository(pool, new SystemClock()).postBatch(entries.map((e) => ({ eventId: e.eventId, topic: e.topic, entry: e })));

    const json = await inject({ method: 'GET', url: `/v1/reports/settlement?date=${day}`, headers: auth });
    expect(json.statusCode).toBe(200);
    const eur = json.json().currencies.find((c: { currency: string }) => c.currency === 'EUR');
    expect(eur).toEqual({
      currency: 'EUR',
      presentments: { count: 1, amount: { minor: '10000', currency: 'EUR' } },
      refunds: { count: 1, amount: { minor: '1000', currency: 'EUR' } },
      chargebacks: { count: 0, amount: { minor: '0', currency: 'EUR' } },
      representments: { count: 0, amount: { minor: '0', currency: 'EUR' } },
      postedAtAuthorisation: { count: 1, amount: { minor: '5000', currency: 'EUR' } },
      clearedVolume: { minor: '10000', currency: 'EUR' },
      fees: { minor: '239', currency: 'EUR' },
      feesByType: { 'atm-withdrawal': { minor: '150', currency: 'EUR' }, 'foreign-payment': { minor: '89', currency: 'EUR' } },
      fxIncome: { minor: '200', currency: 'EUR' },
      loads: { minor: '0', currency: 'EUR' },
      suspense: { minor: '0', currency: 'EUR' },
      netPositionWithNetwork: { minor: '-14000', currency: 'EUR' },
    });
    const csv = await inject({ method: 'GET', url: `/v1/reports/settlement?date=${day}&format=csv`, headers: auth });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const [columns, eurRow, usdRow] = csv.body.trim().split('\r\n');
    expect(columns.split(',')[0]).toBe('date');
    expect(eurRow).toBe(`${day},EUR,1,10000,1,1000,0,0,0,0,1,5000,10000,239,200,0,0,-14000`);
    expect(usdRow).toBe(`${day},USD,1,700,0,0,0,0,0,0,0,0,700,0,0,0,700,-700`);
  });

  it('refuses a missing or malformed date', async () => {
    const response = await inject({ method: 'GET', url: '/v1/reports/settlement?date=2026-13-01', headers: auth });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: 'validation', field: 'date', reason: 'is required, a date YYYY-MM-DD' } });
  });
});
