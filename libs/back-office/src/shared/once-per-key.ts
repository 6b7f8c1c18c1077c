import { randomUUID } from 'crypto';
import { performance } from 'perf_hooks';
import type Redis from 'ioredis';
import { LuaScript, keys } from '@lib/store';
import { IDEMPOTENCY_TTL_MS, IdempotencyRequest, encodeStoredAnswer } from './idempotency';

/**
 * Idempotency of back-office writes that belong to no account (`POST /v1/clock`,
 * `POST /v1/clearing/files`), in the same store and with the same semantics as account creation
 * (http-and-events.md: "the same key with the same body returns the first result; with another
 * body, 409"): the string `keys.globalIdempotency(key)`, 24 h, holding `{fp, at, outcome}`.
 *
 * These writes cannot store their answer in the same atomic step as the write (the clock and the
 * ledger's clearing tables are not the account's Redis hash), so the key is **reserved** first:
 * `SET NX` of a pending entry `{fp, at, lease}` with a short lease. Only the request holding the
 * reservation runs the write; it then replaces the pending entry by the outcome (24 h), or
 * removes it when the outcome is not to be kept (a 400: the request never reached the state, a
 * corrected body may reuse the key). Another request with the key meanwhile: another body is a
 * conflict at once; the same body waits for the first outcome and replays it, or gives up as
 * `in-progress` after `waitMs`. A process that dies while holding the reservation frees the key
 * when the lease ends (the write may then run again: the clock's never-backwards rule and the
 * clearing ingest's record ids keep that harmless for `set` and files; an `advance` can repeat
 * only in that crash window).
 */
export interface OncePerKeyOptions {
  /** How long a reservation holds the key if its holder never finishes. */
  readonly leaseMs: number;
  /** How long a request with the same key and body waits for the first one's outcome. */
  readonly waitMs: number;
  readonly pollMs?: number;
}

export type OnceAnswer<T> =
  | { readonly kind: 'answer'; readonly outcome: T; readonly replayed: boolean }
  | { readonly kind: 'conflict' }
  | { readonly kind: 'in-progress' };

/** What the write answered, and whether that answer is the one to replay for the key. */
export interface OnceRun<T> {
  readonly outcome: T;
  readonly keep: boolean;
}

interface StoredEntry<T> {
  readonly fp: string;
  readonly at: number;
  readonly outcome?: T;
  readonly lease?: string;
}

/**
 * Replaces (or deletes) the entry only while it is still this request's reservation: a holder
 * whose lease ran out must not overwrite the answer of the request that took the key after it.
 *   KEYS[1]  the idempotency string (`keys.globalIdempotency(key)`)
 *   ARGV[1]  the pending entry this request wrote (compared as a whole string)
 *   ARGV[2]  the new value, or '' to delete the entry
 *   ARGV[3]  the new value's TTL in ms
 */
const SETTLE_RESERVATION = new LuaScript(`
local key = KEYS[1]
local reservation = ARGV[1]
local value = ARGV[2]
local ttl_ms = ARGV[3]
if redis.call('GET', key) ~= reservation then return 0 end
if value == '' then
  redis.call('DEL', key)
else
  redis.call('SET', key, value, 'PX', ttl_ms)
end
return 1
`);

export async function runOncePerKey<T>(
  redis: Redis,
  request: IdempotencyRequest,
  nowMs: () => number,
  options: OncePerKeyOptions,
  write: () => Promise<OnceRun<T>>,
): Promise<OnceAnswer<T>> {
  const key = keys.globalIdempotency(request.key);
  const pollMs = options.pollMs ?? 50;
  const deadlineMs = performance.now() + options.waitMs; // a wait, on the monotonic clock: not business time
  for (;;) {
    const reservation = JSON.stringify({ fp: request.fingerprint, at: nowMs(), lease: randomUUID() } satisfies StoredEntry<T>);
    if ((await redis.set(key, reservation, 'PX', options.leaseMs, 'NX')) !== null) {
      return { kind: 'answer', outcome: await runReserved(redis, key, reservation, request, nowMs, write), replayed: false };
    }
    const raw = await redis.get(key);
    if (raw === null) continue; // freed between the two commands: try to take it
    const stored = JSON.parse(raw) as StoredEntry<T>;
    if (stored.fp !== request.fingerprint) return { kind: 'conflict' };
    if (stored.lease === undefined) return { kind: 'answer', outcome: stored.outcome as T, replayed: true };
    if (performance.now() >= deadlineMs) return { kind: 'in-progress' };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function runReserved<T>(
  redis: Redis,
  key: string,
  reservation: string,
  request: IdempotencyRequest,
  nowMs: () => number,
  write: () => Promise<OnceRun<T>>,
): Promise<T> {
  let run: OnceRun<T>;
  try {
    run = await write();
  } catch (error) {
    // Broken infrastructure or a bug: nothing to replay, the key is free for a retry.
    await SETTLE_RESERVATION.run(redis, 1, [key, reservation, '', '0']).catch(() => undefined);
    throw error;
  }
  const value = run.keep ? encodeStoredAnswer(request, nowMs(), run.outcome) : '';
  await SETTLE_RESERVATION.run(redis, 1, [key, reservation, value, String(IDEMPOTENCY_TTL_MS)]);
  return run.outcome;
}
