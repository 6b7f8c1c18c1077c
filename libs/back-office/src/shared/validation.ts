import { Result, err, ok } from '@lib/money';

/**
 * Hand-written validation of request bodies, done once, here (STYLE.md: no validation duplicated in
 * decorators and again in the domain). Each parser returns the typed command or the first problem,
 * named by its JSON path (`holder.email`, `amount.minor`); `body` names the body itself.
 */
export interface FieldError {
  readonly field: string;
  readonly reason: string;
}

export type Parsed<T> = Result<T, FieldError>;

export const BODY = 'body';

/** The body as an object with only the allowed fields (an absent body counts as `{}` when allowed). */
export function objectWithFields(
  value: unknown,
  path: string,
  allowed: readonly string[],
  absentIsEmpty = false,
): Parsed<Record<string, unknown>> {
  if (value === undefined && absentIsEmpty) return ok({});
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return err({ field: path, reason: 'must be a JSON object' });
  const record = value as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (!allowed.includes(name)) return err({ field: childPath(path, name), reason: 'unknown field' });
  }
  return ok(record);
}

export function childPath(path: string, name: string): string {
  return path === BODY ? name : `${path}.${name}`;
}

export function oneOf<const T extends string>(
  value: unknown,
  field: string,
  values: readonly T[],
  required = true,
): Parsed<T | undefined> {
  if (value === undefined)
    return required ? err({ field, reason: `is required (one of ${values.join(', ')})` }) : ok(undefined);
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    return err({ field, reason: `must be one of ${values.join(', ')}` });
  }
  return ok(value as T);
}

// Control characters (C0, DEL) have no place in a name or an e-mail address.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function text(value: unknown, field: string, maxLength: number): Parsed<string> {
  if (value === undefined) return err({ field, reason: 'is required' });
  if (typeof value !== 'string') return err({ field, reason: 'must be a string' });
  const trimmed = value.trim();
  if (trimmed.length === 0) return err({ field, reason: 'must not be empty' });
  if (trimmed.length > maxLength) return err({ field, reason: `must have at most ${maxLength} characters` });
  if (CONTROL.test(trimmed)) return err({ field, reason: 'must not contain control characters' });
  return ok(trimmed);
}

/** A pragmatic e-mail check: one @, no spaces, a dot in the domain (delivery proves the rest). */
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export function email(value: unknown, field: string): Parsed<string> {
  const parsed = text(value, field, 254);
  if (!parsed.ok) return parsed;
  return EMAIL.test(parsed.value) ? parsed : err({ field, reason: 'must be an e-mail address' });
}

/** Ids the key builders accept (libs/store keys.ts); anything else cannot name a stored record. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isWellFormedId(id: string): boolean {
  return ID.test(id);
}
