/**
 * `npm run bench:settlement [-- --events 50000 --accounts 2000 --clearing 10000]`: throughput of
 * the ledger consumer on the real Kafka, Redis and PostgreSQL, in three phases, each on topics of
 * its own (created here, deleted at the end):
 *
 * 1. backlog: N `card.authorizations` events that post (0200 ATM withdrawals with a fee: one
 *    entry, three lines each) are produced first; the consumer then starts and the time until
 *    its lag is 0 gives events/s posted (target >= 5,000/s: one transaction per chunk of up to
 *    1,000 events, per-event idempotency by INSERT ... ON CONFLICT (event_id) DO NOTHING RETURNING);
 * 2. live load: the consumer runs while N more events are produced as fast as possible; printed:
 *    the time for the consumer lag to return to 0 after the load ended;
 * 3. clearing: presentments (each an atomic step in Redis, then the ledger), on seeded accounts
 *    in Redis logical database 8 (kept apart from everyone's data).
 *
 * The journal is append-only: every run leaves its entries in the database (unique event ids).
 */
import { join } from 'path';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { toClearingRecordEvent } from '@lib/clearing';
import { SystemClock } from '@lib/clock';
import { ALL_CONFIG_SECTIONS, findRepoRoot, loadConfig, settlementConfigSchema } from '@lib/config';
import { seedAccount } from '@lib/engine';
import { ClearingApplier, LedgerRepository, SettleBatchUseCase } from '@lib/ledger';
import { money } from '@lib/money';
import { createPgPool } from '@lib/platform';
import { loadProgramCatalogue } from '@lib/programs';
import { consumerLag } from '../apps/settlement/src/consumer/consumer-lag';
import { SettlementConsumer } from '../apps/settlement/src/consumer/settlement-consumer';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const EVENTS = option('events', 50_000);
const ACCOUNTS = option('accounts', 2_000);
const CLEARING = option('clearing', 10_000);
const PARTITIONS = 6;
const REDIS_DB = 8;

