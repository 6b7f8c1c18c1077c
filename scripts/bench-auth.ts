/**
 * `npm run bench:auth`: authorisations per second through the gateway's TCP path, driven from
 * this process against a gateway started as a separate process (the built app), on the real
 * Redis. Prints throughput and p50 / p99 / max latency, then the raw Redis ceiling: the same
 * atomic-step script with a plan of the same shape, called directly from here at the same
 * concurrency, and the ratio of the two.
 *
 *   npm run bench:auth -- [--seconds 60] [--connections 4] [--in-flight 64] [--warm-up 5] [--with-relay]
 *
 * Needs the infrastructure up (npm run infra:up). Target (issue 5): >= 10,000 auth/s sustained
 * for 60 s with p99 <= 10 ms.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { findRepoRoot } from '@lib/config';
import { authorisationRequest, seedAccount, seedCard, SeededCard } from '@lib/engine';
import { IsoClient } from '@lib/iso8583';
import { createRedis } from '@lib/platform';
import { AtomicStepPlan, BALANCES_KEY, CardSecrets, keys, runAtomicStep, StepKeys } from '@lib/store';
import { integrationConfig } from '@lib/testing';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SECONDS = option('seconds', 60);
const CONNECTIONS = option('connections', 4);
const IN_FLIGHT = option('in-flight', 64);
const WARM_UP_SECONDS = option('warm-up', 5);
const TCP_PORT = option('port', 18583);
const HTTP_PORT = TCP_PORT + 1;
// eur-premium allows 20 payments a day per card: enough cards that none reaches it.
const USES_PER_CARD = 15;

// The benchmark's own Redis database, emptied at the end: its cards and outbox entries never mix
// with a demo's or the tests'. The gateway's outbox relay is off unless --with-relay (it shares the
// gateway's core with authorisations; its own figures are in libs/outbox-relay/src/relay.bench.ts).
const BENCH_REDIS_DB = '7';
const WITH_RELAY = args.includes('--with-relay');
const config = integrationConfig({ ...process.env, REDIS_DB: BENCH_REDIS_DB });

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function seed(count: number): Promise<SeededCard[]> {
  const redis = createRedis(config.redis, 'bench-seed');
  await redis.connect();
  const secrets = new CardSecrets(config.security.panHmacKey);
  const nowMs = Date.now();
  const cards: SeededCard[] = [];
  const batch = 200;
  for (let i = 0; i < count; i += batch) {
    const made = await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, async () => {
        const accountId = await seedAccount(redis, { program: 'eur-premium', balances: { EUR: 1_000_000n }, nowMs });
        return seedCard(redis, secrets, { accountId, nowMs });
      }),
    );
    cards.push(...made);
  }
  await redis.quit();
  return cards;
}

async function startGateway(): Promise<ChildProcess> {
  const main = join(findRepoRoot(), 'dist', 'apps', 'gateway', 'src', 'main.js');
  // BENCH_PROFILE=<dir> writes a CPU profile of the gateway there (node --cpu-prof).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, main], {
    env: {
      ...process.env,
      REDIS_DB: BENCH_REDIS_DB,
      GATEWAY_OUTBOX_RELAY: String(WITH_RELAY),
      GATEWAY_TCP_PORT: String(TCP_PORT),
      GATEWAY_HTTP_PORT: String(HTTP_PORT),
      GATEWAY_TCP_MAX_IN_FLIGHT_PER_CONNECTION: '4096',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on http')) resolve();
    });
  });
  return child;
}

interface DriveResult {
  completed: number;
  errors: number;
  elapsedMs: number;
  latenciesMs: Float64Array;
  codes: Map<string, number>;
  /** CPU microseconds per authorisation of each process while measuring. */
  cpu: CpuSample;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Redis' own CPU seconds (user + system), from INFO cpu. */
