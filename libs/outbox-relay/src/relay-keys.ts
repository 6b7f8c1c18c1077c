import { keys } from '@lib/store';

/**
 * The relay's Redis keys. The account keys come from the store's key builders (keys.ts); the two
 * dead-letter keys are the relay's own and should move to keys.ts when the store next changes
 * (they are outside any account slot, like `outbox:pending`).
 */
export const relayKeys = {
  outbox: keys.outbox,
  outboxPending: keys.outboxPending,
  outboxLease: keys.outboxLease,
  /** Stream: dead letters kept while Kafka is down, forwarded to the DLQ topic when it is back. */
  outboxDead: () => 'outbox:dead',
  /** Lease of the relay forwarding `outbox:dead` (one forwarder at a time, no duplicates). */
  outboxDeadLease: () => 'outbox:dead:lease',
} as const;

/** SCAN pattern of every account outbox (`{a:<id>}:outbox`; `{` and `}` are literal in a glob). */
export const OUTBOX_SCAN_MATCH = '{a:*}:outbox';

const OUTBOX_KEY = /^\{a:([A-Za-z0-9_-]{1,64})\}:outbox$/;

/** The account of an outbox key, or null for a key that is not one. */
export function accountIdOfOutboxKey(key: string): string | null {
  return OUTBOX_KEY.exec(key)?.[1] ?? null;
}
