import { join } from 'path';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { ManualClock } from '@lib/clock';
import { findRepoRoot } from '@lib/config';
import { BackOfficeDeps, cryptoRandom, LoadFundsUseCase, OpenAccountUseCase } from '@lib/back-office';
import { ChargePeriodicFeesUseCase, FEE_PERIOD_FIELD, LedgerRepository, readStatement, ReconciliationUseCase } from '@lib/ledger';
import { loadProgramCatalogue } from '@lib/programs';
import { CardSecrets, keys } from '@lib/store';
import { waitFor } from '@lib/testing';
import { OutboxRelay } from '@lib/outbox-relay';
import { consumerLag, consumerReachesEnd } from './consumer/consumer-lag';
import { collect, config, ConsumerUnderTest, createTopicSet, deleteTopicSet, drained, isolatedRedis, startConsumer, testKafka, testPool, TopicSet } from './testing/settlement-fixtures';

/**
 * The periodic fees end to end on the real Redis, Kafka and PostgreSQL: accounts opened and funded
 * through the back office, the job on a manual business clock, its `fee.charged` events relayed by
 * the outbox relay and posted by the ledger consumer, and reconciliation at zero differences.
 * Isolation: topics of its own and Redis logical database 6 (the relay's pending set is global).
 */
const catalogue = loadProgramCatalogue(join(findRepoRoot(), 'config'));
const OPENED = Date.parse('2027-01-15T10:00:00+01:00');
const clock = new ManualClock(OPENED);
const eur = (minor: number) => ({ minor: String(minor), currency: 'EUR' });

let kafka: Kafka;
let redis: Redis;
let relayRedis: Redis;
let pool: Pool;
let topics: TopicSet;
let under: ConsumerUnderTest;
let relay: OutboxRelay;
let repository: LedgerRepository;

beforeAll(async () => {
  kafka = testKafka('periodic-fees-it');
  redis = await isolatedRedis(6, 'periodic-fees-it');
  // Database 6 is this file's alone: the job's work list and the account directory start empty.
  await redis.flushdb();
  relayRedis = await isolatedRedis(6, 'periodic-fees-it-relay');
  pool = testPool();
  topics = await createTopicSet(kafka);
  relay = new OutboxRelay(relayRedis, kafka, { topic: topics.authorizations, deadLetterTopic: `${topics.authorizations}.dlq`, idlePollMs: 10, logger: { warn: () => undefined, error: () => undefined } });
  relay.start();
  under = await startConsumer({ kafka, redis, pool, catalogue, clock, topics });
  repository = new LedgerRepository(pool, clock);
}, 60_000);

afterAll(async () => {
  await relay?.stop();
  await under?.consumer.stop();
  await deleteTopicSet(kafka, topics);
  await Promise.allSettled([redis.quit(), relayRedis.quit(), pool.end()]);
});

/** A job instance as the settlement app builds it (a second one stands for another instance). */
function job(): ChargePeriodicFeesUseCase {
  return new ChargePeriodicFeesUseCase({
    redis,
    repository,
    programs: catalogue.programs,
    clock,
    ledgerCaughtUp: async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return await consumerReachesEnd(admin, under.groupId, topics.authorizations, 20_000);
      } finally {
        await admin.disconnect();
      }
    },
  });
}

async function settled(accountIds: readonly string[]): Promise<void> {
  for (const id of accountIds) await waitFor(async () => ((await redis.xlen(keys.outbox(id))) === 0 ? true : undefined), 20_000);
  await drained(kafka, under.groupId, topics);
}

async function openAccount(billing: 'monthly' | 'yearly', loadMinor: number | null): Promise<string> {
  const deps: BackOfficeDeps = { redis, catalogue, secrets: new CardSecrets(config.security.panHmacKey), clock, random: cryptoRandom };
  const opened = await new OpenAccountUseCase(deps).execute({ program: 'eur-premium', holder: { name: 'Periodic Fees', email: 'fees@example.com' }, billing }, undefined);
  if (!opened.outcome.ok) throw new Error(JSON.stringify(opened.outcome));
  const { accountId } = opened.outcome.value;
  if (loadMinor !== null) {
    const loaded = await new LoadFundsUseCase(deps).execute(accountId, { amount: eur(loadMinor), method: 'sepa-transfer' }, undefined);
    if (!loaded.outcome.ok) throw new Error(JSON.stringify(loaded.outcome));
  }
  return accountId;
}

