import type Redis from 'ioredis';
import { keys } from '@lib/store';

/**
 * The best-effort work lists outside the accounts' slots, written after the steps: the relay's
 * pending set (accounts whose outbox has entries) and the hold-expiry index (accounts scored by
 * their earliest open hold's expiry). A gateway dying before the write is covered by the relay's
 * scan and the sweeper's safety scan.
 *
 * The steps answered from one Redis read all add to them in the same tick, so the additions are
 * gathered and written once per tick (one SADD, one ZADD) instead of once per step.
 */
export class WorkLists {
  private readonly pending = new Set<string>();
  private readonly expiries = new Map<string, number>();
  private scheduled = false;

  constructor(private readonly redis: Redis) {}

  outboxPending(accountId: string): void {
    this.pending.add(accountId);
    this.schedule();
  }

  holdExpiry(accountId: string, expiresAtMs: number): void {
    const known = this.expiries.get(accountId);
    if (known === undefined || expiresAtMs < known) this.expiries.set(accountId, expiresAtMs);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.size > 0) {
      void this.redis.sadd(keys.outboxPending(), ...this.pending).catch(() => undefined);
      this.pending.clear();
    }
    if (this.expiries.size > 0) {
      const scored: (string | number)[] = [];
      for (const [accountId, expiresAtMs] of this.expiries) scored.push(expiresAtMs, accountId);
      // LT: only ever moves an account's entry earlier (or adds it); the sweeper moves it later.
      void this.redis.zadd(keys.holdExpiryIndex(), 'LT', ...scored).catch(() => undefined);
      this.expiries.clear();
    }
  }
}

const byConnection = new WeakMap<Redis, WorkLists>();

/** One batcher per Redis connection (the engine's dependencies are plain values). */
export function workListsOf(redis: Redis): WorkLists {
  let lists = byConnection.get(redis);
  if (lists === undefined) {
    lists = new WorkLists(redis);
    byConnection.set(redis, lists);
  }
  return lists;
}
