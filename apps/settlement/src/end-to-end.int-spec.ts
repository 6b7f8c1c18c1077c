import { join } from 'path';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { ManualClock } from '@lib/clock';
import { findRepoRoot } from '@lib/config';
import { authorisationRequest, HoldExpirySweeper, NetworkMessageHandler, PinBlockCodec, seedAccount, seedCard, SeededCard } from '@lib/engine';
import { IsoMessage } from '@lib/iso8583';
import { LedgerRepository, processingInstant, readStatement, ReconciliationUseCase } from '@lib/ledger';
import { money } from '@lib/money';
import { OutboxRelay } from '@lib/outbox-relay';
import { dayIdOf, loadProgramCatalogue, localDateOf, MS_PER_DAY, priceInWallet } from '@lib/programs';
import { CardSecrets, keys } from '@lib/store';
import { uniqueId, waitFor } from '@lib/testing';
import { ClearingIngest } from '../../gateway/src/clearing/clearing-ingest';
import { KafkaClearingPublisher } from '../../gateway/src/clearing/event-publisher';
import { RaiseDispute } from '../../gateway/src/clearing/raise-dispute';
import { consumerLag } from './consumer/consumer-lag';
import { collect, config, ConsumerUnderTest, createTopicSet, deleteTopicSet, drained, isolatedRedis, produce, startConsumer, testKafka, testPool, TopicSet } from './testing/settlement-fixtures';

/**
 * End to end on the real Kafka, Redis and PostgreSQL: authorisations by the engine, events relayed
 * by the outbox relay (libs/outbox-relay), the ledger consumer, a clearing file through the ingest,
 * a chargeback, a pre-authorisation aged 15 days on a manual clock, clearing after its expiry, a
 * force post taking the balance below zero -- and reconciliation finding no difference.
 *
 * Isolation: topics of its own, and Redis logical database 9 (the relay's pending set is global:
 * on database 0 it would relay other tests' accounts, and theirs ours). The load that funds the
 * account is the back office's `account.loaded` event, produced here as the back office would
 * (with the balance it gives in Redis): the relay does not yet carry back-office outbox entries.
 */
const catalogue = loadProgramCatalogue(join(findRepoRoot(), 'config'));
const secrets = new CardSecrets(config.security.panHmacKey);
const pinBlocks = new PinBlockCodec(config.security.zonePinKey);
const START = Date.now();
const clock = new ManualClock(START);
const PARIS = 'Europe/Paris';
const paris = (ms: number) => dayIdOf(localDateOf(ms, PARIS));

let kafka: Kafka;
let redis: Redis;
let relayRedis: Redis;
let pool: Pool;
let topics: TopicSet;
let under: ConsumerUnderTest;
let relay: OutboxRelay;
let handler: NetworkMessageHandler;
let ingest: ClearingIngest;
let disputes: RaiseDispute;
let publisher: KafkaClearingPublisher;
let stan = 0;

beforeAll(async () => {
  kafka = testKafka('settlement-e2e');
  redis = await isolatedRedis(9, 'settlement-e2e');
  relayRedis = await isolatedRedis(9, 'settlement-e2e-relay');
  pool = testPool();
  topics = await createTopicSet(kafka);
  handler = new NetworkMessageHandler({ redis, catalogue, secrets, pinBlocks, clock, redisBudgetMs: 5_000 });
  relay = new OutboxRelay(relayRedis, kafka, { topic: topics.authorizations, deadLetterTopic: `${topics.authorizations}.dlq`, idlePollMs: 10, logger: { warn: () => undefined, error: () => undefined } });
  relay.start();
  under = await startConsumer({ kafka, redis, pool, catalogue, clock, topics });
  publisher = new KafkaClearingPublisher(kafka);
  ingest = new ClearingIngest({ redis, pool, publisher, secrets, clock, topic: topics.clearing });
  disputes = new RaiseDispute({ redis, pool, publisher, clock, topic: topics.clearing });
}, 60_000);

