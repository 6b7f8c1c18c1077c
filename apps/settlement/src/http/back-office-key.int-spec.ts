import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Kafka } from 'kafkajs';
import { bootApp, uniqueId } from '@lib/testing';
import { settlementApp } from '../settlement.app';
import { config, createTopicSet, deleteTopicSet, testKafka, TopicSet } from '../testing/settlement-fixtures';

/**
 * Settlement's back-office routes take the gateway's key check (http-and-events.md): the Bearer
 * scheme in any case, and a refusal is the gateway's one 401 body with `WWW-Authenticate: Bearer`.
 */
const KEY = config.security.backOfficeKeys[0];
let app: NestFastifyApplication;
let kafka: Kafka;
let topics: TopicSet;

beforeAll(async () => {
  kafka = testKafka('settlement-key-test');
  topics = await createTopicSet(kafka);
  app = await bootApp(settlementApp, {
    ...process.env,
    SETTLEMENT_GROUP_ID: uniqueId('settlement-key'),
    SETTLEMENT_TOPICS_AUTHORIZATIONS: topics.authorizations,
    SETTLEMENT_TOPICS_CLEARING: topics.clearing,
    SETTLEMENT_TOPICS_POSTINGS: topics.postings,
    SETTLEMENT_RECONCILIATION_INTERVAL_MS: '0',
    SETTLEMENT_CONSUMER: 'false',
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await deleteTopicSet(kafka, topics);
});

const get = (url: string, authorization?: string) =>
  app.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

describe('settlement back-office key', () => {
  it('accepts the Bearer scheme in any case, as the gateway does', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const response = await get('/v1/reports/settlement?date=not-a-date', `${scheme} ${KEY}`);
      expect([scheme, response.statusCode]).toEqual([scheme, 400]);
    }
  });

  it.each([
    ['no header', undefined],
    ['a wrong key', 'Bearer not-the-back-office-key'],
    ['another scheme', `Basic ${KEY}`],
  ])('refuses %s with the gateway 401 body', async (_name, authorization) => {
    for (const url of ['/v1/reconciliation', '/v1/reports/settlement?date=2026-11-22']) {
      const response = await get(url, authorization);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ error: { code: 'unauthorized', reason: 'a valid back-office key is required' } });
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
  });
});
