import { createHash } from 'crypto';
import { Result, err, ok } from '@lib/money';
import type { Op } from '@lib/store';
import type { FieldError } from './validation';

/**
 * Idempotency of back-office writes (http-and-events.md: "the same key with the same body returns
 * the first result; with another body, 409"). A request is identified by its Idempotency-Key and
 * fingerprinted by method, route and canonical body; the first outcome is stored with it for 24 h,
 * in the same atomic step as the write it answers, so a retry can never apply the write twice.
 *
 * Storage: one field per key in the account's `keys.idempotency` hash (the hash's TTL is pushed
 * to 24 h after its latest write; each entry also carries its own instant and is ignored once
 * older than 24 h, so the window is exact per key), or a string `keys.globalIdempotency(key)` with
 * a 24 h TTL when the write creates the account.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
export const IDEMPOTENCY_HEADER = 'idempotency-key';

const KEY = /^[\x21-\x7e]{1,255}$/;

export interface IdempotencyRequest {
  readonly key: string;
  readonly fingerprint: string;
}

/** The header value, absent, or why it is unusable (visible ASCII, 1 to 255 characters). */
export function parseIdempotencyKey(
  header: string | string[] | undefined,
): Result<string | undefined, FieldError> {
  if (header === undefined) return ok(undefined);
  if (Array.isArray(header) || !KEY.test(header)) {
    return err({
      field: 'headers.idempotency-key',
      reason: 'must be one value of 1 to 255 visible ASCII characters',
    });
  }
  return ok(header);
}

/** JSON with object keys sorted at every level: two bodies that differ only in key order are the same request. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonicalJson((value as Record<string, unknown>)[name])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What makes two requests "the same": method, route (with its ids) and body. */
export function fingerprintOf(method: string, route: string, body: unknown): string {
  // No body and an empty object are the same request (the bodiless card routes accept both).
  const canonical = canonicalJson(body === undefined ? {} : body);
  return createHash('sha256').update(`${method.toUpperCase()} ${route}\n${canonical}`).digest('hex');
}

export function idempotencyRequest(
  key: string | undefined,
  method: string,
  route: string,
  body: unknown,
): IdempotencyRequest | undefined {
  return key === undefined ? undefined : { key, fingerprint: fingerprintOf(method, route, body) };
}

/** The stored form: fingerprint, instant stored (business clock), outcome. */
interface StoredAnswer<T> {
  readonly fp: string;
  readonly at: number;
  readonly outcome: T;
}

export function encodeStoredAnswer<T>(request: IdempotencyRequest, nowMs: number, outcome: T): string {
  const stored: StoredAnswer<T> = { fp: request.fingerprint, at: nowMs, outcome };
  return JSON.stringify(stored);
}

/**
 * What a stored entry means for this request: nothing stored (or expired: `raw` is what the
 * step must find unchanged before overwriting it), the first outcome to replay, or a conflict.
 */
export type StoredJudgement<T> =
  | { readonly kind: 'fresh'; readonly raw: string }
  | { readonly kind: 'replay'; readonly outcome: T }
  | { readonly kind: 'conflict' };

export function judgeStored<T>(
  raw: string | null,
  request: IdempotencyRequest,
  nowMs: number | 'ttl-decides',
): StoredJudgement<T> {
  if (raw === null || raw === '') return { kind: 'fresh', raw: '' };
  const stored = JSON.parse(raw) as StoredAnswer<T>;
  // A string key with its own TTL ('ttl-decides') is gone once expired; a hash entry is aged here.
  if (nowMs !== 'ttl-decides' && nowMs - stored.at >= IDEMPOTENCY_TTL_MS) return { kind: 'fresh', raw };
  return stored.fp === request.fingerprint
    ? { kind: 'replay', outcome: stored.outcome }
    : { kind: 'conflict' };
}

/** The step op storing an outcome in the account's idempotency hash, with the hash's TTL pushed. */
export function storeAnswerOp<T>(
  hashRef: number,
  request: IdempotencyRequest,
  nowMs: number,
  outcome: T,
): Op {
  return {
    type: 'hset',
    key: hashRef,
    values: { [request.key]: encodeStoredAnswer(request, nowMs, outcome) },
    expireAt: nowMs + IDEMPOTENCY_TTL_MS,
  };
}