async function redisCpuSeconds(): Promise<number> {
  const redis = createRedis(config.redis, 'bench-cpu');
  await redis.connect();
  const info = await redis.info('cpu');
  await redis.quit();
  const field = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

interface CpuSample {
  gateway: number;
  redis: number;
  driver: number;
}

async function cpuSample(gatewayPid: number): Promise<CpuSample> {
  const own = process.cpuUsage();
  return { gateway: processCpuSeconds(gatewayPid), redis: await redisCpuSeconds(), driver: (own.user + own.system) / 1e6 };
}

async function drive(cards: SeededCard[], gatewayPid: number): Promise<DriveResult> {
  const clients = await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, i) => {
      const client = new IsoClient({ host: '127.0.0.1', port: TCP_PORT, reconnect: false, maxInFlight: IN_FLIGHT, acquirerId: `9000${i}` });
      await client.connect();
      return client;
    }),
  );
  const latencies = new Float64Array(Math.max(1, SECONDS * 40_000));
  const codes = new Map<string, number>();
  let recorded = 0;
  let completed = 0;
  let errors = 0;
  let next = 0;
  let measuring = false;
  let stopping = false;
  const stans = new Array<number>(CONNECTIONS).fill(0);

  const worker = async (connection: number): Promise<void> => {
    const client = clients[connection];
    while (!stopping) {
      const card = cards[next++ % cards.length];
      stans[connection] = (stans[connection] % 999_999) + 1;
      const request = authorisationRequest({
        pan: card.pan,
        amountMinor: 100,
        stan: stans[connection],
        expiry: card.expiry,
        acquirerId: `9000${connection}`,
        transmission: transmission(),
        mcc: '5999',
        entryMode: '071',
      });
      const sentAt = process.hrtime.bigint();
      try {
        const response = await client.send(request, { timeoutMs: 5000 });
        if (measuring) {
          const code = response.get(39) ?? '??';
          codes.set(code, (codes.get(code) ?? 0) + 1);
          completed++;
          if (recorded < latencies.length) latencies[recorded++] = Number(process.hrtime.bigint() - sentAt) / 1e6;
        }
      } catch {
        if (measuring) errors++;
      }
    }
  };
  const perConnection = Math.max(1, Math.floor(IN_FLIGHT / CONNECTIONS));
  const workers = clients.flatMap((_, c) => Array.from({ length: perConnection }, () => worker(c)));
  await sleep(WARM_UP_SECONDS * 1000);
  const cpuBefore = await cpuSample(gatewayPid);
  measuring = true;
  const startedMs = performance.now();
  let lastCompleted = 0;
  for (let s = 1; s <= SECONDS; s++) {
    await sleep(1000);
    if (s % 10 === 0 || s === SECONDS) {
      process.stdout.write(`  ${s}s: ${Math.round((completed - lastCompleted) / Math.min(10, s - (Math.ceil(s / 10) - 1) * 10))} auth/s\n`);
      lastCompleted = completed;
    }
  }
  measuring = false;
  const elapsedMs = performance.now() - startedMs;
  const cpuAfter = await cpuSample(gatewayPid);
  stopping = true;
  await Promise.all(workers);
  await Promise.all(clients.map((c) => c.close()));
  const sorted = latencies.slice(0, recorded).sort();
  const perAuth = (key: keyof CpuSample) => ((cpuAfter[key] - cpuBefore[key]) * 1e6) / Math.max(1, completed);
  const cpu = { gateway: perAuth('gateway'), redis: perAuth('redis'), driver: perAuth('driver') };
  return { completed, errors, elapsedMs, latenciesMs: sorted, codes, cpu };
}

