import { Logger, LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type Redis from 'ioredis';
import { authorisationRequest, PinBlockCodec } from '@lib/engine';
import { findCardData } from '@lib/events';
import { messageToJson } from '@lib/iso8583';
import { REDIS } from '@lib/platform';
import { bootApp, integrationConfig, listenForAccount, waitFor } from '@lib/testing';
import { BackOfficeClient } from './back-office/testing/back-office-client';
import { gatewayApp } from './gateway.app';

/**
 * Spec invariant 6: after a run through the back office and the network route (PIN blocks, CVV2,
 * a card issued with its PAN, CVV2 and PIN), no PAN, PIN, PIN block or CVV2 is found in clear in
 * any log line, any Redis key or value, or any Kafka event the gateway published. On a Redis
 * database of its own (6), scanned whole.
 */
describe('card data never in clear (real Redis and Kafka)', () => {
  const DB = '6';
  const logLines: string[] = [];
  const capture: LoggerService = {
    log: (m: unknown, ...rest: unknown[]) => void logLines.push(JSON.stringify([m, ...rest])),
    error: (m: unknown, ...rest: unknown[]) => void logLines.push(JSON.stringify([m, ...rest])),
    warn: (m: unknown, ...rest: unknown[]) => void logLines.push(JSON.stringify([m, ...rest])),
    debug: (m: unknown, ...rest: unknown[]) => void logLines.push(JSON.stringify([m, ...rest])),
    verbose: (m: unknown, ...rest: unknown[]) => void logLines.push(JSON.stringify([m, ...rest])),
  };
  let app: NestFastifyApplication;
  let redis: Redis;

  beforeAll(async () => {
    app = await bootApp(gatewayApp, { ...process.env, REDIS_DB: DB, GATEWAY_OUTBOX_RELAY: 'true', LOG_LEVEL: 'debug' });
    app.useLogger(capture);
    Logger.overrideLogger(capture);
    redis = app.get(REDIS);
    await redis.flushdb();
  });
  afterAll(async () => {
    await app.close();
    Logger.overrideLogger(['error', 'warn']);
  });

  it('finds none after issuing a card and authorising with PIN and CVV2', async () => {
    const config = integrationConfig({ ...process.env, REDIS_DB: DB });
    const backOffice = new BackOfficeClient(app);
    const accountId = await backOffice.openAccount('eur-standard');
    expect((await backOffice.load(accountId, 100_000)).statusCode).toBe(201);
    const issued = await backOffice.call('POST', `/v1/accounts/${accountId}/cards`, { body: { form: 'physical' } });
    expect(issued.statusCode).toBe(201);
    const { cardId, pan, cvv2, pin, expiry } = issued.json() as { cardId: string; pan: string; cvv2: string; pin: string; expiry: string };
    expect((await backOffice.call('POST', `/v1/cards/${cardId}/activate`)).statusCode).toBe(200);

    const listening = await listenForAccount(config.kafka, 'card.authorizations', accountId);
    const events = listening.values;
    try {
      const pinBlock = new PinBlockCodec(config.security.zonePinKey).encode(pin, pan);
      const wrongPinBlock = new PinBlockCodec(config.security.zonePinKey).encode(pin === '000000' ? '111111' : '000000', pan);
      const send = (payload: unknown) =>
        app.getHttpAdapter().getInstance().inject({ method: 'POST', url: '/v1/network/messages', payload: payload as object });
      const requests = [
        authorisationRequest({ pan, amountMinor: 1_000, stan: 1, expiry, pinBlock }),
        authorisationRequest({ pan, amountMinor: 1_000, stan: 2, expiry, pinBlock: wrongPinBlock }),
        authorisationRequest({ pan, amountMinor: 900, stan: 3, expiry, entryMode: '010', condition: '59', tags: { CV: cvv2, SC: 'Y' } }),
        authorisationRequest({ pan, amountMinor: 900, stan: 4, expiry, entryMode: '010', condition: '59', tags: { CV: cvv2 === '000' ? '001' : '000', SC: 'Y' } }),
      ];
      for (const request of requests) expect((await send(messageToJson(request))).statusCode).toBe(200);
      await waitFor(() => (events.length >= requests.length ? true : undefined), 20_000);

      const secrets = [pan, pinBlock, wrongPinBlock];
      const dump: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'COUNT', 1000);
        cursor = next;
        for (const key of found) {
          dump.push(key);
          const type = await redis.type(key);
          if (type === 'string') dump.push((await redis.get(key)) ?? '');
          if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
          if (type === 'set') dump.push(JSON.stringify(await redis.smembers(key)));
          if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES')));
          if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(key, '-', '+')));
        }
      } while (cursor !== '0');
      expect(dump.length).toBeGreaterThan(10);
      for (const [where, texts] of [
        ['Redis', dump],
        ['Kafka', events],
        ['logs', logLines],
      ] as const) {
        const all = texts.join('\n');
        for (const secret of secrets) expect(`${where} contains ${secret === pan ? 'the PAN' : 'a PIN block'}: ${all.includes(secret)}`).toBe(`${where} contains ${secret === pan ? 'the PAN' : 'a PIN block'}: false`);
        // CVV2: never as a CV tag or a cvv-named field (a bare 3-digit run is not evidence).
        expect(all).not.toMatch(new RegExp(`"(CV|cv|cvv|cvv2|CVV2)"\\s*:\\s*"${cvv2}"`));
        expect(all).not.toMatch(new RegExp(`"(pin|PIN)"\\s*:\\s*"${pin}"`));
      }
      // Events also pass the generic guard (any Luhn-valid 13-19 digit run outside identifiers); raw
      // Redis dumps are left to the exact checks above (stream ids and epoch-ms values can pass Luhn).
      for (const event of events) expect(findCardData(JSON.parse(event))).toEqual([]);
    } finally {
      await listening.close();
    }
  }, 60_000);
});
