import { parse as parseYaml, YAMLParseError } from 'yaml';
import { CurrencyCode, Decimal, Money, currencyByAlpha, parseMajorAmount, toMajorString } from '@lib/money';

/**
 * A configuration file that does not validate: the message names the file, the key path and the
 * problem, e.g. `config/programs/eur-standard.yaml: limits.atm.perDay.amount: must be >= 0, got -5`.
 * Thrown at start-up only (a bad file stops the app, card-programs.md).
 */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${file}: ${path === '' ? '(root)' : path}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** A value inside a config file with its location. */
export interface ConfigNode {
  readonly file: string;
  readonly path: string;
  readonly value: unknown;
}

/**
 * Parses YAML text with the failsafe schema: every scalar stays a string, so amounts are never
 * JS floats (`1.50` arrives as "1.50" and is read exactly by parseMajorAmount).
 */
export function parseYamlText(text: string, file: string): ConfigNode {
  try {
    return { file, path: '', value: parseYaml(text, { schema: 'failsafe', uniqueKeys: true }) };
  } catch (error: unknown) {
    if (error instanceof YAMLParseError) {
      const line = error.linePos?.[0].line ?? 0;
      throw new ConfigError(file, '', `YAML syntax error at line ${line}: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
}

export function fail(node: ConfigNode, problem: string): never {
  throw new ConfigError(node.file, node.path, problem);
}

function describe(value: unknown): string {
  if (value === null || value === '') return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a mapping: unknown keys and missing required keys are errors. Returns the present
 * children by key.
 */
export function readMap(
  node: ConfigNode,
  keys: { readonly required?: readonly string[]; readonly optional?: readonly string[] },
): Map<string, ConfigNode> {
  if (!isMapping(node.value)) fail(node, `must be a mapping, got ${describe(node.value)}`);
  const required = keys.required ?? [];
  const allowed = new Set([...required, ...(keys.optional ?? [])]);
  const children = new Map<string, ConfigNode>();
  for (const [key, value] of Object.entries(node.value)) {
    const child = { file: node.file, path: childPath(node.path, key), value };
    if (!allowed.has(key)) fail(child, `unknown key (allowed: ${[...allowed].join(', ')})`);
    children.set(key, child);
  }
  for (const key of required) {
    if (!children.has(key)) fail({ ...node, path: childPath(node.path, key) }, 'is required');
  }
  return children;
}

/** Reads a mapping whose keys are data (currency codes, day ids): every entry is returned. */
export function readEntries(node: ConfigNode): [string, ConfigNode][] {
  if (!isMapping(node.value)) fail(node, `must be a mapping, got ${describe(node.value)}`);
  return Object.entries(node.value).map(([key, value]) => [
    key,
    { file: node.file, path: childPath(node.path, key), value },
  ]);
}

export function readList(node: ConfigNode): ConfigNode[] {
  if (!Array.isArray(node.value)) fail(node, `must be a list, got ${describe(node.value)}`);
  return node.value.map((value, index) => ({ file: node.file, path: `${node.path}[${index}]`, value }));
}

export function readString(node: ConfigNode): string {
  if (typeof node.value !== 'string' || node.value === '')
    fail(node, `must be a text, got ${describe(node.value)}`);
  return node.value;
}

export function readEnum<T extends string>(node: ConfigNode, allowed: readonly T[]): T {
  const text = readString(node);
  const found = allowed.find((candidate) => candidate === text);
  if (found === undefined) fail(node, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`);
  return found;
}

export function readEnumList<T extends string>(node: ConfigNode, allowed: readonly T[]): T[] {
  const values = readList(node).map((item) => readEnum(item, allowed));
  if (new Set(values).size !== values.length) fail(node, 'must not repeat a value');
  return values;
}

const DECIMAL_TEXT = /^-?[0-9]+(\.[0-9]+)?$/;

function readDecimalText(node: ConfigNode): string {
  if (typeof node.value !== 'string' || !DECIMAL_TEXT.test(node.value)) {
    fail(node, `must be a number, got ${describe(node.value)}`);
  }
  return node.value;
}

/** A non-negative integer count (limits, quotas). */
export function readCount(node: ConfigNode): number {
  const text = readDecimalText(node);
  if (text.startsWith('-')) fail(node, `must be >= 0, got ${text}`);
  if (!/^[0-9]+$/.test(text)) fail(node, `must be a whole number, got ${text}`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) fail(node, `is too large, got ${text}`);
  return value;
}

/** A whole number of days, at least 1. */
export function readDays(node: ConfigNode): number {
  const days = readCount(node);
  if (days < 1) fail(node, `must be >= 1, got ${days}`);
  return days;
}

/** A percentage between 0 and 100, exact. */
export function readPercent(node: ConfigNode): Decimal {
  const text = readDecimalText(node);
  const value = new Decimal(text);
  if (value.isNegative()) fail(node, `must be >= 0, got ${text}`);
  if (value.gt(100)) fail(node, `must be <= 100, got ${text}`);
  return value;
}

/** A positive exact decimal (FX rates). */
export function readPositiveDecimal(node: ConfigNode): Decimal {
  const text = readDecimalText(node);
  const value = new Decimal(text);
  if (!value.gt(0)) fail(node, `must be > 0, got ${text}`);
  return value;
}

/** A non-negative amount in major units of `code`, exact to its minor unit. */
export function readAmount<C extends CurrencyCode>(node: ConfigNode, code: C): Money<C> {
  const text = readDecimalText(node);
  if (text.startsWith('-')) fail(node, `must be >= 0, got ${text}`);
  const parsed = parseMajorAmount(text, code);
  if (!parsed.ok) fail(node, parsed.error.detail);
  return parsed.value;
}

export function readCurrency(node: ConfigNode): CurrencyCode {
  const text = readString(node);
  const found = currencyByAlpha(text);
  if (found === undefined)
    fail(node, `unknown currency ${JSON.stringify(text)} (ISO 4217 alpha code expected)`);
  return found.code;
}

export function currencyKey(node: ConfigNode, key: string): CurrencyCode {
  const found = currencyByAlpha(key);
  if (found === undefined)
    fail(node, `unknown currency ${JSON.stringify(key)} (ISO 4217 alpha code expected)`);
  return found.code;
}

/** For messages: "100.00 EUR". */
export function showAmount(m: Money): string {
  return `${toMajorString(m)} ${m.currency}`;
}
