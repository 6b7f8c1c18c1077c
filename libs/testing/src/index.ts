import { randomBytes } from 'crypto';
import { ALL_CONFIG_SECTIONS, gatewayConfigSchema, GatewayConfig, loadConfig } from '@lib/config';

/** Test helpers shared by the integration tests (which talk to the real services of infra/). */

/** The configuration the apps would load, for tests that build clients the same way. */
export function integrationConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(gatewayConfigSchema, { env, otherSections: ALL_CONFIG_SECTIONS });
}

/** A short random id to keep concurrent test runs apart (topics, groups, keys). */
export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
export * from './app-harness';
export * from './account-events';
export * from './private-kafka';

/**
 * Redis logical databases of the test suite (one shared server). `npm test` runs on database 1 (a
 * demo on database 0 runs the outbox relay, which would drain the outboxes tests read). Files
 * that run a relay, flush a database or scan every key keep to their own:
 *   8 bench:settlement · 9 settlement end-to-end · 10 gateway relay · 11 back-office use cases ·
 *   12 settlement consumer · 13 outbox relay · 14 Kafka outage · 15 relay bench.
 */
export const TEST_REDIS_DATABASES = { benchSettlement: 8, settlementEndToEnd: 9, gatewayRelay: 10, backOffice: 11, settlementConsumer: 12, outboxRelay: 13, kafkaOutage: 14, relayBench: 15 } as const;
