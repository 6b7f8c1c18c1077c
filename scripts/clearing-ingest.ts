/**
 * `npm run clearing:ingest -- <file>`: ingests the network's daily clearing file (clearing.md) as
 * `POST /v1/clearing/files` does, with the same use case: one `card.clearing` event per accepted
 * record, each record once. Prints the answer `{fileId, accepted, rejected, ...}` as JSON.
 * Exit code: 0 ingested (some lines may be rejected), 1 file refused (unreadable header), 2 usage
 * or infrastructure error. Connections and keys come from the gateway's configuration.
 */
import { readFileSync } from 'fs';
import { SystemClock } from '@lib/clock';
import { ALL_CONFIG_SECTIONS, gatewayConfigSchema, loadConfig } from '@lib/config';
import { createKafka, createPgPool, createRedis } from '@lib/platform';
import { CardSecrets } from '@lib/store';
import { ClearingIngest } from '../apps/gateway/src/clearing/clearing-ingest';
import { KafkaClearingPublisher } from '../apps/gateway/src/clearing/event-publisher';

async function main(): Promise<number> {
  const path = process.argv[2];
  if (!path || path.startsWith('-')) {
    process.stderr.write('usage: npm run clearing:ingest -- <clearing-file.ndjson>\n');
    return 2;
  }
  const text = readFileSync(path, 'utf8');
  const config = loadConfig(gatewayConfigSchema, { otherSections: ALL_CONFIG_SECTIONS });
  const redis = createRedis(config.redis, 'clearing-ingest-cli');
  const pool = createPgPool(config.postgres);
  const publisher = new KafkaClearingPublisher(createKafka(config.kafka, 'clearing-ingest-cli'));
  try {
    await redis.connect();
    const ingest = new ClearingIngest({ redis, pool, publisher, secrets: new CardSecrets(config.security.panHmacKey), clock: new SystemClock(), topic: config.gateway.clearingTopic });
    const answer = await ingest.ingest(text);
    if (!answer.ok) {
      process.stdout.write(`${JSON.stringify({ error: { code: 'validation', field: `line ${answer.error.line}`, reason: answer.error.reason } })}\n`);
      return 1;
    }
    process.stdout.write(`${JSON.stringify(answer.value, null, 2)}\n`);
    return 0;
  } finally {
    await Promise.allSettled([publisher.close(), redis.quit(), pool.end()]);
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`clearing:ingest: ${error.message}\n`);
    process.exit(2);
  },
);
