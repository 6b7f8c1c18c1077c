import { readFileSync } from 'fs';
import { join } from 'path';
import { Client } from 'pg';
import { findRepoRoot } from '@lib/config';
import { integrationConfig, uniqueId, waitFor } from '@lib/testing';
import { createKafka, createPgPool, createRedis } from './infra-clients';

/**
 * The real services started by infra/infra.sh (npm test starts them once for the whole run):
 * no mock of Redis, Kafka or PostgreSQL anywhere here.
 */
const config = integrationConfig();

describe('Redis (real server)', () => {
  const redis = createRedis(config.redis, 'int-test');
  beforeAll(() => redis.connect());
  afterAll(() => redis.quit());

  it('runs a Lua script that checks and moves a balance atomically', async () => {
    const key = `{a:${uniqueId('acct')}}:balance`;
    // KEYS[1] balance; ARGV[1] amount to debit. Returns the new balance, or -1 when it would go below 0.
    const script = `
      local balance = tonumber(redis.call('GET', KEYS[1]) or '0')
      local amount = tonumber(ARGV[1])
      if balance < amount then return -1 end
      return redis.call('DECRBY', KEYS[1], amount)`;
    await redis.set(key, '1000');
    expect(await redis.eval(script, 1, key, '300')).toBe(700);
    expect(await redis.eval(script, 1, key, '800')).toBe(-1);
    expect(await redis.get(key)).toBe('700');
    const info = await redis.config('GET', 'appendonly');
    expect(info).toEqual(['appendonly', 'yes']);
    await redis.del(key);
  });
});

describe('Kafka (real broker)', () => {
  it('round-trips a message through kafkajs on a spec topic (ledger.postings, read by ops only), keyed by account id', async () => {
    const kafka = createKafka(config.kafka, uniqueId('int-test'));
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: uniqueId('int-test-group'), sessionTimeout: 10_000, heartbeatInterval: 1000 });
    const accountId = uniqueId('acct');
    const eventId = uniqueId('evt');
    const received: string[] = [];
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic: 'ledger.postings', fromBeginning: false });
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() === accountId) received.push(message.value!.toString());
        },
      });
      await joined;
      // A new group starts at the latest offset once its partitions are assigned: send after the join.
      await waitFor(async () => ((await consumer.describeGroup()).state === 'Stable' ? true : undefined));
      await producer.send({ topic: 'ledger.postings', messages: [{ key: accountId, value: JSON.stringify({ eventId, schemaVersion: 1 }) }] });
      const value = await waitFor(() => received[0], 20_000);
      expect(JSON.parse(value)).toEqual({ eventId, schemaVersion: 1 });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('has every topic of the spec', async () => {
    const admin = createKafka(config.kafka, uniqueId('int-test')).admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      const wanted = JSON.parse(readFileSync(join(findRepoRoot(), 'config', 'kafka-topics.json'), 'utf8')).topics as { name: string; partitions: number }[];
      for (const topic of wanted) expect(topics).toContain(topic.name);
      const metadata = await admin.fetchTopicMetadata({ topics: ['card.authorizations'] });
      expect(metadata.topics[0].partitions).toHaveLength(wanted.find((t) => t.name === 'card.authorizations')!.partitions);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('PostgreSQL (real server)', () => {
  const pool = createPgPool(config.postgres);
  afterAll(() => pool.end());

  it('answers a query on the project database with the migrations applied', async () => {
    const { rows } = await pool.query<{ db: string; version: string }>('SELECT current_database() AS db, version() AS version');
    expect(rows[0].db).toBe(config.postgres.db);
    expect(rows[0].version).toMatch(/PostgreSQL/);
    const applied = await pool.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(applied.rows.map((r) => r.version)).toContain('0001_processed_events');
  });

  it('applies a migration once, in a transaction, and skips it the second time', async () => {
    // A throwaway schema keeps this test apart from the project's own tables.
    const schema = uniqueId('mig').replace(/-/g, '_');
    const { migrate } = (await import(join(findRepoRoot(), 'infra', 'migrate.js'))) as { migrate: (c: Client, dir: string) => Promise<string[]> };
    const dir = join(findRepoRoot(), 'libs', 'platform', 'test', 'migrations');
    const client = new Client({ host: config.postgres.host, port: config.postgres.port, database: config.postgres.db, user: config.postgres.user });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(`SET search_path TO ${schema}`);
      expect(await migrate(client, dir)).toEqual(['0001_sample']);
      expect(await migrate(client, dir)).toEqual([]);
      await client.query(`INSERT INTO sample (note) VALUES ('x')`);
      expect((await client.query('SELECT count(*)::int AS n FROM sample')).rows[0].n).toBe(1);
    } finally {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    }
  });
});
