import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { ManualClock } from '@lib/clock';
import { seedAccount } from '@lib/engine';
import { EntryDraft, LedgerRepository, LineBuilder, ledgerAccounts } from '@lib/ledger';
import { createPgPool, createRedis } from '@lib/platform';
import { bootApp, integrationConfig, uniqueId } from '@lib/testing';
import { gatewayApp } from '../gateway.app';

/** `GET /v1/accounts/{id}/statement`, read from the ledger (clearing.md "What the account shows"). */
const config = integrationConfig();
const auth = { authorization: `Bearer ${config.security.backOfficeKeys[0]}` };
let app: NestFastifyApplication;
let redis: Redis;
let pool: Pool;

beforeAll(async () => {
  app = await bootApp(gatewayApp);
  redis = createRedis(config.redis, 'statement-test');
  await redis.connect();
  pool = createPgPool({ ...config.postgres, poolSize: 2 });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await Promise.allSettled([redis.quit(), pool.end()]);
});

const inject = (options: InjectOptions) => app.getHttpAdapter().getInstance().inject(options);

function entry(accountId: string, type: string, lines: LineBuilder, transactionId: string | null = null): EntryDraft {
  return { eventId: uniqueId('evt'), topic: 'card.clearing', type, accountId, transactionId, occurredAt: '2026-11-23T10:00:00.000Z', businessDate: '2026-11-23', memo: false, lines: lines.lines, details: {} };
}

describe('GET /v1/accounts/{id}/statement', () => {
  it('answers the ledger entries newest first, debits negative, fees apart, with the balance after each', async () => {
    const accountId = await seedAccount(redis, { program: 'eur-standard', nowMs: Date.now() });
    const holder = ledgerAccounts.cardholder(accountId, 'EUR');
    const repository = new LedgerRepository(pool, new ManualClock(Date.UTC(2026, 10, 23, 9, 0, 0)));
    const load = entry(accountId, 'account.loaded', new LineBuilder().add(ledgerAccounts.loadFunding('EUR'), 'EUR', 10_000n, 'principal').add(holder, 'EUR', -10_000n, 'cardholder'));
    const purchase = entry(
      accountId,
      'presentment',
      new LineBuilder().add(holder, 'EUR', 8_929n, 'cardholder').add(ledgerAccounts.networkSettlement('EUR'), 'EUR', -8_640n, 'principal').add('fee-income:foreign-payment:EUR', 'EUR', -116n, 'fee:foreign-payment').add('fx-income:EUR', 'EUR', -173n, 'fee:fx'),
      '123456789012345',
    );
    const memo: EntryDraft = { ...entry(accountId, 'hold.expired', new LineBuilder()), memo: true };
    await repository.postBatch([load, purchase, memo].map((e) => ({ eventId: e.eventId, topic: e.topic, entry: e })));

    expect((await inject({ method: 'GET', url: `/v1/accounts/${accountId}/statement` })).statusCode).toBe(401);
    const response = await inject({ method: 'GET', url: `/v1/accounts/${accountId}/statement`, headers: auth });
    expect(response.statusCode).toBe(200);
    const { entries } = response.json();
    expect(entries).toEqual([
      {
        entryId: expect.any(String),
        postedAt: '2026-11-23T09:00:00.000Z',
        type: 'presentment',
        transactionId: '123456789012345',
        amount: { minor: '-8640', currency: 'EUR' },
        fees: [
          { type: 'foreign-payment', amount: { minor: '-116', currency: 'EUR' } },
          { type: 'fx', amount: { minor: '-173', currency: 'EUR' } },
        ],
        balanceAfter: { minor: '1071', currency: 'EUR' },
      },
      { entryId: expect.any(String), postedAt: '2026-11-23T09:00:00.000Z', type: 'account.loaded', transactionId: null, amount: { minor: '10000', currency: 'EUR' }, fees: [], balanceAfter: { minor: '10000', currency: 'EUR' } },
    ]);
    const page = await inject({ method: 'GET', url: `/v1/accounts/${accountId}/statement?limit=1&before=${entries[0].entryId}`, headers: auth });
    expect(page.json().entries.map((e: { type: string }) => e.type)).toEqual(['account.loaded']);
  });

  it('answers 404 for an unknown account and 400 for a bad limit', async () => {
    expect((await inject({ method: 'GET', url: '/v1/accounts/acc_nobody_here/statement', headers: auth })).statusCode).toBe(404);
    const bad = await inject({ method: 'GET', url: '/v1/accounts/acc1/statement?limit=0', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: { code: 'validation', field: 'limit', reason: 'must be an integer between 1 and 1000' } });
  });
});