const redisLedger = async (id: string) => BigInt((await redis.hget(keys.balances(id), 'EUR:ledger')) ?? '0');
const redisAvailable = async (id: string) => BigInt((await redis.hget(keys.balances(id), 'EUR:avail')) ?? '0');
const feeIncome = async (accountId: string, type: string) => {
  const result = await pool.query<{ total: string | null }>(
    `SELECT (-sum(l.amount_minor))::text AS total FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.entry_id
      WHERE e.account_id = $1 AND e.type = 'fee.charged' AND l.ledger_account = $2`,
    [accountId, `fee-income:${type}:EUR`],
  );
  return BigInt(result.rows[0].total ?? '0');
};
const feeEntries = async (accountId: string) =>
  (await pool.query<{ event_id: string }>(`SELECT event_id FROM journal_entries WHERE account_id = $1 AND type = 'fee.charged' ORDER BY entry_id`, [accountId])).rows.map((r) => r.event_id);

describe('periodic fees: subscription, account management, once per period, cache equal to the ledger', () => {
  it('charges the opening day of each month and year, catches up, never twice, and reconciles', async () => {
    const postings = await collect(kafka, topics.postings);
    const monthly = await openAccount('monthly', 10_000); // one transaction: the first load
    const yearly = await openAccount('yearly', 10_000);
    const empty = await openAccount('monthly', null); // nothing to take: the shortfall is recorded
    const accounts = [monthly, yearly, empty];
    await settled(accounts);

    // The day before the first charge day: nothing due.
    clock.set(Date.parse('2027-02-14T23:59:59+01:00'));
    expect((await job().execute(accounts)).accountsDue).toBe(0);

    // 2027-02-15, the opening day next month: the monthly subscription (3.00); no management fee
    // yet (seed 004 note 1: only after a full 60-day period of the account's life); the yearly
    // account owes nothing this month.
    clock.set(Date.parse('2027-02-15T00:00:01+01:00'));
    const first = await job().execute(accounts);
    expect(first.deferred).toEqual([]);
    expect(first.nothingDue).toBe(1);
    const byAccount = new Map(first.charged.map((c) => [c.accountId, c]));
    expect(byAccount.get(monthly)).toEqual({ accountId: monthly, periodIndex: 1, chargeDate: '2027-02-15', fees: [{ type: 'subscription', amount: eur(300) }], shortfall: eur(0) });
    expect(byAccount.has(yearly)).toBe(false);
    expect(byAccount.get(empty)).toEqual({ accountId: empty, periodIndex: 1, chargeDate: '2027-02-15', fees: [], shortfall: eur(300) });
    expect(await redisLedger(monthly)).toBe(10_000n - 300n);

    // The same run again, and a second instance: nothing more.
    const again = await Promise.all([job().execute(accounts), job().execute(accounts)]);
    expect(again.flatMap((r) => r.charged)).toEqual([]);

    // An account whose outbox still holds events waits for the next run (the ledger must see them).
    const waiting = await job().execute(accounts);
    expect(waiting.charged).toEqual([]);
    await settled(accounts);

    // The clock jumps 11 months: periods 2 to 12 are caught up, by two instances racing, each once;
    // from period 3 (2027-04-15, the window 2027-02-14 .. 04-14 wholly in the account's life) the
    // management fee too; 2028-01-15 is the yearly account's first year: 25.00.
    clock.set(Date.parse('2028-01-15T08:00:00+01:00'));
    const racing = await Promise.all([job().execute(accounts), job().execute(accounts)]);
    expect(racing.flatMap((r) => r.deferred)).toEqual([]);
    const charged = racing.flatMap((r) => r.charged);
    const charging = (id: string) => (id === yearly ? [3, 4, 5, 6, 7, 8, 9, 10, 11, 12] : [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const id of accounts) {
      expect(charged.filter((c) => c.accountId === id).map((c) => c.periodIndex).sort((a, b) => a - b)).toEqual(charging(id));
      expect(await redis.hget(keys.account(id), FEE_PERIOD_FIELD)).toBe('12');
    }
    const yearlyTwelfth = charged.find((c) => c.accountId === yearly && c.periodIndex === 12);
    expect(yearlyTwelfth?.fees).toEqual([{ type: 'subscription', amount: eur(2_500) }, { type: 'account-management', amount: eur(250) }]);
    expect((await job().execute(accounts)).charged).toEqual([]);

    // Redis and the ledger agree, each period posted once.
    await settled(accounts);
    expect(await redisLedger(monthly)).toBe(10_000n - 12n * 300n - 10n * 250n);
    expect(await redisAvailable(monthly)).toBe(10_000n - 12n * 300n - 10n * 250n);
    expect(await redisLedger(yearly)).toBe(10_000n - 10n * 250n - 2_500n);
    expect(await redisLedger(empty)).toBe(0n);
    for (const id of accounts) {
      expect(await repository.journalBalance(id, 'EUR')).toBe(await redisLedger(id));
      // One fee.charged per period that charged (or fell short of) something.
      const withFees = id === yearly ? charging(id) : [1, ...charging(id)];
      expect(await feeEntries(id)).toEqual(withFees.map((n) => `fee-charged:${id}:${n}`));
    }
    expect(await feeIncome(monthly, 'subscription')).toBe(12n * 300n);
    expect(await feeIncome(monthly, 'account-management')).toBe(10n * 250n);
    expect(await feeIncome(yearly, 'subscription')).toBe(2_500n);
    expect(await feeIncome(empty, 'subscription')).toBe(0n);
    const reconciliation = new ReconciliationUseCase({
      redis,
      repository,
      clock,
      inFlight: async () => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          return await consumerLag(admin, under.groupId, [topics.authorizations, topics.clearing]);
        } finally {
          await admin.disconnect();
        }
      },
    });
    expect((await reconciliation.execute(accounts)).differences).toEqual([]);

    // The statement lists the fees like other fees; the ledger.postings events carry them.
    const statement = await readStatement(pool, { accountId: monthly, limit: 3 });
    expect(statement.entries[0]).toMatchObject({
      type: 'fee.charged',
      amount: eur(0),
      fees: [{ type: 'subscription', amount: eur(-300) }, { type: 'account-management', amount: eur(-250) }],
      balanceAfter: eur(10_000 - 12 * 300 - 10 * 250),
    });
    await waitFor(() => (postings.messages.filter((m) => JSON.parse(m.value!.toString()).entryType === 'fee.charged').length >= 34 ? true : undefined), 20_000);
    await postings.stop();
  }, 120_000);

  it('reads only the due accounts from its work list, and takes in accounts opened since', async () => {
    const accounts = await redis.smembers(keys.accountDirectory());
    expect(accounts).toHaveLength(3);
    await settled(accounts);
    clock.set(Date.parse('2028-02-15T00:00:01+01:00'));
    const due = await job().execute();
    expect(due.charged.map((c) => c.periodIndex)).toEqual([13, 13, 13]);
    // Looked at once more (charged, so re-read), then placed at the next charge day: 2028-03-15.
    await settled(accounts);
    expect((await job().execute()).charged).toEqual([]);
    for (const id of accounts) expect(Number(await redis.zscore(keys.periodicFeesDue(), id))).toBe(Date.parse('2028-03-15T00:00:00+01:00'));
    expect((await job().execute()).accountsDue).toBe(0);

    // A new account joins the list as due now; its first look schedules it a month later.
    const opened = await openAccount('monthly', 10_000);
    await settled([opened]);
    expect((await job().execute()).charged).toEqual([]);
    expect(Number(await redis.zscore(keys.periodicFeesDue(), opened))).toBe(Date.parse('2028-03-15T00:00:00+01:00'));
  }, 60_000);

  it("one account's failure does not stop the others' fees: it is deferred and tried again", async () => {
    const [broken, fine] = [await openAccount('monthly', 10_000), await openAccount('monthly', 10_000)];
    await settled([broken, fine]);
    const failing = Object.create(repository) as LedgerRepository;
    failing.transactionActivity = (accountId, fromMs, toMs) => (accountId === broken ? Promise.reject(new Error('database hiccup')) : repository.transactionActivity(accountId, fromMs, toMs));
    clock.set(clock.nowMs() + 32 * 86_400_000);
    const run = await new ChargePeriodicFeesUseCase({ redis, repository: failing, programs: catalogue.programs, clock, ledgerCaughtUp: async () => true }).execute([broken, fine]);
    expect(run.deferred).toEqual([{ accountId: broken, reason: 'failed: database hiccup' }]);
    expect(run.charged.map((c) => c.accountId)).toEqual([fine]);
    await settled([broken, fine]);
    expect((await job().execute([broken, fine])).charged.map((c) => c.accountId)).toEqual([broken]);
  }, 60_000);
});