const config = loadConfig(settlementConfigSchema, { otherSections: ALL_CONFIG_SECTIONS });
const kafka = new Kafka({ clientId: 'bench-settlement', brokers: [`${config.kafka.host}:${config.kafka.port}`], logLevel: process.env.BENCH_VERBOSE ? logLevel.ERROR : logLevel.NOTHING });
const run = `bench-${Date.now().toString(36)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Topics {
  authorizations: string;
  clearing: string;
  postings: string;
}

async function createTopics(phase: string): Promise<Topics> {
  const topics = { authorizations: `${run}.${phase}.card.authorizations`, clearing: `${run}.${phase}.card.clearing`, postings: `${run}.${phase}.ledger.postings` };
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      ...Object.values(topics).map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
      { topic: `${topics.authorizations}.dlq`, numPartitions: 1, replicationFactor: 1 },
      { topic: `${topics.clearing}.dlq`, numPartitions: 1, replicationFactor: 1 },
    ],
  });
  await admin.disconnect();
  return topics;
}

async function deleteTopics(all: Topics[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: all.flatMap((t) => [...Object.values(t), `${t.authorizations}.dlq`, `${t.clearing}.dlq`]) }).catch(() => undefined);
  await admin.disconnect();
}

function atmEvent(phase: string, i: number, nowIso: string): { key: string; value: string } {
  const accountId = `${run}-acc${i % ACCOUNTS}`;
  return {
    key: accountId,
    value: JSON.stringify({
      schemaVersion: 1, eventId: `${run}-${phase}-${i}`, type: 'authorization.approved', occurredAt: nowIso, accountId, cardId: 'crd_bench', panMasked: '499999******0007',
      transactionId: null, mti: '0200', processingCode: '010000', amount: { minor: '5000', currency: 'EUR' }, billing: null, fx: null,
      fees: [{ type: 'atm-withdrawal', amount: { minor: '150', currency: 'EUR' } }], mcc: '6011', merchant: { id: 'ATM0001', name: 'ATM PARIS', country: 'FR' },
      responseCode: '00', authCode: 'ABC123', approvedAmount: { minor: '5000', currency: 'EUR' }, declineReason: null, hold: null, holdEffect: null,
      posted: { minor: '-5150', currency: 'EUR' }, balancesAfter: { ledger: { minor: '0', currency: 'EUR' }, available: { minor: '0', currency: 'EUR' } }, context: {},
    }),
  };
}

async function produceAll(topic: string, messages: { key: string; value: string }[]): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const started = performance.now();
  const chunks: { key: string; value: string }[][] = [];
  for (let i = 0; i < messages.length; i += 2_000) chunks.push(messages.slice(i, i + 2_000));
  // A few requests in flight: the producer is not what is measured.
  for (let i = 0; i < chunks.length; i += 4) await Promise.all(chunks.slice(i, i + 4).map((chunk) => producer.send({ topic, acks: -1, messages: chunk })));
  const elapsed = performance.now() - started;
  await producer.disconnect();
  return elapsed;
}

async function lagOf(groupId: string, topics: Topics): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await consumerLag(admin, groupId, [topics.authorizations, topics.clearing])).consumerLag;
  } finally {
    await admin.disconnect();
  }
}

async function untilDrained(groupId: string, topics: Topics, timeoutMs = 600_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if ((await lagOf(groupId, topics)) === 0) return performance.now();
    await sleep(50);
  }
  throw new Error(`lag not back to 0 within ${timeoutMs} ms`);
}

async function main(): Promise<void> {
  const pool = createPgPool({ ...config.postgres, poolSize: 8 });
  const redis = new Redis({ host: config.redis.host, port: config.redis.port, db: REDIS_DB, lazyConnect: true, connectionName: 'bench-settlement' });
  await redis.connect();
  const catalogue = loadProgramCatalogue(join(findRepoRoot(), 'config'));
  const clock = new SystemClock();
  const repository = new LedgerRepository(pool, clock);
  const settle = new SettleBatchUseCase({ repository, clearing: new ClearingApplier({ redis, catalogue, clock, disputes: repository }) });
  const consumerFor = (topics: Topics) =>
    new SettlementConsumer({ kafka, groupId: `${run}-${topics.authorizations}`, topics, settle, maxRetries: 3, retryBackoffMs: 100, partitionsConcurrently: 3, log: process.env.BENCH_VERBOSE ? (line) => console.log(line) : () => undefined });
  const created: Topics[] = [];
  const nowIso = new Date().toISOString();
  console.log(`bench:settlement  node ${process.version}; ${EVENTS} posting events over ${ACCOUNTS} accounts, ${CLEARING} presentments; ${PARTITIONS} partitions, 3 consumed at once`);
  try {
    // 1. Backlog.
    const backlog = await createTopics('backlog');
    created.push(backlog);
    await produceAll(backlog.authorizations, Array.from({ length: EVENTS }, (_, i) => atmEvent('backlog', i, nowIso)));
    const first = consumerFor(backlog);
    const startedMs = performance.now();
    await first.start();
    const joinedMs = performance.now();
    const drainedMs = await untilDrained(`${run}-${backlog.authorizations}`, backlog);
    const seconds = (drainedMs - joinedMs) / 1000;
    const rate = EVENTS / seconds;
    console.log(
      `  backlog:   ${first.stats.posted} events posted (${first.stats.duplicates} duplicates, ${first.stats.deadLettered} dead-lettered) in ${seconds.toFixed(2)} s after the group join ` +
        `(join ${((joinedMs - startedMs) / 1000).toFixed(2)} s) -> ${Math.round(rate)} events/s posted (target >= 5,000/s: ${rate >= 5_000 ? 'met' : 'NOT met'}); ` +
        `${Math.round(EVENTS / ((drainedMs - startedMs) / 1000))} events/s counting the join`,
    );
    await first.stop();

    // 2. Live load: consumer running, events produced as fast as possible.
    const live = await createTopics('live');
    created.push(live);
    const second = consumerFor(live);
    await second.start();
    const messages = Array.from({ length: EVENTS }, (_, i) => atmEvent('live', i, nowIso));
    const loadStarted = performance.now();
    const produceMs = await produceAll(live.authorizations, messages);
    const loadEnded = performance.now();
    const liveDrained = await untilDrained(`${run}-${live.authorizations}`, live);
    const total = (liveDrained - loadStarted) / 1000;
    console.log(`  live load: ${EVENTS} events produced in ${(produceMs / 1000).toFixed(2)} s while consuming; consumer lag back to 0 ${((liveDrained - loadEnded) / 1000).toFixed(2)} s after the load ended (${Math.round(EVENTS / total)} events/s end to end)`);
    await second.stop();

    // 3. Clearing: every presentment is an atomic step on its account, then the ledger.
    const clearingTopics = await createTopics('clearing');
    created.push(clearingTopics);
    const clearingAccounts = await Promise.all(Array.from({ length: Math.min(ACCOUNTS, CLEARING) }, () => seedAccount(redis, { program: 'eur-standard', balances: { EUR: 100_000_000n }, nowMs: Date.now() })));
    const header = { fileId: `${run}-F`, processingDate: nowIso.slice(0, 10), records: CLEARING };
    const presentments = Array.from({ length: CLEARING }, (_, i) => {
      const accountId = clearingAccounts[i % clearingAccounts.length];
      const event = toClearingRecordEvent(
        header,
        { line: i + 2, recordId: `${run}-rec-${i}`, type: 'presentment', transactionId: null, pan: '4999990000000007', authCode: null, amount: money(1_250n, 'EUR'), mcc: '5411', merchant: { id: 'M', name: 'SHOP', country: 'FR' }, acquirerId: '12345678', final: true },
        { accountId, cardId: 'crd_bench' },
        Date.now(),
      );
      return { key: accountId, value: JSON.stringify(event) };
    });
    await produceAll(clearingTopics.clearing, presentments);
    const third = consumerFor(clearingTopics);
    await third.start();
    const clearingStarted = performance.now();
    const clearingDrained = await untilDrained(`${run}-${clearingTopics.authorizations}`, clearingTopics);
    const clearingSeconds = (clearingDrained - clearingStarted) / 1000;
    console.log(`  clearing:  ${third.stats.posted} presentments (atomic step in Redis + ledger) in ${clearingSeconds.toFixed(2)} s after the group join -> ${Math.round(CLEARING / clearingSeconds)} events/s posted`);
    await third.stop();
  } finally {
    await deleteTopics(created);
    await Promise.allSettled([pool.end(), redis.flushdb().then(() => redis.quit())]);
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:settlement failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
