import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { REDIS } from '@lib/platform';
import { keys } from '@lib/store';
import { bootApp, uniqueId } from '@lib/testing';
import { gatewayApp } from '../gateway.app';
import { BACK_OFFICE_KEY, BackOfficeClient, eur } from './testing/back-office-client';

/** Accounts, authentication, validation and idempotency of the back office, through HTTP, against the real Redis. */
describe('back office: accounts (HTTP)', () => {
  let app: NestFastifyApplication;
  let client: BackOfficeClient;
  let redis: Redis;
  beforeAll(async () => {
    app = await bootApp(gatewayApp, { ...process.env, GATEWAY_TCP_PORT: '0' });
    client = new BackOfficeClient(app);
    redis = app.get(REDIS);
  });
  afterAll(() => app.close());

  describe('authentication', () => {
    const ROUTES: ['GET' | 'POST', string, unknown][] = [
      ['POST', '/v1/accounts', { program: 'eur-standard', holder: { name: 'A', email: 'a@b.fr' } }],
      ['GET', '/v1/accounts/acc_x', undefined],
      ['POST', '/v1/accounts/acc_x/loads', { amount: eur(1000), method: 'sepa-transfer' }],
      ['POST', '/v1/accounts/acc_x/cards', { form: 'virtual' }],
      ['POST', '/v1/cards/card_x/activate', undefined],
      ['POST', '/v1/cards/card_x/block', { mode: 'temporary' }],
      ['POST', '/v1/cards/card_x/unblock', undefined],
      ['POST', '/v1/cards/card_x/pin/unblock', undefined],
      ['POST', '/v1/cards/card_x/recurring-consents/MERCHANT1/revoke', undefined],
    ];
    const BAD_AUTHORIZATIONS: [string, string | null][] = [
      ['no header', null],
      ['a wrong key', 'Bearer not-the-back-office-key'],
      ['a key with one character more', `Bearer ${BACK_OFFICE_KEY}x`],
      ['another scheme', `Basic ${Buffer.from(`user:${BACK_OFFICE_KEY}`).toString('base64')}`],
      ['a bare key', BACK_OFFICE_KEY],
      ['an empty bearer', 'Bearer '],
    ];
    for (const [method, url, body] of ROUTES) {
      it(`${method} ${url}: 401 and nothing else without a valid key`, async () => {
        for (const [, authorization] of BAD_AUTHORIZATIONS) {
          const response = await client.call(method, url, { body, authorization });
          expect(response.statusCode).toBe(401);
          expect(response.json()).toEqual({
            error: { code: 'unauthorized', reason: 'a valid back-office key is required' },
          });
          expect(response.headers['www-authenticate']).toBe('Bearer');
        }
      });
    }

    it('checks the key before the body: invalid JSON without a key is a 401 on every write', async () => {
      for (const [method, url] of ROUTES.filter(([m]) => m === 'POST')) {
        const response = await client.call(method, url, { body: '{"program": ', authorization: null });
        expect([url, response.statusCode]).toEqual([url, 401]);
      }
    });

    it('leaves /health, /metrics and /v1/network/messages open', async () => {
      for (const url of ['/health', '/metrics']) {
        const response = await client.call('GET', url, { authorization: null });
        expect([200, 503]).toContain(response.statusCode);
      }
      const network = await client.call('POST', '/v1/network/messages', {
        authorization: null,
        body: { mti: '0800', fields: {} },
      });
      expect(network.statusCode).not.toBe(401);
    });

    it('accepts the scheme in any case', async () => {
      const response = await client.call('GET', '/v1/accounts/acc_unknown', {
        authorization: `bearer ${BACK_OFFICE_KEY}`,
      });
      expect(response.statusCode).toBe(404);
    });
  });

  describe('POST /v1/accounts', () => {
    it('opens an account on a program: 201 {accountId}, home wallet at zero, listed in the account directory', async () => {
      const response = await client.call('POST', '/v1/accounts', {
        body: {
          program: 'eur-premium',
          holder: { name: 'Grace Hopper', email: 'grace@example.org' },
          billing: 'yearly',
        },
      });
      expect(response.statusCode).toBe(201);
      const { accountId } = response.json();
      expect(Object.keys(response.json())).toEqual(['accountId']);
      expect(accountId).toMatch(/^acc_[0-9a-f]{24}$/);
      expect(await redis.hgetall(keys.account(accountId))).toEqual(
        expect.objectContaining({
          accountId,
          program: 'eur-premium',
          status: 'active',
          billing: 'yearly',
          homeCurrency: 'EUR',
          holderName: 'Grace Hopper',
          loadCount: '0',
        }),
      );
      expect(await redis.hgetall(keys.balances(accountId))).toEqual({ 'EUR:ledger': '0', 'EUR:avail': '0' });
      expect(await redis.sismember(keys.accountDirectory(), accountId)).toBe(1);
    });

    it.each([
      [{ program: 'gold', holder: { name: 'A', email: 'a@b.fr' } }, 'program'],
      [{ holder: { name: 'A', email: 'a@b.fr' } }, 'program'],
      [{ program: 'eur-standard' }, 'holder'],
      [{ program: 'eur-standard', holder: { name: 'A' } }, 'holder.email'],
      [{ program: 'eur-standard', holder: { name: 'A', email: 'not-an-address' } }, 'holder.email'],
      [{ program: 'eur-standard', holder: { name: '', email: 'a@b.fr' } }, 'holder.name'],
      [{ program: 'eur-standard', holder: { name: 'A', email: 'a@b.fr' }, billing: 'daily' }, 'billing'],
      [
        { program: 'travel-multicurrency', holder: { name: 'A', email: 'a@b.fr' }, billing: 'monthly' },
        'billing',
      ],
      [{ program: 'eur-standard', holder: { name: 'A', email: 'a@b.fr' }, currency: 'EUR' }, 'currency'],
      [[1, 2], 'body'],
    ])('refuses %j with 400 naming %s', async (body, field) => {
      const response = await client.call('POST', '/v1/accounts', { body });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: { code: 'validation', field, reason: expect.any(String) } });
    });

    it('names an unknown program and the known ones', async () => {
      const response = await client.call('POST', '/v1/accounts', {
        body: { program: 'gold', holder: { name: 'A', email: 'a@b.fr' } },
      });
      expect(response.json().error.reason).toBe(
        'unknown program "gold" (known: eur-premium, eur-standard, travel-multicurrency)',
      );
    });

    it('answers 400 naming the problem for a body that is not JSON, 415 for a content type it does not read', async () => {
      const invalid = await client.call('POST', '/v1/accounts', { body: '{"program": "eur-standard",' });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json()).toEqual({
        error: { code: 'invalid-json', reason: expect.stringMatching(/JSON/) },
      });
      const xml = await client.call('POST', '/v1/accounts', {
        body: '<program>eur-standard</program>',
        headers: { 'content-type': 'application/xml' },
      });
      expect(xml.statusCode).toBe(415);
      expect(xml.json().error.code).toBe('unsupported-media-type');
      const text = await client.call('POST', '/v1/accounts', {
        body: 'program=eur-standard',
        headers: { 'content-type': 'text/plain' },
      });
      expect(text.statusCode).toBe(400);
      expect(text.json()).toEqual({
        error: { code: 'validation', field: 'body', reason: 'must be a JSON object' },
      });
      const none = await client.call('POST', '/v1/accounts');
      expect(none.statusCode).toBe(400);
      expect(none.json()).toEqual({
        error: { code: 'validation', field: 'body', reason: 'must be a JSON object' },
      });
    });

    it('replays the first answer for the same Idempotency-Key and body, refuses another body with 409', async () => {
      const key = uniqueId('open');
      const body = { program: 'eur-standard', holder: { name: 'Idem', email: 'idem@example.org' } };
      const first = await client.call('POST', '/v1/accounts', { body, idempotencyKey: key });
      const again = await client.call('POST', '/v1/accounts', {
        body: { holder: { email: 'idem@example.org', name: 'Idem' }, program: 'eur-standard' },
        idempotencyKey: key,
      });
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(201);
      expect(again.json()).toEqual(first.json());
      expect(again.headers['idempotency-replayed']).toBe('true');
      expect(first.headers['idempotency-replayed']).toBeUndefined();
      const other = await client.call('POST', '/v1/accounts', {
        body: { ...body, program: 'eur-premium' },
        idempotencyKey: key,
      });
      expect(other.statusCode).toBe(409);
      expect(other.json().error.code).toBe('idempotency-conflict');
      const ttl = await redis.pttl(keys.globalIdempotency(key));
      expect(ttl).toBeGreaterThan(23.9 * 3600 * 1000);
      expect(ttl).toBeLessThanOrEqual(24 * 3600 * 1000);
    });

    it('refuses a malformed Idempotency-Key with 400 naming the header', async () => {
      const response = await client.call('POST', '/v1/accounts', {
        body: { program: 'eur-standard', holder: { name: 'A', email: 'a@b.fr' } },
        idempotencyKey: 'has space',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toEqual({
        code: 'validation',
        field: 'headers.idempotency-key',
        reason: expect.any(String),
      });
    });
  });

  describe('GET /v1/accounts/{id}', () => {
    it('answers 404 for an unknown or malformed id', async () => {
      for (const id of ['acc_000000000000000000000000', 'no%20such%20id', 'x'.repeat(65)]) {
        const response = await client.call('GET', `/v1/accounts/${id}`);
        expect(response.statusCode).toBe(404);
        expect(response.json()).toEqual({ error: { code: 'not-found', reason: 'unknown account' } });
      }
    });

    it('shows program, status, wallets, open holds and limits with their use', async () => {
      const accountId = await client.openAccount('eur-standard');
      await client.mustLoad(accountId, 20000);
      await client.mustLoad(accountId, 1000, 'card');
      // A hold as the engine writes it (keys.holds + the expiry index), to see it listed.
      const expiresAt = Date.now() + 7 * 86_400_000;
      const hold = {
        holdId: 'hold-1',
        transactionId: '123456789012345',
        cardId: 'card_x',
        currency: 'EUR',
        amountMinor: 2500,
        remainingMinor: 2500,
        feesMinor: 0,
        openedAt: Date.now(),
        expiresAt,
        kind: 'purchase',
      };
      await redis
        .multi()
        .hset(keys.holds(accountId), 'hold-1', JSON.stringify(hold))
        .zadd(keys.holdExpiries(accountId), expiresAt, 'hold-1')
        .hincrby(keys.balances(accountId), 'EUR:avail', -2500)
        .exec();
      const view = await client.account(accountId);
      expect(view).toMatchObject({
        accountId,
        program: 'eur-standard',
        status: 'active',
        wallets: [{ currency: 'EUR', ledger: eur(20950), available: eur(18450) }],
        holds: [
          {
            holdId: 'hold-1',
            transactionId: '123456789012345',
            amount: eur(2500),
            expiresAt: new Date(expiresAt).toISOString(),
          },
        ],
      });
      const limits = new Map((view.limits as { name: string }[]).map((limit) => [limit.name, limit]));
      expect(limits.get('loads.perDay.count')).toEqual({
        name: 'loads.perDay.count',
        window: 'day',
        used: 2,
        limit: 5,
        remaining: 3,
        resetsAt: expect.stringMatching(/T2[23]:00:00.000Z$/),
      });
      expect(limits.get('loads.cardPerDay.count')).toMatchObject({ used: 1, limit: 3, remaining: 2 });
      expect(limits.get('loads.perMonth.amount')).toMatchObject({
        window: 'month',
        used: eur(21000),
        limit: eur(300000),
        remaining: eur(279000),
      });
      expect(limits.get('payment.perDay.count')).toMatchObject({ used: 0, limit: 20 });
      expect(limits.get('atm.perMonth.amount')).toMatchObject({ used: eur(0), limit: eur(50000) });
      expect([...limits.keys()]).toEqual(
        expect.arrayContaining([
          'atm.perTransaction.amount',
          'atm.perDay.count',
          'payment.perMonth.amount',
          'loads.perYear.amount',
        ]),
      );
    });

    it('derives suspension from a negative balance; a load repays it and lifts the suspension', async () => {
      const accountId = await client.openAccount('eur-standard');
      await client.mustLoad(accountId, 1000);
      // A clearing above its hold, as settlement would leave it: the balance is negative.
      await redis.hset(keys.balances(accountId), 'EUR:ledger', '-4000', 'EUR:avail', '-4000');
      expect((await client.account(accountId)).status).toBe('suspended');
      const small = await client.load(accountId, 1500, 'p2p');
      expect(small.json().balances).toEqual({ ledger: eur(-2500), available: eur(-2500) });
      expect((await client.account(accountId)).status).toBe('suspended');
      const repaid = await client.load(accountId, 2500, 'p2p');
      expect(repaid.statusCode).toBe(201);
      expect(repaid.json().balances).toEqual({ ledger: eur(0), available: eur(0) });
      expect((await client.account(accountId)).status).toBe('active');
    });
  });
});
