import type Redis from 'ioredis';
import type { Admin } from 'kafkajs';
import type { Pool } from 'pg';

/** A readiness probe of one dependency; `GET /health` runs them all with a timeout each. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  checks: Record<string, { status: 'up' | 'down'; error?: string; latencyMs: number }>;
}

const CHECK_TIMEOUT_MS = 1000;

export async function runHealthChecks(checks: readonly HealthCheck[], nowMs: () => number = () => performance.now()): Promise<HealthReport> {
  const entries = await Promise.all(
    checks.map(async (probe) => {
      const startedMs = nowMs();
      try {
        await withTimeout(probe.check(), CHECK_TIMEOUT_MS, `${probe.name} did not answer in ${CHECK_TIMEOUT_MS} ms`);
        return [probe.name, { status: 'up' as const, latencyMs: Math.round(nowMs() - startedMs) }] as const;
      } catch (err) {
        return [probe.name, { status: 'down' as const, error: (err as Error).message, latencyMs: Math.round(nowMs() - startedMs) }] as const;
      }
    }),
  );
  const report: HealthReport = { status: 'ok', checks: Object.fromEntries(entries) };
  if (entries.some(([, result]) => result.status === 'down')) report.status = 'degraded';
  return report;
}

export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const redisHealth = (redis: Redis): HealthCheck => ({
  name: 'redis',
  check: async () => {
    const reply = await redis.ping();
    if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
  },
});

export const kafkaHealth = (admin: Admin): HealthCheck => ({
  name: 'kafka',
  check: async () => {
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('no broker');
  },
});

export const postgresHealth = (pool: Pool): HealthCheck => ({
  name: 'database',
  check: async () => {
    await pool.query('SELECT 1');
  },
});
