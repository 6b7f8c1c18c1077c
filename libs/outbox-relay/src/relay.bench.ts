import { integrationConfig, uniqueId, waitFor } from '@lib/testing';
import { keys } from '@lib/store';
import { OutboxRelay } from './outbox-relay';
import { relayKeys } from './relay-keys';
import {
  createTopics,
  deleteTopics,
  fund,
  isolatedRedis,
  testKafka,
  writeDecision,
} from './testing/relay-fixtures';

/**
 * Relay throughput against the real Redis and the shared Kafka broker (infra up):
 *   node scripts/run-ts.js libs/outbox-relay/src/relay.bench.ts [accounts] [entriesPerAccount] [concurrency]
 * Writes the entries with the real atomic step first, then times the relay from start to the last
 * acknowledged event (its start-up safety scan included). Redis logical database 15, a topic of
 * its own (deleted after); the bench removes the keys it wrote.
 */
const REDIS_DB = 15;

async function main(): Promise<void> {
  const [accountCount, perAccount, concurrency] = [
    Number(process.argv[2] ?? 10_000),
    Number(process.argv[3] ?? 1),
    Number(process.argv[4] ?? 4),
  ];
  const config = integrationConfig();
  const redis = isolatedRedis(config.redis, REDIS_DB, 'relay-bench');
  const writer = isolatedRedis(config.redis, REDIS_DB, 'relay-bench-writer');
  await Promise.all([redis.connect(), writer.connect()]);
  const kafka = testKafka(config.kafka, uniqueId('relay-bench'));
  const topic = uniqueId('relay-bench.card.authorizations');
  await createTopics(kafka, [{ name: topic, partitions: 6 }]);
  const accounts = Array.from({ length: accountCount }, () => uniqueId('acct'));
  try {
    await redis.del(relayKeys.outboxPending());
    await Promise.all(accounts.map((id) => fund(writer, id, 1_000_000_000)));
    const writeStartedMs = performance.now();
    await Promise.all(
      accounts.map(async (id) => {
        for (let i = 0; i < perAccount; i++) await writeDecision(writer, id, `${id}-${i}`);
      }),
    );
    const total = accountCount * perAccount;
    process.stdout.write(
      `wrote ${total} entries on ${accountCount} accounts in ${Math.round(performance.now() - writeStartedMs)} ms\n`,
    );

    const relay = new OutboxRelay(redis, kafka, { topic, concurrency, logger: console });
    const startedMs = performance.now();
    relay.start();
    await waitFor(() => (relay.metrics().relayedEvents >= total ? true : undefined), 300_000, 5);
    const elapsedMs = performance.now() - startedMs;
    await relay.stop();
    const m = relay.metrics();
    process.stdout.write(
      `relayed ${m.relayedEvents} events in ${Math.round(elapsedMs)} ms: ${Math.round(m.relayedEvents / (elapsedMs / 1000))} events/s (${m.acknowledgedSends} sends, concurrency ${concurrency})\n`,
    );
  } finally {
    for (let i = 0; i < accounts.length; i += 500) {
      await writer.del(
        ...accounts
          .slice(i, i + 500)
          .flatMap((id) => [keys.outbox(id), keys.balances(id), keys.holds(id), keys.holdExpiries(id)]),
      );
    }
    await deleteTopics(kafka, [topic]).catch(() => undefined);
    await Promise.all([redis.quit(), writer.quit()]);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