afterAll(async () => {
  await relay?.stop();
  await under?.consumer.stop();
  await publisher?.close();
  await deleteTopicSet(kafka, topics);
  await Promise.allSettled([redis.quit(), relayRedis.quit(), pool.end()]);
});

async function authorise(card: SeededCard, options: Partial<Parameters<typeof authorisationRequest>[0]> & { amountMinor: number }): Promise<{ response: IsoMessage; ti: string }> {
  stan += 1;
  const request = authorisationRequest({ pan: card.pan, stan, expiry: card.expiry, entryMode: '071', ...options });
  const response = await handler.handle(request);
  if (!response) throw new Error('no response');
  return { response, ti: request.field48!.TI };
}

/** Everything decided so far is relayed, consumed and posted. */
async function settled(accountId: string): Promise<void> {
  await waitFor(async () => ((await redis.xlen(keys.outbox(accountId))) === 0 ? true : undefined), 20_000);
  await drained(kafka, under.groupId, topics);
}

function clearingFile(fileId: string, processingDate: string, lines: (object | string)[]): string {
  return [JSON.stringify({ fileId, processingDate, records: lines.length }), ...lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))].join('\n') + '\n';
}

function record(recordId: string, card: SeededCard, fields: { type?: string; transactionId?: string | null; minor: string; currency?: string; final?: boolean; mcc?: string }) {
  return {
    recordId,
    type: fields.type ?? 'presentment',
    ...(fields.transactionId ? { transactionId: fields.transactionId } : {}),
    pan: card.pan,
    amount: { minor: fields.minor, currency: fields.currency ?? 'EUR' },
    mcc: fields.mcc ?? '5411',
    merchant: { id: 'MERCHANT0000001', name: 'SUPERMARCHE PARIS', country: 'FR' },
    acquirerId: '12345678',
    final: fields.final ?? true,
  };
}

