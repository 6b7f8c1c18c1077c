import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { authorisationRequest, seedAccount, seedCard } from '@lib/engine';
import { messageToJson } from '@lib/iso8583';
import { REDIS } from '@lib/platform';
import { CardSecrets } from '@lib/store';
import { bootApp, integrationConfig, listenForAccount, waitFor } from '@lib/testing';
import { gatewayApp } from '../gateway.app';

/**
 * The gateway's own relay: a decision taken on the HTTP route reaches card.authorizations, keyed
 * by account id, schema-shaped, with no card data. On its own Redis database so it drains no other
 * test's outbox.
 */
describe('gateway outbox relay (real Redis and Kafka)', () => {
  const DB = '10';
  let app: NestFastifyApplication;
  let redis: Redis;

  beforeAll(async () => {
    app = await bootApp(gatewayApp, { ...process.env, REDIS_DB: DB, GATEWAY_OUTBOX_RELAY: 'true' });
    redis = app.get(REDIS);
  });
  afterAll(() => app.close());

  it('publishes the decision of a purchase to card.authorizations', async () => {
    const config = integrationConfig({ ...process.env, REDIS_DB: DB });
    const secrets = new CardSecrets(config.security.panHmacKey);
    const accountId = await seedAccount(redis, { program: 'eur-standard', balances: { EUR: 10_000n }, nowMs: Date.now() });
    const card = await seedCard(redis, secrets, { accountId, nowMs: Date.now() });

    const events = await listenForAccount(config.kafka, 'card.authorizations', accountId);
    try {
      const response = await app.getHttpAdapter().getInstance().inject({
        method: 'POST',
        url: '/v1/network/messages',
        payload: messageToJson(authorisationRequest({ pan: card.pan, amountMinor: 1_250, stan: 4242, expiry: card.expiry })) as object,
      });
      expect(response.json().fields['39']).toBe('00');
      const value = await waitFor(() => events.values[0], 20_000);
      const event = JSON.parse(value);
      expect(event).toMatchObject({ type: 'authorization.approved', accountId, cardId: card.cardId, responseCode: '00', schemaVersion: 1 });
      expect(value).not.toContain(card.pan);
      expect(await redis.xlen(`{a:${accountId}}:outbox`)).toBe(0);
    } finally {
      await events.close();
    }
  }, 60_000);
});
