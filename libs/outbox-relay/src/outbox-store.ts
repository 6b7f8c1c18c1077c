import type Redis from 'ioredis';
import { accountIdOfOutboxKey, relayKeys } from './relay-keys';
import type { OutboxEntry } from './relay-batch';
import { nextStreamId } from './stream-ids';

/**
 * The relay's Redis side, on its own connection (never the authorisation path's): the pending
 * set, the per-account leases, the outbox streams and the dead stream. Every call is one round
 * trip (a pipeline) whatever the number of accounts.
 */

// KEYS[1] a lease key; ARGV[1] the owner that took it. Deletes the lease only if this owner still
// holds it (an expired lease may have been taken by another relay since). Returns 1 if deleted.
const RELEASE_LEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type ReleaseLease = (leaseKey: string, owner: string) => Promise<number>;

export interface ClaimResult {
  /** Accounts taken from the pending set whose lease this relay now holds. */
  leased: string[];
  /** Accounts another relay is working on: put back in the pending set. */
  busy: string[];
  /** Size of the pending set before this claim (the relay's lag, in accounts). */
  pendingBefore: number;
}

export interface DeadStreamEntry {
  id: string;
  accountId: string;
  payload: string;
}

export class OutboxStore {
  constructor(
    private readonly redis: Redis,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {
    if (!(redis as unknown as { relayReleaseLease?: unknown }).relayReleaseLease) {
      redis.defineCommand('relayReleaseLease', { numberOfKeys: 1, lua: RELEASE_LEASE_LUA });
    }
  }

  /**
   * Takes up to `count` accounts off the pending set (SPOP: two relays never pop the same one)
   * and their leases (a gateway may re-add an account while another relay still works on it).
   */
  async claimAccounts(count: number): Promise<ClaimResult> {
    const popped = await this.exec(
      this.redis.pipeline().scard(relayKeys.outboxPending()).spop(relayKeys.outboxPending(), count),
    );
    const pendingBefore = Number(popped[0]);
    const ids = (popped[1] as string[] | null) ?? [];
    if (ids.length === 0) return { leased: [], busy: [], pendingBefore };
    const leasing = this.redis.pipeline();
    for (const id of ids) leasing.set(relayKeys.outboxLease(id), this.owner, 'PX', this.leaseMs, 'NX');
    const replies = await this.exec(leasing);
    const leased = ids.filter((_, i) => replies[i] === 'OK');
    const busy = ids.filter((_, i) => replies[i] !== 'OK');
    if (busy.length > 0) await this.redis.sadd(relayKeys.outboxPending(), ...busy);
    return { leased, busy, pendingBefore };
  }

  /** The first `count` entries of each account's outbox, oldest first. */
  async readOutboxes(accountIds: readonly string[], count: number): Promise<Map<string, OutboxEntry[]>> {
    const reading = this.redis.pipeline();
    for (const id of accountIds) reading.xrange(relayKeys.outbox(id), '-', '+', 'COUNT', count);
    const replies = await this.exec(reading);
    return new Map(accountIds.map((id, i) => [id, toEntries(replies[i] as [string, string[]][])]));
  }

  /**
   * Ends a turn in one round trip: trims what was delivered or dead-lettered (each account's
   * entries up to and including `lastEntryId`, a prefix, see stream-ids.ts), releases the leases,
   * and puts back in the pending set the accounts that may still have entries.
   *
   * Which accounts those are is known without asking Redis: the turn read fewer entries than it
   * asked for and handled them all, or it did not. An entry appended after the read is announced
   * by its writer's own SADD, which comes after its XADD and after our SPOP (the protocol of every
   * outbox writer); a writer that dies in between is covered by the safety scan.
   */
  async finishTurn(
    trims: readonly { accountId: string; lastEntryId: string }[],
    leased: readonly string[],
    requeue: readonly string[],
  ): Promise<void> {
    const finishing = this.redis.pipeline();
    for (const { accountId, lastEntryId } of trims)
      finishing.xtrim(relayKeys.outbox(accountId), 'MINID', nextStreamId(lastEntryId));
    for (const id of leased)
      (finishing as unknown as { relayReleaseLease: ReleaseLease }).relayReleaseLease(
        relayKeys.outboxLease(id),
        this.owner,
      );
    if (requeue.length > 0) finishing.sadd(relayKeys.outboxPending(), ...requeue);
    await this.exec(finishing);
  }

  /** Puts accounts back in the pending set (a turn that failed before reading them). */
  async requeue(accountIds: readonly string[]): Promise<void> {
    if (accountIds.length > 0) await this.redis.sadd(relayKeys.outboxPending(), ...accountIds);
  }

  /**
   * One page of the safety scan: re-adds the accounts whose outbox is not empty. Covers a gateway
   * that died between its step and its SADD, and a relay that died holding popped accounts.
   * Returns the next cursor ('0' when the scan is complete) and how many accounts it re-added.
   */
  async scanPage(
    cursor: string,
    match: string,
    count: number,
  ): Promise<{ cursor: string; requeued: number }> {
    const [next, found] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', count);
    const outboxKeys = found.filter((key) => accountIdOfOutboxKey(key) !== null);
    if (outboxKeys.length === 0) return { cursor: next, requeued: 0 };
    const lengths = this.redis.pipeline();
    for (const key of outboxKeys) lengths.xlen(key);
    const replies = await this.exec(lengths);
    const nonEmpty = outboxKeys
      .filter((_, i) => Number(replies[i]) > 0)
      .map((key) => accountIdOfOutboxKey(key) as string);
    if (nonEmpty.length > 0) await this.redis.sadd(relayKeys.outboxPending(), ...nonEmpty);
    return { cursor: next, requeued: nonEmpty.length };
  }

  /** Keeps dead letters in Redis while Kafka is down. */
  async appendDeadLetters(letters: readonly { accountId: string; payload: string }[]): Promise<void> {
    const appending = this.redis.pipeline();
    for (const letter of letters)
      appending.xadd(relayKeys.outboxDead(), '*', 'accountId', letter.accountId, 'payload', letter.payload);
    await this.exec(appending);
  }

  /** The oldest dead letters kept in Redis, if this relay gets the forwarding lease. */
  async claimDeadStream(count: number): Promise<DeadStreamEntry[] | null> {
    const taken = await this.redis.set(relayKeys.outboxDeadLease(), this.owner, 'PX', this.leaseMs, 'NX');
    if (taken !== 'OK') return null;
    const entries = toEntries(await this.redis.xrange(relayKeys.outboxDead(), '-', '+', 'COUNT', count));
    return entries.map((e) => ({
      id: e.id,
      accountId: e.fields.accountId ?? '',
      payload: e.fields.payload ?? '',
    }));
  }

  async finishDeadStream(forwardedIds: readonly string[]): Promise<void> {
    const finishing = this.redis.pipeline();
    if (forwardedIds.length > 0) finishing.xdel(relayKeys.outboxDead(), ...forwardedIds);
    (finishing as unknown as { relayReleaseLease: ReleaseLease }).relayReleaseLease(
      relayKeys.outboxDeadLease(),
      this.owner,
    );
    await this.exec(finishing);
  }

  /** Runs a pipeline; the first failed command fails the call (nothing is half-interpreted). */
  private async exec(pipeline: ReturnType<Redis['pipeline']>): Promise<unknown[]> {
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }
}

function toEntries(reply: [string, string[]][]): OutboxEntry[] {
  return reply.map(([id, flat]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
    return { id, fields };
  });
}