/** The raw ceiling: the same script with a plan of the same shape, no gateway in between. */
async function rawCeiling(seconds: number, concurrency: number): Promise<number> {
  const redis = createRedis(config.redis, 'bench-raw');
  await redis.connect();
  const accounts = await Promise.all(
    Array.from({ length: 2000 }, () => seedAccount(redis, { program: 'eur-premium', balances: { EUR: 1_000_000_000n }, nowMs: Date.now() })),
  );
  let done = 0;
  let stopping = false;
  const day = new Date().toISOString().slice(0, 10);
  const worker = async (w: number): Promise<void> => {
    let n = 0;
    while (!stopping) {
      const accountId = accounts[(w * 7919 + n++) % accounts.length];
      const k = new StepKeys(accountId);
      const counter = (name: string) => k.ref(keys.counter(accountId, `${name}:${day}`));
      const plan: AtomicStepPlan = {
        dedupe: { key: k.ref(keys.message(accountId, randomBytes(8).toString('hex'))), ttlMs: 86_400_000 },
        expect: [
          { key: k.ref(keys.card(accountId, 'c1')), field: 'version', value: '' },
          { key: k.ref(keys.account(accountId)), field: 'version', value: '0' },
        ],
        checks: [
          { name: 'transaction-id-reused', type: 'absent', key: k.ref(keys.transaction(accountId, randomBytes(6).toString('hex'))) },
          { name: 'account-suspended', type: 'min', key: BALANCES_KEY, field: 'EUR:ledger', min: 0 },
          { name: 'count', type: 'bump', key: counter('payment.count.day'), by: 1, max: 1_000_000, move: false },
          { name: 'tx', type: 'const', pass: true },
          { name: 'day', type: 'bump', key: counter('payment.amount.day'), by: 100, max: 1_000_000_000, move: false },
          { name: 'month', type: 'bump', key: counter('payment.amount.month'), by: 100, max: 1_000_000_000, move: false },
          { name: 'funds', type: 'hbump', key: BALANCES_KEY, field: 'EUR:avail', by: -100, min: 0 },
        ],
        onApprove: [
          { type: 'bump', key: counter('payment.count.day'), by: 1, expireAt: Date.now() + 86_400_000 },
          { type: 'bump', key: counter('payment.amount.day'), by: 100, expireAt: Date.now() + 86_400_000 },
          { type: 'bump', key: counter('payment.amount.month'), by: 100, expireAt: Date.now() + 86_400_000 },
        ],
        report: [
          { key: BALANCES_KEY, field: 'EUR:ledger' },
          { key: BALANCES_KEY, field: 'EUR:avail' },
        ],
      };
      await runAtomicStep(redis, k, plan, Date.now(), '{"v":1}');
      done++;
    }
  };
  const workers = Array.from({ length: concurrency }, (_, w) => worker(w));
  await sleep(1000);
  const start = done;
  const startedMs = performance.now();
  await sleep(seconds * 1000);
  const rate = ((done - start) * 1000) / (performance.now() - startedMs);
  stopping = true;
  await Promise.all(workers);
  await redis.quit();
  return rate;
}

function transmission(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const expected = Math.ceil(((SECONDS + WARM_UP_SECONDS) * 15_000) / USES_PER_CARD);
  console.log(`bench:auth  node ${process.version}; seeding ${expected} eur-premium cards...`);
  const cards = await seed(expected);
  const gateway = await startGateway();
  try {
    console.log(
      `  gateway pid ${gateway.pid}, TCP :${TCP_PORT}, relay ${WITH_RELAY ? 'on' : 'off'}; ${CONNECTIONS} connections, ${IN_FLIGHT} in flight, ${SECONDS} s after ${WARM_UP_SECONDS} s warm-up`,
    );
    const result = await drive(cards, gateway.pid!);
    const rate = (result.completed * 1000) / result.elapsedMs;
    const l = result.latenciesMs;
    console.log(`  authorisations: ${result.completed} in ${(result.elapsedMs / 1000).toFixed(1)} s = ${Math.round(rate)} auth/s; errors ${result.errors}`);
    console.log(`  response codes: ${[...result.codes].map(([c, n]) => `${c}:${n}`).join(' ')}`);
    console.log(`  latency ms: p50 ${percentile(l, 50).toFixed(2)}, p99 ${percentile(l, 99).toFixed(2)}, max ${l[l.length - 1]?.toFixed(2)}`);
    const { cpu } = result;
    console.log(
      `  CPU per authorisation: gateway ${Math.round(cpu.gateway)} us, Redis ${Math.round(cpu.redis)} us, driver ${Math.round(cpu.driver)} us (2 cores: ${Math.round(2e6 / (cpu.gateway + cpu.redis + cpu.driver))} auth/s if nothing else ran)`,
    );
    gateway.kill('SIGTERM');
    await new Promise((resolve) => gateway.once('exit', resolve));
    const ceiling = await rawCeiling(10, IN_FLIGHT);
    console.log(`  raw Redis ceiling (same script, same plan shape, ${IN_FLIGHT} in flight, from Node): ${Math.round(ceiling)} steps/s`);
    console.log(`  gateway / raw ratio: ${(rate / ceiling).toFixed(2)}`);
    const met = rate >= 10_000 && percentile(l, 99) <= 10;
    console.log(`  target >= 10,000 auth/s with p99 <= 10 ms: ${met ? 'met' : 'NOT met'}`);
  } finally {
    if (gateway.exitCode === null) gateway.kill('SIGKILL');
    const redis = createRedis(config.redis, 'bench-cleanup');
    await redis.connect();
    await redis.flushdb();
    await redis.quit();
  }
}

main().catch((error) => {
  console.error(`bench:auth failed: ${(error as Error).message}`);
  process.exit(1);
});
