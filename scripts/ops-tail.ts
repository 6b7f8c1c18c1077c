/**
 * `npm run ops:tail -- <topic> [--account <id>] [--type <type>] [--from-beginning] [--max <n>]`:
 * prints the events of any topic (card.authorizations, card.clearing, ledger.postings, the DLQs),
 * one line each, decoded and masked: any PAN-like digit run or card-data field is redacted before
 * printing (libs/events card-data guard). Reads with a group of its own, from the latest offset
 * (or the beginning), never committing for anyone else; Ctrl-C stops it.
 */
import { randomBytes } from 'crypto';
import { ALL_CONFIG_SECTIONS, loadConfig, settlementConfigSchema } from '@lib/config';
import { redactCardData } from '@lib/events';
import { createKafka } from '@lib/platform';

interface Options {
  topic: string;
  account?: string;
  type?: string;
  fromBeginning: boolean;
  max?: number;
}

function parseArgs(argv: string[]): Options | string {
  const [topic, ...rest] = argv;
  if (!topic || topic.startsWith('-')) return 'usage: npm run ops:tail -- <topic> [--account <id>] [--type <type>] [--from-beginning] [--max <n>]';
  const options: Options = { topic, fromBeginning: false };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    if (flag === '--account') options.account = rest[++i];
    else if (flag === '--type') options.type = rest[++i];
    else if (flag === '--from-beginning') options.fromBeginning = true;
    else if (flag === '--max') options.max = Number(rest[++i]);
    else return `unknown option ${flag}`;
  }
  if (options.max !== undefined && !(Number.isInteger(options.max) && options.max > 0)) return '--max takes a positive integer';
  return options;
}

/** One line: when, where, key, type, account, id, then the event (compact JSON, masked). */
export function formatLine(topic: string, partition: number, offset: string, key: string | null, value: string | null): { line: string; account: string | null; type: string | null } {
  let decoded: unknown = value;
  try {
    decoded = value === null ? null : JSON.parse(value);
  } catch {
    // Not JSON: shown as text, masked all the same.
  }
  const masked = redactCardData(decoded);
  const o = (typeof masked === 'object' && masked !== null ? masked : {}) as Record<string, unknown>;
  const type = typeof o.type === 'string' ? o.type : typeof o.entryType === 'string' ? o.entryType : null;
  const account = typeof o.accountId === 'string' ? o.accountId : key;
  const id = typeof o.eventId === 'string' ? o.eventId : typeof o.entryId === 'string' ? `entry:${o.entryId}` : '-';
  const line = `${topic}/${partition}@${offset} key=${redactCardData(key ?? '-')} type=${type ?? '-'} account=${account ?? '-'} id=${id} ${JSON.stringify(masked)}`;
  return { line, account, type };
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  if (typeof options === 'string') {
    process.stderr.write(`${options}\n`);
    return 2;
  }
  const config = loadConfig(settlementConfigSchema, { otherSections: ALL_CONFIG_SECTIONS });
  const kafka = createKafka(config.kafka, 'ops-tail');
  const consumer = kafka.consumer({ groupId: `ops-tail-${randomBytes(6).toString('hex')}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  let printed = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  process.once('SIGINT', () => done());
  process.once('SIGTERM', () => done());
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      const { line, account, type } = formatLine(topic, partition, message.offset, message.key?.toString('utf8') ?? null, message.value?.toString('utf8') ?? null);
      if (options.account !== undefined && account !== options.account) return;
      if (options.type !== undefined && type !== options.type) return;
      const stamp = message.timestamp ? new Date(Number(message.timestamp)).toISOString() : '-';
      process.stdout.write(`${stamp} ${line}\n`);
      printed += 1;
      if (options.max !== undefined && printed >= options.max) done();
    },
  });
  await finished;
  await consumer.disconnect();
  return 0;
}

// Run as a script (directly, or through scripts/run-ts.js, which sets argv[1] to this file), not when imported by its spec.
if (require.main === module || process.argv[1] === __filename) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`ops:tail: ${error.message}\n`);
      process.exit(2);
    },
  );
}