describe('authorisation -> clearing -> ledger -> reconciliation (end to end)', () => {
  it('settles a day of card life and ends with the cache equal to the ledger', async () => {
    const repository = new LedgerRepository(pool, clock);
    const reconciliation = new ReconciliationUseCase({ redis, repository, clock, inFlight: async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return await consumerLag(admin, under.groupId, [topics.authorizations, topics.clearing]);
      } finally {
        await admin.disconnect();
      }
    } });
    const postings = await collect(kafka, topics.postings);

    // 1. An account funded by a 300.00 load (the back office's event and the balance it gives).
    const accountId = await seedAccount(redis, { program: 'eur-standard', balances: { EUR: 30_000n }, nowMs: START });
    const card = await seedCard(redis, secrets, { accountId, nowMs: START });
    await produce(kafka, topics.authorizations, [
      { key: accountId, value: JSON.stringify({ schemaVersion: 1, eventId: uniqueId('load'), type: 'account.loaded', occurredAt: new Date(START).toISOString(), accountId, loadId: 'load_e2e', amount: { minor: '30000', currency: 'EUR' }, method: 'sepa-transfer', fees: [] }) },
    ]);

    // 2. Authorisations: a purchase, a hotel pre-authorisation (15-day hold), a USD purchase.
    const purchase = await authorise(card, { amountMinor: 4_500 });
    const hotel = await authorise(card, { amountMinor: 8_000, condition: '06', mcc: '7011' });
    const usd = await authorise(card, { amountMinor: 2_000, currencyNumeric: '840', country: '840' });
    for (const a of [purchase, hotel, usd]) expect(a.response.get(39)).toBe('00');
    expect(await redis.hlen(keys.holds(accountId))).toBe(3);
    await settled(accountId);
    expect(await repository.journalBalance(accountId, 'EUR')).toBe(30_000n); // holds move no money
    expect((await reconciliation.execute([accountId])).differences).toEqual([]);

    // 3. The clearing file of the next day: full clearing, FX re-rated, a refund, a force post, a bad line.
    const tomorrow = paris(START + MS_PER_DAY);
    const fileId = uniqueId('CLR');
    const file = clearingFile(fileId, tomorrow, [
      record(`${fileId}-1`, card, { transactionId: purchase.ti, minor: '4500' }),
      record(`${fileId}-2`, card, { transactionId: usd.ti, minor: '2000', currency: 'USD' }),
      record(`${fileId}-3`, card, { type: 'refund', transactionId: purchase.ti, minor: '1000' }),
      record(`${fileId}-4`, card, { transactionId: null, minor: '500' }),
      '{"recordId": "broken"',
    ]);
    const answer = await ingest.ingest(file);
    expect(answer).toEqual({ ok: true, value: expect.objectContaining({ fileId, accepted: 4, rejected: [{ line: 6, reason: 'not valid JSON' }], emitted: 4, duplicates: 0 }) });
    await settled(accountId);
    const holdsLeft = Object.values(await redis.hgetall(keys.holds(accountId))).map((raw) => JSON.parse(raw).transactionId);
    expect(holdsLeft).toEqual([hotel.ti]); // the cleared holds were released
    const usdPricing = priceInWallet(catalogue.programs.get('eur-standard')!, { kind: 'purchase', channel: 'pos', entryMode: 'contactless', preAuthorisation: false, incremental: false, transactionAmount: money(2_000n, 'USD'), acquirerCountry: '840', mcc: '5411' }, 'EUR', { accountCurrencyAtmWithdrawalsThisMonth: 0 }, processingInstant(tomorrow, PARIS), catalogue.rates);
    if (!usdPricing.ok) throw new Error('no USD rate');
    const usdTotal = usdPricing.value.totalDebit.amountMinor;
    expect(await repository.journalBalance(accountId, 'EUR')).toBe(30_000n - 4_500n - usdTotal + 1_000n - 500n);
    expect((await reconciliation.execute([accountId])).differences).toEqual([]);

    // The same file again posts nothing again.
    const again = await ingest.ingest(file);
    expect(again.ok && again.value).toMatchObject({ accepted: 4, emitted: 0, duplicates: 4 });

    // 4. A chargeback on the purchase: credited 20.00, charged the 15.00 chargeback fee; then re-presented.
    const dispute = await disputes.execute(accountId, { transactionId: purchase.ti, amount: { minor: '2000', currency: 'EUR' }, reason: 'goods not received' }, 'idem-e2e-1');
    expect(dispute).toMatchObject({ status: 201, body: { status: 'raised' } });
    const replay = await disputes.execute(accountId, { transactionId: purchase.ti, amount: { minor: '2000', currency: 'EUR' }, reason: 'goods not received' }, 'idem-e2e-1');
    expect(replay).toMatchObject({ status: 201, replayed: true, body: dispute.body });
    expect(await disputes.execute(accountId, { transactionId: purchase.ti, amount: { minor: '900000', currency: 'EUR' }, reason: 'x' }, undefined)).toMatchObject({ status: 409, body: { error: { code: 'exceeds-disputable' } } });
    const file2 = uniqueId('CLR');
    // The representment, and in the same file (the same batch, before the chargeback is closed) a
    // chargeback-reversal of it: the credit is taken back once, the second record is suspense.
    await ingest.ingest(
      clearingFile(file2, tomorrow, [
        record(`${file2}-1`, card, { type: 'representment', transactionId: purchase.ti, minor: '2000' }),
        record(`${file2}-2`, card, { type: 'chargeback-reversal', transactionId: purchase.ti, minor: '2000' }),
      ]),
    );
    await settled(accountId);
    const afterDispute = 30_000n - 4_500n - usdTotal + 1_000n - 500n + 2_000n - 1_500n - 2_000n;
    expect(await repository.journalBalance(accountId, 'EUR')).toBe(afterDispute);
    const { rows: disputeRows } = await pool.query('SELECT status FROM disputes WHERE dispute_id = $1', [(dispute.body as { disputeId: string }).disputeId]);
    expect(disputeRows[0].status).toBe('represented');
    // A second representment finds no open chargeback: suspense against the network, the holder untouched.
    const file2b = uniqueId('CLR');
    await ingest.ingest(clearingFile(file2b, tomorrow, [record(`${file2b}-1`, card, { type: 'representment', transactionId: purchase.ti, minor: '2000' })]));
    await settled(accountId);
    expect(await repository.journalBalance(accountId, 'EUR')).toBe(afterDispute);
    expect(await redis.hget(keys.balances(accountId), 'EUR:ledger')).toBe(afterDispute.toString());

    // 5. Fifteen days later the hotel pre-authorisation expires (the gateway's sweeper step) ...
    clock.advance(15 * MS_PER_DAY + 60_000);
    const sweeper = new HoldExpirySweeper(redis, clock);
    expect(await sweeper.sweepAccount(accountId, clock.nowMs())).toHaveLength(1);
    await settled(accountId);
    const expired = await pool.query(`SELECT memo, details FROM journal_entries WHERE account_id = $1 AND type = 'hold.expired'`, [accountId]);
    expect(expired.rows).toEqual([{ memo: true, details: { hold: expect.objectContaining({ released: { minor: '8000', currency: 'EUR' } }) } }]);
    expect(await redis.hlen(keys.holds(accountId))).toBe(0);

    // ... and its clearing arrives after the expiry: force posted; a large unmatched record takes the balance below zero.
    const later = paris(clock.nowMs());
    const file3 = uniqueId('CLR');
    await ingest.ingest(clearingFile(file3, later, [
      record(`${file3}-1`, card, { transactionId: hotel.ti, minor: '8000', mcc: '7011' }),
      record(`${file3}-2`, card, { transactionId: null, minor: '40000' }),
    ]));
    await settled(accountId);
    const finalBalance = afterDispute - 8_000n - 40_000n;
    expect(finalBalance).toBeLessThan(0n);
    expect(await repository.journalBalance(accountId, 'EUR')).toBe(finalBalance);
    const matches = await pool.query(`SELECT details->>'match' AS match FROM journal_entries WHERE event_id = ANY($1::text[]) ORDER BY event_id`, [[`${file3}-1`, `${file3}-2`]]);
    expect(matches.rows.map((r) => r.match)).toEqual(['no-open-hold', 'unmatched']);

    // 6. A negative balance suspends the account's debits (gateway check: 05).
    const suspended = await authorise(card, { amountMinor: 100 });
    expect(suspended.response.get(39)).toBe('05');
    await settled(accountId);

    // 7. Cache and ledger agree; the statement shows the entries newest first.
    expect(await redis.hgetall(keys.balances(accountId))).toMatchObject({ 'EUR:ledger': finalBalance.toString(), 'EUR:avail': finalBalance.toString() });
    const report = await reconciliation.execute([accountId]);
    expect(report).toMatchObject({ accountsChecked: 1, differences: [] });
    const statement = await readStatement(pool, { accountId, limit: 100 });
    expect(statement.entries[0]).toMatchObject({ type: 'presentment', amount: { minor: '-40000', currency: 'EUR' }, balanceAfter: { minor: finalBalance.toString(), currency: 'EUR' } });
    const usdEntry = statement.entries.find((e) => e.transactionId === usd.ti)!;
    expect(usdEntry.fees.map((f) => f.type)).toEqual(['foreign-payment', 'fx']);
    expect(BigInt(usdEntry.amount.minor) + usdEntry.fees.reduce((t, f) => t + BigInt(f.amount.minor), 0n)).toBe(-usdTotal);
    const chargeback = statement.entries.find((e) => e.type === 'dispute.raised')!;
    expect(chargeback).toMatchObject({ amount: { minor: '2000', currency: 'EUR' }, fees: [{ type: 'chargeback', amount: { minor: '-1500', currency: 'EUR' } }] });
    expect(statement.entries.map((e) => Number(e.entryId))).toEqual([...statement.entries.map((e) => Number(e.entryId))].sort((a, b) => b - a));

    // Every entry posted went out on ledger.postings.
    const entryIds = new Set(statement.entries.map((e) => e.entryId));
    await waitFor(() => {
      const published = new Set(postings.messages.map((m) => JSON.parse(m.value!.toString()).entryId));
      return [...entryIds].every((id) => published.has(id)) ? true : undefined;
    });
    await postings.stop();
  }, 120_000);
});
