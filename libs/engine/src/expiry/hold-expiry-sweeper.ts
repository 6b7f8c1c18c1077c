import type Redis from 'ioredis';
import type { Clock } from '@lib/clock';
import { AtomicStepPlan, keys, runAtomicStep, StepKeys } from '@lib/store';

/**
 * Ages holds without traffic. Every atomic step of an account first expires that account's due
 * holds (once each, with a `hold.expired` outbox entry); an account nobody touches would keep its
 * expired holds until its next message. The sweeper runs an empty step on each account the
 * hold-expiry index says has a due hold, so each hold is released at its expiry on the clock
 * (the simulated one in demos), and re-indexes the account by its next expiry.
 *
 * The index is written outside the steps (best effort), so a periodic safety scan of the account
 * directory puts back any account whose entry is missing. Several sweepers may run (one per
 * gateway): the step expires each hold once whoever runs it.
 */
export interface HoldExpirySweeperOptions {
  /** How often the index is read for due accounts. */
  readonly intervalMs: number;
  /** How often every account is scanned to repair the index. */
  readonly safetyScanIntervalMs: number;
  /**
   * Pause between pages of the periodic scan: its cost is a bounded share of Redis and of the
   * gateway whatever the number of accounts (a pass over a million accounts takes longer, it never
   * takes a burst). 0: no pause.
   */
  readonly scanPauseMs?: number;
  /** Accounts swept per pass (the rest wait for the next pass). */
  readonly batchSize: number;
  /** Accounts swept at once within a pass. */
  readonly concurrency?: number;
  /**
   * The accounts this sweeper is responsible for (all when absent): a share of the accounts when
   * sweepers are split, or a test's own accounts on a shared Redis.
   */
  readonly accepts?: (accountId: string) => boolean;
}

export const DEFAULT_SWEEPER_OPTIONS: HoldExpirySweeperOptions = {
  intervalMs: 1_000,
  safetyScanIntervalMs: 60_000,
  scanPauseMs: 20,
  batchSize: 2_000,
  concurrency: 32,
};

/** Accounts read per page of the safety scan. */
const SCAN_PAGE = 500;

export interface SweepReport {
  readonly accountsSwept: number;
  readonly holdsExpired: number;
}

/** An empty step: it applies nothing of its own and publishes no decision, only the expiries. */
const EMPTY_STEP: AtomicStepPlan = { publish: false };

export class HoldExpirySweeper {
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock,
    private readonly options: HoldExpirySweeperOptions = DEFAULT_SWEEPER_OPTIONS,
  ) {}

  /** One pass: every account whose earliest hold expiry is due (up to the batch size). */
  async sweepDue(): Promise<SweepReport> {
    const nowMs = this.clock.nowMs();
    const listed = await this.redis.zrangebyscore(keys.holdExpiryIndex(), '-inf', nowMs, 'LIMIT', 0, this.options.batchSize);
    const due = this.options.accepts ? listed.filter(this.options.accepts) : listed;
    let holdsExpired = 0;
    const concurrency = this.options.concurrency ?? 32;
    for (let i = 0; i < due.length; i += concurrency) {
      const swept = await Promise.all(due.slice(i, i + concurrency).map((accountId) => this.sweepAccount(accountId, nowMs)));
      holdsExpired += swept.reduce((total, expired) => total + expired.length, 0);
    }
    return { accountsSwept: due.length, holdsExpired };
  }

  /** Expires the account's due holds at `nowMs`; answers their ids. */
  async sweepAccount(accountId: string, nowMs: number): Promise<string[]> {
    const result = await runAtomicStep(this.redis, new StepKeys(accountId), EMPTY_STEP, nowMs, '{}');
    const expired = result.status === 'done' ? (result.outcome.expired ?? []) : [];
    // The relay's work list: the account's outbox has hold.expired entries.
    if (expired.length > 0) await this.redis.sadd(keys.outboxPending(), accountId);
    await this.reindex(accountId);
    return expired;
  }

  /** The account's entry in the index: its earliest open hold expiry, or none. */
  private async reindex(accountId: string): Promise<void> {
    const first = await this.redis.zrange(keys.holdExpiries(accountId), 0, 0, 'WITHSCORES');
    if (first.length === 0) await this.redis.zrem(keys.holdExpiryIndex(), accountId);
    else await this.redis.zadd(keys.holdExpiryIndex(), Number(first[1]), accountId);
  }

  /** Every account of the directory with an open hold gets its index entry (repairs lost writes). */
  async safetyScan(pauseMs = 0): Promise<number> {
    let cursor = '0';
    let indexed = 0;
    do {
      if (pauseMs > 0 && cursor !== '0') await new Promise((resolve) => setTimeout(resolve, pauseMs));
      if (this.stopped) break;
      const [next, scanned] = await this.redis.sscan(keys.accountDirectory(), cursor, 'COUNT', SCAN_PAGE);
      cursor = next;
      const accountIds = this.options.accepts ? scanned.filter(this.options.accepts) : scanned;
      if (accountIds.length === 0) continue;
      const reads = this.redis.pipeline();
      for (const accountId of accountIds) reads.zrange(keys.holdExpiries(accountId), 0, 0, 'WITHSCORES');
      const replies = (await reads.exec()) ?? [];
      const writes = this.redis.pipeline();
      replies.forEach(([error, first], i) => {
        const entry = first as string[] | null;
        if (error || !entry || entry.length === 0) return;
        writes.zadd(keys.holdExpiryIndex(), 'LT', Number(entry[1]), accountIds[i]);
        indexed += 1;
      });
      await writes.exec();
    } while (cursor !== '0');
    return indexed;
  }

  /**
   * Starts the periodic passes. A pass never overlaps the previous one of its kind; sweeps go on
   * while a (paced, so long) scan runs: a scan that re-indexes an account a sweep has just swept
   * costs that account one empty step at the next sweep, nothing more.
   */
  start(): void {
    if (this.timers.length > 0) return;
    this.stopped = false;
    const guarded = (work: () => Promise<unknown>) => {
      let running = false;
      return () => {
        if (running) return;
        running = true;
        work()
          .catch(() => undefined)
          .finally(() => {
            running = false;
          });
      };
    };
    this.timers.push(setInterval(guarded(() => this.sweepDue()), this.options.intervalMs));
    this.timers.push(setInterval(guarded(() => this.safetyScan(this.options.scanPauseMs ?? 0)), this.options.safetyScanIntervalMs));
    this.timers.forEach((timer) => timer.unref());
  }

  stop(): void {
    this.stopped = true;
    this.timers.forEach((timer) => clearInterval(timer));
    this.timers = [];
  }
}
