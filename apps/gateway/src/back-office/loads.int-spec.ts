import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { REDIS } from '@lib/platform';
import { dayIdOf, localDateOf, monthIdOf, yearIdOf } from '@lib/programs';
import { keys } from '@lib/store';
import { bootApp, uniqueId } from '@lib/testing';
import { gatewayApp } from '../gateway.app';
import { BackOfficeClient, eur } from './testing/back-office-client';

/**
 * `POST /v1/accounts/{id}/loads` through HTTP against the real Redis: every load rule of the three
 * programs on both sides of its boundary. Windows the test cannot wait for (a month, a year) are
 * reached by setting the window's counter, under the domain's counter naming, before the load.
 */
describe('back office: loads (HTTP)', () => {
  let app: NestFastifyApplication;
  let client: BackOfficeClient;
  let redis: Redis;
  beforeAll(async () => {
    app = await bootApp(gatewayApp, { ...process.env, GATEWAY_TCP_PORT: '0' });
    client = new BackOfficeClient(app);
    redis = app.get(REDIS);
  });
  afterAll(() => app.close());

  const paris = () => localDateOf(Date.now(), 'Europe/Paris');
  const setCounter = (accountId: string, key: string, minor: number) =>
    redis.set(keys.counter(accountId, key), String(minor), 'PX', 3_600_000);
  const dropCounter = (accountId: string, key: string) => redis.del(keys.counter(accountId, key));

  /** Loads and returns `201` or the refusal reason. */
  async function verdict(
    accountId: string,
    minor: number,
    method = 'sepa-transfer',
    currency = 'EUR',
  ): Promise<string> {
    const response = await client.load(accountId, minor, method, currency);
    if (response.statusCode === 201) return '201';
    expect(response.statusCode).toBe(422);
    const body = response.json();
    expect(body.error.code).toBe('load-limit');
    return body.error.reason;
  }

  it('answers 201 with the load id, the amount and the funded wallet after the load', async () => {
    const accountId = await client.openAccount('eur-standard');
    const response = await client.load(accountId, 12345);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({
      loadId: expect.stringMatching(/^load_[0-9a-f]{24}$/),
      accountId,
      amount: eur(12345),
      method: 'sepa-transfer',
      fees: [],
      balances: { ledger: eur(12345), available: eur(12345) },
    });
    expect(await redis.hgetall(keys.balances(accountId))).toEqual({
      'EUR:ledger': '12345',
      'EUR:avail': '12345',
    });
  });

  describe('eur-standard (seed 004, free plan)', () => {
    it('first load: by SEPA transfer only, 10.00 to 1,500.00', async () => {
      const accountId = await client.openAccount('eur-standard');
      const byCard = await client.load(accountId, 5000, 'card');
      expect(byCard.statusCode).toBe(422);
      expect(byCard.json()).toEqual({
        error: {
          code: 'load-limit',
          reason: 'first-load-method-not-allowed',
          limit: { name: 'loads.firstLoad.methods', value: ['sepa-transfer'] },
        },
      });
      expect(await verdict(accountId, 5000, 'p2p')).toBe('first-load-method-not-allowed');
      expect(await verdict(accountId, 999)).toBe('below-first-load-minimum');
      const tooMuch = await client.load(accountId, 150001);
      expect(tooMuch.json().error).toEqual({
        code: 'load-limit',
        reason: 'above-first-load-maximum',
        limit: { name: 'loads.firstLoad.max', value: eur(150000) },
      });
      expect(await verdict(accountId, 150000)).toBe('201');
      const other = await client.openAccount('eur-standard');
      expect(await verdict(other, 1000)).toBe('201');
      // Refused loads moved nothing.
      expect(await redis.hget(keys.account(accountId), 'loadCount')).toBe('1');
    });

    it('per load at most 2,000.00; per day at most 3,000.00', async () => {
      const accountId = await client.openAccount('eur-standard');
      expect(await verdict(accountId, 1000)).toBe('201');
      expect(await verdict(accountId, 200001, 'p2p')).toBe('above-maximum-load');
      expect(await verdict(accountId, 200000, 'p2p')).toBe('201');
      expect(await verdict(accountId, 99000, 'p2p')).toBe('201'); // 3,000.00 loaded today
      const over = await client.load(accountId, 1, 'p2p');
      expect(over.json().error).toEqual({
        code: 'load-limit',
        reason: 'load-amount-per-day-exceeded',
        limit: { name: 'loads.perDay.amount', value: eur(300000) },
      });
    });

    it('at most 5 loads a day, 3 of them by card', async () => {
      const accountId = await client.openAccount('eur-standard');
      expect(await verdict(accountId, 1000)).toBe('201');
      for (let i = 0; i < 3; i += 1) expect(await verdict(accountId, 100, 'card')).toBe('201');
      const fourthCard = await client.load(accountId, 100, 'card');
      expect(fourthCard.json().error).toEqual({
        code: 'load-limit',
        reason: 'card-load-count-per-day-exceeded',
        limit: { name: 'loads.cardPerDay.count', value: 3 },
      });
      expect(await verdict(accountId, 100, 'p2p')).toBe('201'); // the 5th load of the day
      const sixth = await client.load(accountId, 100, 'p2p');
      expect(sixth.json().error).toEqual({
        code: 'load-limit',
        reason: 'load-count-per-day-exceeded',
        limit: { name: 'loads.perDay.count', value: 5 },
      });
      // Card loads pay the debit-card load fee (0.50 each): 10.00 + 3 x (1.00 - 0.50) + 1.00.
      expect((await client.account(accountId)).wallets[0].ledger).toEqual(eur(1250));
    });

    it('card loads at most 500.00 a day', async () => {
      const accountId = await client.openAccount('eur-standard');
      expect(await verdict(accountId, 1000)).toBe('201');
      expect(await verdict(accountId, 40000, 'card')).toBe('201');
      expect(await verdict(accountId, 10001, 'card')).toBe('card-load-amount-per-day-exceeded');
      expect(await verdict(accountId, 10000, 'card')).toBe('201');
    });

    it('per month at most 3,000.00, per year at most 36,000.00', async () => {
      const accountId = await client.openAccount('eur-standard');
      expect(await verdict(accountId, 1000)).toBe('201');
      const month = `loads.amount.month:${monthIdOf(paris())}`;
      await setCounter(accountId, month, 290000);
      expect(await verdict(accountId, 10001, 'p2p')).toBe('load-amount-per-month-exceeded');
      expect(await verdict(accountId, 10000, 'p2p')).toBe('201');
      expect(await redis.get(keys.counter(accountId, month))).toBe('300000');
      await dropCounter(accountId, month);
      await setCounter(accountId, `loads.amount.year:${yearIdOf(paris())}`, 3590000);
      expect(await verdict(accountId, 10001, 'p2p')).toBe('load-amount-per-year-exceeded');
      expect(await verdict(accountId, 10000, 'p2p')).toBe('201');
    });

    it('a balance of at most 3,000.00', async () => {
      const accountId = await client.openAccount('eur-standard');
      expect(await verdict(accountId, 150000)).toBe('201');
      expect(await verdict(accountId, 140000, 'p2p')).toBe('201'); // balance 2,900.00
      // As on a day of another month: only the balance can refuse the next load.
      await dropCounter(accountId, `loads.amount.day:${dayIdOf(paris())}`);
      await dropCounter(accountId, `loads.amount.month:${monthIdOf(paris())}`);
      const over = await client.load(accountId, 10001, 'p2p');
      expect(over.json().error).toEqual({
        code: 'load-limit',
        reason: 'max-balance-exceeded',
        limit: { name: 'loads.maxBalance', value: eur(300000) },
      });
      expect(await verdict(accountId, 10000, 'p2p')).toBe('201');
      expect((await client.account(accountId)).wallets[0].ledger).toEqual(eur(300000));
    });

    it('refuses another currency than the wallets of the program', async () => {
      const accountId = await client.openAccount('eur-standard');
      const usd = await client.load(accountId, 5000, 'sepa-transfer', 'USD');
      expect(usd.statusCode).toBe(422);
      expect(usd.json().error).toEqual({
        code: 'load-limit',
        reason: 'currency-not-held',
        limit: { name: 'wallets', value: ['EUR'] },
      });
    });
  });

  describe('eur-premium (seed 004, premium plan)', () => {
    it('first load 10.00 to 3,000.00; per load 3,000.00; per day 9,000.00', async () => {
      const accountId = await client.openAccount('eur-premium');
      expect(await verdict(accountId, 999)).toBe('below-first-load-minimum');
      expect(await verdict(accountId, 300001)).toBe('above-first-load-maximum');
      expect(await verdict(accountId, 300000)).toBe('201');
      expect(await verdict(accountId, 300001, 'p2p')).toBe('above-maximum-load');
      expect(await verdict(accountId, 300000, 'p2p')).toBe('201');
      expect(await verdict(accountId, 300000, 'p2p')).toBe('201'); // 9,000.00 today
      expect(await verdict(accountId, 1, 'p2p')).toBe('load-amount-per-day-exceeded');
    });

    it('per month 10,000.00, per year 96,000.00, a balance of at most 10,000.00', async () => {
      const accountId = await client.openAccount('eur-premium');
      expect(await verdict(accountId, 300000)).toBe('201');
      const month = `loads.amount.month:${monthIdOf(paris())}`;
      await setCounter(accountId, month, 990000);
      expect(await verdict(accountId, 10001, 'p2p')).toBe('load-amount-per-month-exceeded');
      expect(await verdict(accountId, 10000, 'p2p')).toBe('201');
      await dropCounter(accountId, month);
      await setCounter(accountId, `loads.amount.year:${yearIdOf(paris())}`, 9590000);
      expect(await verdict(accountId, 10001, 'p2p')).toBe('load-amount-per-year-exceeded');
      expect(await verdict(accountId, 10000, 'p2p')).toBe('201');
      await redis.del(keys.counter(accountId, `loads.amount.year:${yearIdOf(paris())}`));
      // Balance 3,200.00: up to 10,000.00 with 6,800.00 more (over two days' worth of loads).
      await dropCounter(accountId, `loads.amount.day:${dayIdOf(paris())}`);
      expect(await verdict(accountId, 300000, 'p2p')).toBe('201');
      await dropCounter(accountId, `loads.amount.day:${dayIdOf(paris())}`);
      await dropCounter(accountId, `loads.count.day:${dayIdOf(paris())}`);
      expect(await verdict(accountId, 380001, 'p2p')).toBe('above-maximum-load');
      expect(await verdict(accountId, 300000, 'p2p')).toBe('201'); // 9,200.00
      await dropCounter(accountId, month);
      expect(await verdict(accountId, 80001, 'p2p')).toBe('max-balance-exceeded');
      expect(await verdict(accountId, 80000, 'p2p')).toBe('201');
      expect((await client.account(accountId)).wallets[0].ledger).toEqual(eur(1000000));
    });

    it('at most 5 loads a day, 3 by card', async () => {
      const accountId = await client.openAccount('eur-premium');
      expect(await verdict(accountId, 1000)).toBe('201');
      for (let i = 0; i < 3; i += 1) expect(await verdict(accountId, 100, 'card')).toBe('201');
      expect(await verdict(accountId, 100, 'card')).toBe('card-load-count-per-day-exceeded');
      expect(await verdict(accountId, 100, 'p2p')).toBe('201');
      expect(await verdict(accountId, 100, 'p2p')).toBe('load-count-per-day-exceeded');
    });
  });

  describe('travel-multicurrency (seed 002)', () => {
    it('no first-load rule; at least 15.00 EUR (10.00 GBP); at most 3,500.00 a load', async () => {
      const accountId = await client.openAccount('travel-multicurrency');
      expect(await verdict(accountId, 1499, 'card')).toBe('below-minimum-load');
      expect(await verdict(accountId, 1500, 'card')).toBe('201');
      expect(await verdict(accountId, 999, 'sepa-transfer', 'GBP')).toBe('below-minimum-load');
      expect(await verdict(accountId, 1000, 'sepa-transfer', 'GBP')).toBe('201');
      expect(await verdict(accountId, 350001)).toBe('above-maximum-load');
      expect(await verdict(accountId, 350000)).toBe('201');
      const view = await client.account(accountId);
      expect(view.wallets).toEqual([
        { currency: 'EUR', ledger: eur(351500), available: eur(351500) },
        {
          currency: 'GBP',
          ledger: { minor: '1000', currency: 'GBP' },
          available: { minor: '1000', currency: 'GBP' },
        },
      ]);
      const brl = await client.load(accountId, 5000, 'sepa-transfer', 'BRL');
      expect(brl.json().error.reason).toBe('currency-not-held');
    });

    it('at most 5 loads a day and 14,000.00 a year', async () => {
      const accountId = await client.openAccount('travel-multicurrency');
      for (let i = 0; i < 5; i += 1) expect(await verdict(accountId, 1500, 'p2p')).toBe('201');
      expect(await verdict(accountId, 1500, 'p2p')).toBe('load-count-per-day-exceeded');
      await dropCounter(accountId, `loads.count.day:${dayIdOf(paris())}`);
      await setCounter(accountId, `loads.amount.year:${yearIdOf(paris())}`, 1390000);
      expect(await verdict(accountId, 10001, 'p2p')).toBe('load-amount-per-year-exceeded');
      expect(await verdict(accountId, 10000, 'p2p')).toBe('201');
    });

    it('a consolidated balance of at most 7,000.00 over every wallet, in EUR', async () => {
      const accountId = await client.openAccount('travel-multicurrency');
      expect(await verdict(accountId, 350000)).toBe('201');
      expect(await verdict(accountId, 350000)).toBe('201'); // 7,000.00
      expect(await verdict(accountId, 1500)).toBe('max-balance-exceeded');
      expect(await verdict(accountId, 1000, 'sepa-transfer', 'GBP')).toBe('max-balance-exceeded');
      await redis.hset(keys.balances(accountId), 'EUR:ledger', '690000', 'EUR:avail', '690000'); // 100.00 spent
      expect(await verdict(accountId, 10001)).toBe('max-balance-exceeded');
      expect(await verdict(accountId, 10000)).toBe('201');
      // 6,900 EUR and 100.00 GBP (more than 100 EUR at any plausible rate): 15 EUR more is refused.
      await redis.hset(
        keys.balances(accountId),
        'EUR:ledger',
        '690000',
        'EUR:avail',
        '690000',
        'GBP:ledger',
        '10000',
        'GBP:avail',
        '10000',
      );
      expect(await verdict(accountId, 1500)).toBe('max-balance-exceeded');
      await redis.hset(keys.balances(accountId), 'GBP:ledger', '0', 'GBP:avail', '0');
      expect(await verdict(accountId, 1500)).toBe('201');
    });
  });

  describe('requests', () => {
    it('replays a load for the same Idempotency-Key and body, refuses another body, and replays refusals too', async () => {
      const accountId = await client.openAccount('eur-standard');
      const key = uniqueId('load');
      const first = await client.load(accountId, 5000, 'sepa-transfer', 'EUR', key);
      const again = await client.load(accountId, 5000, 'sepa-transfer', 'EUR', key);
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(201);
      expect(again.json()).toEqual(first.json());
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(await redis.hget(keys.balances(accountId), 'EUR:ledger')).toBe('5000');
      const other = await client.load(accountId, 6000, 'sepa-transfer', 'EUR', key);
      expect(other.statusCode).toBe(409);
      expect(other.json().error.code).toBe('idempotency-conflict');
      const refusedKey = uniqueId('load');
      const refused = await client.load(accountId, 200001, 'p2p', 'EUR', refusedKey);
      expect(refused.statusCode).toBe(422);
      const refusedAgain = await client.load(accountId, 200001, 'p2p', 'EUR', refusedKey);
      expect([
        refusedAgain.statusCode,
        refusedAgain.json(),
        refusedAgain.headers['idempotency-replayed'],
      ]).toEqual([422, refused.json(), 'true']);
      const ttl = await redis.pttl(keys.idempotency(accountId));
      expect(ttl).toBeGreaterThan(23.9 * 3600 * 1000);
    });

    it.each([
      [{ amount: { minor: 1000, currency: 'EUR' }, method: 'p2p' }, 'amount.minor'],
      [{ amount: { minor: '10.00', currency: 'EUR' }, method: 'p2p' }, 'amount.minor'],
      [{ amount: { minor: '0', currency: 'EUR' }, method: 'p2p' }, 'amount.minor'],
      [{ amount: { minor: '1000', currency: 'EURO' }, method: 'p2p' }, 'amount.currency'],
      [{ amount: { minor: '1000', currency: 'EUR' }, method: 'cash' }, 'method'],
      [{ amount: { minor: '1000', currency: 'EUR' } }, 'method'],
      [{ method: 'p2p' }, 'amount'],
      [{ amount: { minor: '1000', currency: 'EUR' }, method: 'p2p', note: 'x' }, 'note'],
    ])('refuses %j with 400 naming %s', async (body, field) => {
      const accountId = await client.openAccount('eur-standard');
      const response = await client.call('POST', `/v1/accounts/${accountId}/loads`, { body });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: { code: 'validation', field, reason: expect.any(String) } });
    });

    it('answers 404 for an unknown account', async () => {
      const response = await client.load('acc_000000000000000000000000', 1000);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: { code: 'not-found', reason: 'unknown account' } });
    });
  });
});
