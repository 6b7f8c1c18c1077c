import { DynamicModule, INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALL_CONFIG_SECTIONS, ConfigError, ConfigOf, ConfigSchema, loadConfig } from '@lib/config';

export interface HttpAppDefinition<S extends ConfigSchema> {
  name: string;
  schema: S;
  module: (config: ConfigOf<S>) => DynamicModule;
  listen: (config: ConfigOf<S>) => { host: string; port: number };
  /** Adapter-level setup that needs the application object (e.g. the OpenAPI document), before init. */
  configure?: (app: NestFastifyApplication, config: ConfigOf<S>) => void;
}

/** Loads and validates the config; a bad value ends the process with one line naming the key. */
export function loadConfigOrExit<S extends ConfigSchema>(name: string, schema: S): ConfigOf<S> {
  try {
    return loadConfig(schema, { otherSections: ALL_CONFIG_SECTIONS });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * JSON bodies (network messages, back-office writes) are small: 1 MiB, Fastify's default, keeps a
 * huge body from holding the event loop that answers authorisations. The clearing file, the one
 * large body, has its own parser and limit (apps/gateway clearing/ndjson-body.ts).
 */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

export async function createHttpApp<S extends ConfigSchema>(
  def: HttpAppDefinition<S>,
  config: ConfigOf<S>,
  logLevels: LogLevel[] = process.env.LOG_LEVEL === 'debug' ? ['error', 'warn', 'log', 'debug'] : ['error', 'warn', 'log'],
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(def.module(config), new FastifyAdapter({ bodyLimit: JSON_BODY_LIMIT_BYTES }), {
    logger: logLevels,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  def.configure?.(app, config);
  return app;
}

/** Entry point of an app: config, Nest on Fastify, listen, one line when ready. */
export async function runHttpApp<S extends ConfigSchema>(def: HttpAppDefinition<S>): Promise<INestApplication> {
  const config = loadConfigOrExit(def.name, def.schema);
  const app = await createHttpApp(def, config);
  const { host, port } = def.listen(config);
  await app.listen(port, host);
  process.stdout.write(`${def.name}: listening on http://${host}:${port} (pid ${process.pid})\n`);
  return app;
}
