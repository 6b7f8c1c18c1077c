import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { numericTokens, dumpKeys, isLuhnValid } from '@lib/back-office';
import { REDIS } from '@lib/platform';
import { addMonths, localDateOf } from '@lib/programs';
import { CardSecrets, keys } from '@lib/store';
import { bootApp, integrationConfig, uniqueId } from '@lib/testing';
import { gatewayApp } from '../gateway.app';
import { BackOfficeClient, eur } from './testing/back-office-client';

/** Card issuance and card state changes through HTTP, against the real Redis. */
describe('back office: cards (HTTP)', () => {
  let app: NestFastifyApplication;
  let client: BackOfficeClient;
  let redis: Redis;
  const secrets = new CardSecrets(integrationConfig().security.panHmacKey);
  beforeAll(async () => {
    app = await bootApp(gatewayApp, { ...process.env, GATEWAY_TCP_PORT: '0' });
    client = new BackOfficeClient(app);
    redis = app.get(REDIS);
  });
  afterAll(() => app.close());

  async function fundedAccount(program: string, minor: number): Promise<string> {
    const accountId = await client.openAccount(program);
    if (minor > 0) await client.mustLoad(accountId, minor);
    return accountId;
  }

  async function issued(
    accountId: string,
    form: 'physical' | 'virtual',
  ): Promise<{ cardId: string; pan: string; expiry: string; cvv2: string; pin: string; state: string }> {
    const response = await client.issue(accountId, form);
    if (response.statusCode !== 201) throw new Error(`issue: ${response.statusCode} ${response.body}`);
    return response.json();
  }

  const post = (cardId: string, action: string, body?: unknown, idempotencyKey?: string) =>
    client.call('POST', `/v1/cards/${cardId}/${action}`, { body, idempotencyKey });

  describe('POST /v1/accounts/{id}/cards', () => {
    it('issues a physical card once: PAN (test BIN, Luhn), expiry in 3 years, CVV2, 6-digit PIN; inactive; 10.00 taken', async () => {
      const accountId = await fundedAccount('eur-standard', 5000);
      const response = await client.issue(accountId, 'physical');
      expect(response.statusCode).toBe(201);
      expect(response.headers['cache-control']).toBe('no-store');
      const card = response.json();
      expect(Object.keys(card).sort()).toEqual(['cardId', 'cvv2', 'expiry', 'form', 'pan', 'pin', 'state']);
      expect(card.pan).toMatch(/^499999[0-9]{10}$/);
      expect(isLuhnValid(card.pan)).toBe(true);
      const in3Years = addMonths(localDateOf(Date.now(), 'Europe/Paris'), 36);
      expect(card.expiry).toBe(`${String(in3Years.year).slice(2)}${String(in3Years.month).padStart(2, '0')}`);
      expect(card.cvv2).toMatch(/^[0-9]{3}$/);
      expect(card.pin).toMatch(/^[0-9]{6}$/);
      expect([card.form, card.state]).toEqual(['physical', 'inactive']);
      expect((await client.account(accountId)).wallets[0]).toEqual({
        currency: 'EUR',
        ledger: eur(4000),
        available: eur(4000),
      });
      // Stored: keyed hashes and first 6 / last 4 only; the directories point at the card.
      const record = await redis.hgetall(keys.card(accountId, card.cardId));
      expect(record).toEqual(
        expect.objectContaining({
          cardId: card.cardId,
          accountId,
          form: 'physical',
          state: 'inactive',
          expiry: card.expiry,
          panFirst6: '499999',
          panLast4: card.pan.slice(-4),
          pinTries: '0',
          version: '1',
        }),
      );
      expect(record.panHash).toBe(secrets.panHash(card.pan));
      expect(record.pinCheck).toBe(secrets.pinCheck(card.pan, card.pin));
      expect(record.cvv2Check).toBe(secrets.cvv2Check(card.pan, card.expiry, card.cvv2));
      expect(await redis.get(keys.panDirectory(secrets.panHash(card.pan)))).toBe(
        `${accountId}:${card.cardId}`,
      );
      expect(await redis.get(keys.cardDirectory(card.cardId))).toBe(accountId);
      expect(await redis.smembers(keys.cards(accountId))).toEqual([card.cardId]);
    });

    it('issues a virtual card active, for 2.00', async () => {
      const accountId = await fundedAccount('eur-premium', 1000);
      const card = await issued(accountId, 'virtual');
      expect(card.state).toBe('active');
      expect((await client.account(accountId)).wallets[0].available).toEqual(eur(800));
    });

    it('never answers the card numbers again, and keeps none of them in clear in Redis', async () => {
      const accountId = await fundedAccount('eur-standard', 5000);
      const key = uniqueId('card');
      const first = await client.issue(accountId, 'physical', key);
      const card = first.json();
      const replay = await client.issue(accountId, 'physical', key);
      expect(replay.statusCode).toBe(201);
      expect(replay.headers['idempotency-replayed']).toBe('true');
      expect(replay.json()).toEqual({
        cardId: card.cardId,
        panMasked: `499999******${card.pan.slice(-4)}`,
        expiry: card.expiry,
        form: 'physical',
        state: 'inactive',
      });
      expect(replay.body).not.toContain(card.pan);
      expect((await client.account(accountId)).wallets[0].ledger).toEqual(eur(4000)); // one fee
      const view = await client.call('GET', `/v1/accounts/${accountId}`);
      expect(view.body).not.toContain(card.pan);
      // Every key this account and card have (SCAN of the account's hash tag, the directories),
      // with every value: no PAN anywhere; no run of digits equal to the PIN, CVV2 or PAN middle.
      const stored = [...(await dumpKeys(redis, `{a:${accountId}}*`)).values()].flat();
      for (const key of [keys.cardDirectory(card.cardId), keys.panDirectory(secrets.panHash(card.pan))])
        stored.push(key, (await redis.get(key)) ?? '');
      expect(stored).toEqual(
        expect.arrayContaining([
          keys.card(accountId, card.cardId),
          keys.outbox(accountId),
          keys.idempotency(accountId),
        ]),
      );
      expect(stored.filter((s) => s.includes(card.pan))).toEqual([]);
      const runs = numericTokens(stored);
      expect(runs.has(card.pin)).toBe(false);
      expect(runs.has(card.cvv2)).toBe(false);
      expect(runs.has(card.pan.slice(6, 15))).toBe(false);
      const metrics = await client.call('GET', '/metrics', { authorization: null });
      expect(metrics.body).not.toContain(card.pan);
    });

    it('appends card.issued with the creation fee as a fee line to the account outbox', async () => {
      const accountId = await fundedAccount('eur-standard', 5000);
      const card = await issued(accountId, 'physical');
      const entries = await redis.xrange(keys.outbox(accountId), '-', '+');
      // Stream entries are field/value pairs: kind=decision, decision=<stored {record, outcome}>, at=<ms>.
      const events = entries.map(([, fields]) => {
        const entry = new Map(
          fields.flatMap((field, i) => (i % 2 === 0 ? [[field, fields[i + 1]] as const] : [])),
        );
        expect(entry.get('kind')).toBe('decision');
        return JSON.parse(entry.get('decision')!).record.event;
      });
      expect(events.map((event) => event.type)).toEqual(['account.loaded', 'card.issued']);
      expect(events[1]).toEqual({
        schemaVersion: 1,
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: 'card.issued',
        occurredAt: expect.stringMatching(/Z$/),
        accountId,
        cardId: card.cardId,
        form: 'physical',
        state: 'inactive',
        panMasked: `499999******${card.pan.slice(-4)}`,
        expiry: card.expiry,
        fees: [{ type: 'card-creation', amount: eur(1000) }],
        balances: { ledger: eur(4000), available: eur(4000) },
      });
    });

    it('refuses with 409 a creation fee the balance does not cover, and issues once it does', async () => {
      const accountId = await fundedAccount('eur-standard', 1000);
      await client.mustLoad(accountId, 999, 'p2p'); // 19.99
      const virtualOk = await client.issue(accountId, 'virtual'); // 2.00 -> 17.99 left
      expect(virtualOk.statusCode).toBe(201);
      await redis.hset(keys.balances(accountId), 'EUR:avail', '999'); // 10.00 held elsewhere
      const refused = await client.issue(accountId, 'physical');
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toEqual({
        error: {
          code: 'insufficient-funds',
          reason: expect.any(String),
          fee: eur(1000),
          available: eur(999),
        },
      });
      expect(await redis.scard(keys.cards(accountId))).toBe(1);
      await redis.hset(keys.balances(accountId), 'EUR:avail', '1000');
      const ok = await client.issue(accountId, 'physical');
      expect(ok.statusCode).toBe(201);
      expect(await redis.hmget(keys.balances(accountId), 'EUR:ledger', 'EUR:avail')).toEqual(['799', '0']);
    });

    it('allows one live card of each form on the EUR programs; none virtual and no fee on the travel program', async () => {
      const accountId = await fundedAccount('eur-standard', 5000);
      const physical = await issued(accountId, 'physical');
      const again = await client.issue(accountId, 'physical');
      expect(again.statusCode).toBe(409);
      expect(again.json().error).toEqual({
        code: 'card-limit',
        reason: expect.any(String),
        cardId: physical.cardId,
      });
      expect((await client.issue(accountId, 'virtual')).statusCode).toBe(201);
      expect((await client.issue(accountId, 'virtual')).statusCode).toBe(409);
      // A stolen card frees its form.
      expect((await post(physical.cardId, 'block', { mode: 'stolen' })).json()).toEqual({
        cardId: physical.cardId,
        state: 'stolen',
      });
      expect((await client.issue(accountId, 'physical')).statusCode).toBe(201);
      const travel = await client.openAccount('travel-multicurrency');
      const virtual = await client.issue(travel, 'virtual');
      expect(virtual.statusCode).toBe(409);
      expect(virtual.json().error.code).toBe('card-form-not-offered');
      expect((await client.issue(travel, 'physical')).statusCode).toBe(201);
      expect((await client.account(travel)).wallets[0].ledger).toEqual(eur(0));
    });

    it('answers 400 naming the field, 404 for an unknown account', async () => {
      const accountId = await fundedAccount('eur-standard', 5000);
      const bad = await client.call('POST', `/v1/accounts/${accountId}/cards`, { body: { form: 'plastic' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({
        error: { code: 'validation', field: 'form', reason: 'must be one of physical, virtual' },
      });
      const unknown = await client.issue('acc_000000000000000000000000', 'virtual');
      expect(unknown.statusCode).toBe(404);
    });
  });

  describe('card state changes', () => {
    it('activates an inactive card once; blocks and unblocks temporarily; a total block is final; each change bumps the version', async () => {
      const accountId = await fundedAccount('eur-standard', 5000);
      const { cardId } = await issued(accountId, 'physical');
      const version = async () => redis.hget(keys.card(accountId, cardId), 'version');
      const unblockInactive = await post(cardId, 'unblock');
      expect(unblockInactive.statusCode).toBe(409);
      expect(unblockInactive.json().error).toEqual({
        code: 'invalid-transition',
        reason: 'only a temporarily blocked card can be unblocked; the card is inactive',
        state: 'inactive',
      });
      const activated = await post(cardId, 'activate');
      expect([activated.statusCode, activated.json()]).toEqual([200, { cardId, state: 'active' }]);
      expect(await version()).toBe('2');
      expect((await post(cardId, 'activate')).statusCode).toBe(409);
      expect((await post(cardId, 'block', { mode: 'temporary' })).json()).toEqual({
        cardId,
        state: 'blocked-temporary',
      });
      expect((await post(cardId, 'activate')).json().error.code).toBe('invalid-transition');
      expect((await post(cardId, 'unblock')).json()).toEqual({ cardId, state: 'active' });
      expect((await post(cardId, 'block', { mode: 'total' })).json()).toEqual({
        cardId,
        state: 'blocked-total',
      });
      expect(await version()).toBe('5');
      const unblock = await post(cardId, 'unblock');
      expect([unblock.statusCode, unblock.json().error.state]).toEqual([409, 'blocked-total']);
      expect((await post(cardId, 'block', { mode: 'lost' })).statusCode).toBe(409);
      expect(await redis.hget(keys.card(accountId, cardId), 'state')).toBe('blocked-total');
      expect(await version()).toBe('5');
    });

    it('resets the wrong-PIN counter', async () => {
      const accountId = await fundedAccount('eur-standard', 5000);
      const { cardId } = await issued(accountId, 'physical');
      await redis.hset(keys.card(accountId, cardId), 'pinTries', '3');
      const response = await post(cardId, 'pin/unblock');
      expect([response.statusCode, response.json()]).toEqual([200, { cardId, state: 'inactive' }]);
      expect(await redis.hmget(keys.card(accountId, cardId), 'pinTries', 'version')).toEqual(['0', '2']);
    });

    it('revokes a recurring consent once, keeping its first instant', async () => {
      const accountId = await fundedAccount('eur-standard', 5000);
      const { cardId } = await issued(accountId, 'virtual');
      const first = await post(cardId, 'recurring-consents/MERCHANT0000001/revoke');
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({
        cardId,
        merchantId: 'MERCHANT0000001',
        revokedAt: expect.stringMatching(/Z$/),
      });
      expect(await redis.hget(keys.revokedConsents(accountId, cardId), 'MERCHANT0000001')).toBe(
        first.json().revokedAt,
      );
      expect(await redis.hget(keys.card(accountId, cardId), 'version')).toBe('2');
      const again = await post(cardId, 'recurring-consents/MERCHANT0000001/revoke');
      expect(again.json()).toEqual(first.json());
      const tooLong = await post(cardId, 'recurring-consents/MERCHANT00000012/revoke');
      expect(tooLong.statusCode).toBe(400);
      expect(tooLong.json().error.field).toBe('merchantId');
    });

    it('replays a change for the same Idempotency-Key and body, refuses another body', async () => {
      const accountId = await fundedAccount('eur-standard', 5000);
      const { cardId } = await issued(accountId, 'virtual');
      const key = uniqueId('block');
      const first = await post(cardId, 'block', { mode: 'temporary' }, key);
      const again = await post(cardId, 'block', { mode: 'temporary' }, key);
      expect([again.statusCode, again.json(), again.headers['idempotency-replayed']]).toEqual([
        200,
        first.json(),
        'true',
      ]);
      expect(await redis.hget(keys.card(accountId, cardId), 'version')).toBe('2');
      const other = await post(cardId, 'block', { mode: 'lost' }, key);
      expect(other.statusCode).toBe(409);
      expect(other.json().error.code).toBe('idempotency-conflict');
    });

    it('answers 404 for an unknown card on every route and 400 naming the field', async () => {
      for (const [action, body] of [
        ['activate', undefined],
        ['block', { mode: 'total' }],
        ['unblock', undefined],
        ['pin/unblock', undefined],
        ['recurring-consents/M1/revoke', undefined],
      ] as const) {
        const response = await post('card_000000000000000000000000', action, body);
        expect([action, response.statusCode, response.json()]).toEqual([
          action,
          404,
          { error: { code: 'not-found', reason: 'unknown card' } },
        ]);
      }
      const accountId = await fundedAccount('eur-standard', 5000);
      const { cardId } = await issued(accountId, 'virtual');
      expect((await post(cardId, 'block', { mode: 'forever' })).json()).toEqual({
        error: { code: 'validation', field: 'mode', reason: 'must be one of temporary, total, lost, stolen' },
      });
      expect((await post(cardId, 'block', {})).json().error.field).toBe('mode');
      expect((await post(cardId, 'activate', { now: true })).json()).toEqual({
        error: { code: 'validation', field: 'now', reason: 'unknown field' },
      });
    });
  });

  describe('operations', () => {
    it('counts back-office operations in /metrics, with the default process metrics', async () => {
      const accountId = await fundedAccount('eur-standard', 5000);
      await client.load(accountId, 200001, 'p2p');
      const metrics = await client.call('GET', '/metrics', { authorization: null });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
      expect(metrics.body).toMatch(
        /^back_office_operations_total\{operation="load",outcome="ok"\} [1-9][0-9]*$/m,
      );
      expect(metrics.body).toMatch(
        /^back_office_operations_total\{operation="load",outcome="load-limit"\} [1-9][0-9]*$/m,
      );
      expect(metrics.body).toMatch(/^process_cpu_user_seconds_total /m);
      expect(metrics.body).not.toContain(accountId);
    });

    it('serves the OpenAPI document at /openapi.json and the Swagger UI at /docs, without a key', async () => {
      const document = await client.call('GET', '/openapi.json', { authorization: null });
      expect(document.statusCode).toBe(200);
      const paths = Object.keys(document.json().paths);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/v1/accounts',
          '/v1/accounts/{accountId}',
          '/v1/accounts/{accountId}/loads',
          '/v1/accounts/{accountId}/cards',
          '/v1/cards/{cardId}/activate',
          '/v1/cards/{cardId}/block',
          '/v1/cards/{cardId}/unblock',
          '/v1/cards/{cardId}/pin/unblock',
          '/v1/cards/{cardId}/recurring-consents/{merchantId}/revoke',
        ]),
      );
      expect(document.json().paths['/v1/accounts/{accountId}/loads'].post.responses['422']).toBeDefined();
      expect(document.json().components.securitySchemes.bearer).toEqual(
        expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      );
      const ui = await client.call('GET', '/docs', { authorization: null });
      expect([ui.statusCode, ui.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
      for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-init.js']) {
        expect((await client.call('GET', `/docs/${asset}`, { authorization: null })).statusCode).toBe(200);
      }
      expect((await client.call('GET', '/docs/package.json', { authorization: null })).statusCode).toBe(404);
    });
  });
});
