import { isIP } from 'net';

/**
 * Typed configuration fields. Each field parses one raw value (from the environment, a string, or
 * from YAML, any type) into its typed value, or returns the reason it is wrong. Nothing throws
 * here; the loader turns a reason into one ConfigError line naming the key.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface Field<T> {
  readonly describe: string;
  readonly defaultValue?: T;
  /** Secrets are never echoed back in an error line. */
  readonly secret: boolean;
  /** An optional field may stay undefined when no source gives it a value. */
  readonly optional: boolean;
  parse(raw: unknown): Parsed<T>;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

interface FieldOptions<T> {
  default?: T;
  secret?: boolean;
}

function field<T>(describe: string, parse: (raw: unknown) => Parsed<T>, options: FieldOptions<T>): Field<T> {
  return { describe, defaultValue: options.default, secret: options.secret ?? false, optional: false, parse };
}

export function int(options: FieldOptions<number> & { min?: number; max?: number } = {}): Field<number> {
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const describe = `an integer between ${min} and ${max}`;
  return field(
    describe,
    (raw) => {
      const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined;
      if (text === undefined || !/^-?\d+$/.test(text)) return bad(`must be ${describe}`);
      const value = Number(text);
      return value >= min && value <= max ? ok(value) : bad(`must be ${describe}`);
    },
    options,
  );
}

export function port(options: FieldOptions<number> = {}): Field<number> {
  return int({ ...options, min: 0, max: 65535 });
}

export function str(options: FieldOptions<string> & { pattern?: RegExp; minLength?: number } = {}): Field<string> {
  const minLength = options.minLength ?? 1;
  const describe = options.pattern ? `a string matching ${options.pattern}` : `a string of at least ${minLength} characters`;
  return field(
    describe,
    (raw) => {
      if (typeof raw !== 'string' && typeof raw !== 'number') return bad(`must be ${describe}`);
      const value = String(raw);
      if (value.length < minLength) return bad(`must be ${describe}`);
      if (options.pattern && !options.pattern.test(value)) return bad(`must be ${describe}`);
      return ok(value);
    },
    options,
  );
}

/** An IPv4 or IPv6 address, as `net.isIP` reads it (the TCP allow list compares peers' addresses). */
export function ip(options: FieldOptions<string> = {}): Field<string> {
  return field(
    'an IP address',
    (raw) => {
      const value = typeof raw === 'string' ? raw.trim() : '';
      return isIP(value) === 0 ? bad('must be an IP address') : ok(value);
    },
    options,
  );
}

export function bool(options: FieldOptions<boolean> = {}): Field<boolean> {
  return field(
    'true or false',
    (raw) => {
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === 'true' || raw === '1') return ok(true);
      if (raw === 'false' || raw === '0') return ok(false);
      return bad('must be true or false');
    },
    options,
  );
}

export function oneOf<const T extends string>(values: readonly T[], options: FieldOptions<T> = {}): Field<T> {
  const describe = `one of ${values.join(', ')}`;
  return field(
    describe,
    (raw) => (typeof raw === 'string' && (values as readonly string[]).includes(raw) ? ok(raw as T) : bad(`must be ${describe}`)),
    options,
  );
}

/** A list: a YAML sequence, or a comma-separated string in the environment. */
export function list<T>(item: Field<T>, options: FieldOptions<T[]> & { minItems?: number } = {}): Field<T[]> {
  const minItems = options.minItems ?? 0;
  return field(
    `a list of ${item.describe}`,
    (raw) => {
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      if (items === undefined) return bad(`must be a list of ${item.describe}`);
      if (items.length < minItems) return bad(`must have at least ${minItems} item(s)`);
      const values: T[] = [];
      for (const [index, entry] of items.entries()) {
        const parsed = item.parse(entry);
        if (!parsed.ok) return bad(`item ${index}: ${parsed.reason}`);
        values.push(parsed.value);
      }
      return ok(values);
    },
    options,
  );
}

export function optional<T>(inner: Field<T>): Field<T | undefined> {
  return { describe: inner.describe, defaultValue: undefined, secret: inner.secret, optional: true, parse: (raw) => inner.parse(raw) };
}

export function isField(value: unknown): value is Field<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Field<unknown>).parse === 'function';
}
