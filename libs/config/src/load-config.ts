import { readFileSync, existsSync } from 'fs';
import { join, resolve } from 'path';
import { parse as parseYaml } from 'yaml';
import { Field, isField } from './fields';

/**
 * Configuration is validated once, at boot, into a typed object (STYLE.md, Novu). Sources, the
 * first that has a value winning:
 *   1. the environment: the key path in upper snake case (`gateway.http.port` -> GATEWAY_HTTP_PORT);
 *   2. `config/app.yaml` (or the file named by CONFIG_FILE), at the key path;
 *   3. `config/infra.env`, for keys whose environment name it defines (the local infrastructure);
 *   4. the field's default.
 * The first bad or missing value stops the app with one line naming the key and the problem.
 */
export interface ConfigSchema {
  readonly [key: string]: Field<unknown> | ConfigSchema;
}

export type ConfigOf<S extends ConfigSchema> = {
  readonly [K in keyof S]: S[K] extends Field<infer T> ? T : S[K] extends ConfigSchema ? ConfigOf<S[K]> : never;
};

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly problem: string,
  ) {
    super(`config error: ${key}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  env?: NodeJS.ProcessEnv;
  /** Parsed app.yaml content; read from disk when absent. */
  file?: Record<string, unknown>;
  fileName?: string;
  infraEnv?: Record<string, string>;
  /** Top-level sections of the shared file that belong to other apps: skipped, not unknown. */
  otherSections?: readonly string[];
}

export function findRepoRoot(start = __dirname): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'config', 'infra.env'))) return dir;
    const parent = resolve(dir, '..');
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export function readInfraEnv(root = findRepoRoot()): Record<string, string> {
  const path = join(root, 'config', 'infra.env');
  if (!existsSync(path)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) values[match[1]] = match[2];
  }
  return values;
}

function readConfigFile(env: NodeJS.ProcessEnv): { file: Record<string, unknown>; fileName: string } {
  const fileName = env.CONFIG_FILE ?? join(findRepoRoot(), 'config', 'app.yaml');
  if (!existsSync(fileName)) {
    if (env.CONFIG_FILE) throw new ConfigError('CONFIG_FILE', `file ${fileName} does not exist`);
    return { file: {}, fileName };
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(fileName, 'utf8'));
  } catch (err) {
    throw new ConfigError(fileName, `not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (parsed != null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
    throw new ConfigError(fileName, 'must be a mapping of sections');
  }
  return { file: (parsed ?? {}) as Record<string, unknown>, fileName };
}

export function envName(path: readonly string[]): string {
  return path.map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

export function loadConfig<S extends ConfigSchema>(schema: S, sources: ConfigSources = {}): ConfigOf<S> {
  const env = sources.env ?? process.env;
  const { file, fileName } = sources.file ? { file: sources.file, fileName: sources.fileName ?? 'config' } : readConfigFile(env);
  const infraEnv = sources.infraEnv ?? readInfraEnv();
  const others = new Set(sources.otherSections ?? []);
  const own = Object.fromEntries(Object.entries(file).filter(([section]) => !others.has(section) || section in schema));
  return walk(schema, [], own, { env, infraEnv, fileName }) as ConfigOf<S>;
}

interface WalkContext {
  env: NodeJS.ProcessEnv;
  infraEnv: Record<string, string>;
  fileName: string;
}

function walk(schema: ConfigSchema, path: string[], fileNode: unknown, ctx: WalkContext): Record<string, unknown> {
  const key = path.join('.');
  if (fileNode !== undefined && (typeof fileNode !== 'object' || fileNode === null || Array.isArray(fileNode))) {
    throw new ConfigError(key, `must be a mapping in ${ctx.fileName}`);
  }
  const node = (fileNode ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(node)) {
    if (!(name in schema)) throw new ConfigError([...path, name].join('.'), `unknown key in ${ctx.fileName}`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(schema)) {
    const childPath = [...path, name];
    out[name] = isField(entry) ? resolveField(entry, childPath, node[name], ctx) : walk(entry, childPath, node[name], ctx);
  }
  return out;
}

function resolveField(field: Field<unknown>, path: string[], fileValue: unknown, ctx: WalkContext): unknown {
  const key = path.join('.');
  const name = envName(path);
  const [raw, origin] =
    ctx.env[name] !== undefined
      ? [ctx.env[name], `env ${name}`]
      : fileValue !== undefined && fileValue !== null
        ? [fileValue, ctx.fileName]
        : ctx.infraEnv[name] !== undefined
          ? [ctx.infraEnv[name], `config/infra.env ${name}`]
          : [undefined, undefined];
  if (raw === undefined) {
    if (field.defaultValue !== undefined || field.optional) return field.defaultValue;
    throw new ConfigError(key, `missing (set ${name} or ${key} in ${ctx.fileName})`);
  }
  const parsed = field.parse(raw);
  if (!parsed.ok) {
    const shown = field.secret ? '<secret>' : JSON.stringify(raw);
    throw new ConfigError(key, `${parsed.reason}, got ${shown} (from ${origin})`);
  }
  return parsed.value;
}
