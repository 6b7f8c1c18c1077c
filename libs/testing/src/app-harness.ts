import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALL_CONFIG_SECTIONS, ConfigOf, ConfigSchema, findRepoRoot, loadConfig } from '@lib/config';
import { createHttpApp, HttpAppDefinition } from '@lib/platform';

/**
 * Boots an app in-process against the real services, as its main.ts would (without listening).
 * Background workers (the gateway's outbox relay and hold-expiry sweeper, settlement's consumer) are off unless the env
 * turns them on (on the shared test Redis they would drain other tests' outboxes), and the ISO
 * link listens on a free port.
 */
export async function bootApp<S extends ConfigSchema>(def: HttpAppDefinition<S>, env: NodeJS.ProcessEnv = process.env): Promise<NestFastifyApplication> {
  const withDefaults = { GATEWAY_OUTBOX_RELAY: 'false', GATEWAY_HOLD_EXPIRY_SWEEPER: 'false', SETTLEMENT_CONSUMER: 'false', GATEWAY_TCP_PORT: '0', ...env };
  const config = loadConfig(def.schema, { env: withDefaults, otherSections: ALL_CONFIG_SECTIONS }) as ConfigOf<S>;
  const app = await createHttpApp(def, config, ['error', 'warn']);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** Runs the built entry point of an app (dist/, built by `npm run build`) and returns how it ended. */
export function runBuiltApp(app: 'gateway' | 'settlement' | 'network-sim', env: NodeJS.ProcessEnv, timeoutMs = 20_000) {
  const main = join(findRepoRoot(), 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const result = spawnSync(process.execPath, [main], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: timeoutMs });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
