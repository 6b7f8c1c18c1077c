import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { toClearingRecordEvent } from '@lib/clearing';
import { findRepoRoot } from '@lib/config';
import { seedAccount } from '@lib/engine';
import { LedgerRepository } from '@lib/ledger';
import { money } from '@lib/money';
import { createRedis } from '@lib/platform';
import { SystemClock } from '@lib/clock';
import { keys } from '@lib/store';
import { uniqueId, waitFor } from '@lib/testing';
import { consumerLag } from './consumer/consumer-lag';
import { config, createTopicSet, deleteTopicSet, produce, testKafka, testPool, TopicSet } from './testing/settlement-fixtures';

/**
 * Idempotency under a crash (spec invariant 5): the settlement app runs in a child process with
 * `SETTLEMENT_CRASH_AFTER_COMMIT=true`, which SIGKILLs it right after its first database commit,
 * before any offset is committed. Restarted without the flag, it reads the same messages again:
 * every event ends with exactly one journal entry, and the cache moved exactly once per clearing.
 */
const ROOT = findRepoRoot();
const AUTH_EVENTS = 20;
const CLEARING_EVENTS = 10;
let kafka: Kafka;
let redis: Redis;
let pool: Pool;
let topics: TopicSet;
const children: ChildProcess[] = [];

beforeAll(async () => {
  kafka = testKafka('settlement-crash-test');
  redis = createRedis(config.redis, 'settlement-crash-test');
  await redis.connect();
  pool = testPool();
  topics = await createTopicSet(kafka);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await deleteTopicSet(kafka, topics);
  await Promise.allSettled([redis.quit(), pool.end()]);
});

function startSettlement(groupId: string, crashAfterCommit: boolean): { child: ChildProcess; output: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-ts.js'), join(ROOT, 'apps', 'settlement', 'src', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      SETTLEMENT_HTTP_PORT: '0',
      SETTLEMENT_GROUP_ID: groupId,
      SETTLEMENT_TOPICS_AUTHORIZATIONS: topics.authorizations,
      SETTLEMENT_TOPICS_CLEARING: topics.clearing,
      SETTLEMENT_TOPICS_POSTINGS: topics.postings,
      SETTLEMENT_RECONCILIATION_INTERVAL_MS: '0',
      SETTLEMENT_PERIODIC_FEES_INTERVAL_MS: '0',
      SETTLEMENT_CRASH_AFTER_COMMIT: String(crashAfterCommit),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

async function lagOf(groupId: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await consumerLag(admin, groupId, [topics.authorizations, topics.clearing])).consumerLag;
  } finally {
    await admin.disconnect();
  }
}

describe('settlement killed between the ledger commit and the offset commit', () => {
  it('posts exactly one entry per event after the restart, and moves the cache once', async () => {
    const nowMs = Date.now();
    const authAccount = uniqueId('acc');
    const authIds = Array.from({ length: AUTH_EVENTS }, () => uniqueId('evt'));
    await produce(
      kafka,
      topics.authorizations,
      authIds.map((eventId) => ({
        key: authAccount,
        value: JSON.stringify({
          schemaVersion: 1, eventId, type: 'authorization.approved', occurredAt: new Date(nowMs).toISOString(), accountId: authAccount, cardId: 'crd1', panMasked: '499999******0007',
          transactionId: null, mti: '0200', processingCode: '010000', amount: { minor: '2000', currency: 'EUR' }, billing: null, fx: null, fees: [], mcc: '6011',
          merchant: { id: null, name: null, country: null }, responseCode: '00', authCode: 'ABC123', approvedAmount: { minor: '2000', currency: 'EUR' }, declineReason: null,
          hold: null, holdEffect: null, posted: { minor: '-2000', currency: 'EUR' }, balancesAfter: { ledger: { minor: '0', currency: 'EUR' }, available: { minor: '0', currency: 'EUR' } }, context: {},
        }),
      })),
    );
    const clearingAccount = await seedAccount(redis, { program: 'eur-standard', balances: { EUR: 10_000n }, nowMs });
    const recordIds = Array.from({ length: CLEARING_EVENTS }, () => uniqueId('rec'));
    await produce(
      kafka,
      topics.clearing,
      recordIds.map((recordId, i) => ({
        key: clearingAccount,
        value: JSON.stringify(
          toClearingRecordEvent(
            { fileId: 'F-crash', processingDate: new Date(nowMs).toISOString().slice(0, 10), records: CLEARING_EVENTS },
            { line: i + 2, recordId, type: 'presentment', transactionId: null, pan: '4999990000000007', authCode: null, amount: money(100n, 'EUR'), mcc: '5411', merchant: { id: 'M', name: 'SHOP', country: 'FR' }, acquirerId: '1', final: true },
            { accountId: clearingAccount, cardId: 'crd1' },
            nowMs,
          ),
        ),
      })),
    );
    const groupId = uniqueId('settlement-crash');
    const repository = new LedgerRepository(pool, new SystemClock());
    const countPosted = async () => {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM journal_entries WHERE event_id = ANY($1::text[])', [[...authIds, ...recordIds]]);
      return Number(rows[0].n);
    };

    // 1. The first run dies by SIGKILL right after its first ledger commit.
    const first = startSettlement(groupId, true);
    const crash = await first.exited;
    expect(crash).toEqual({ code: null, signal: 'SIGKILL' });
    const postedBeforeRestart = await countPosted();
    expect(postedBeforeRestart).toBeGreaterThan(0);
    // No offset was committed: everything will be read again.
    expect(await lagOf(groupId)).toBe(AUTH_EVENTS + CLEARING_EVENTS);

    // 2. Restarted, it reads everything again and posts the rest, nothing twice.
    const second = startSettlement(groupId, false);
    try {
      await waitFor(async () => ((await lagOf(groupId)) === 0 ? true : undefined), 90_000, 250);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${second.output().slice(-3000)}`);
    }
    expect(await countPosted()).toBe(AUTH_EVENTS + CLEARING_EVENTS);
    const { rows } = await pool.query<{ event_id: string; n: string }>(
      'SELECT event_id, count(*)::text AS n FROM journal_entries WHERE event_id = ANY($1::text[]) GROUP BY event_id HAVING count(*) > 1',
      [[...authIds, ...recordIds]],
    );
    expect(rows).toEqual([]);
    expect(await repository.journalBalance(authAccount, 'EUR')).toBe(BigInt(-2000 * AUTH_EVENTS));
    expect(await repository.journalBalance(clearingAccount, 'EUR')).toBe(BigInt(-100 * CLEARING_EVENTS));
    // Each clearing moved the cache once, whichever run applied it.
    expect(await redis.hgetall(keys.balances(clearingAccount))).toMatchObject({ 'EUR:ledger': String(10_000 - 100 * CLEARING_EVENTS), 'EUR:avail': String(10_000 - 100 * CLEARING_EVENTS) });

    second.child.kill('SIGTERM');
    expect(await second.exited).toMatchObject({ signal: expect.anything() });
  }, 180_000);
});
