import type Redis from 'ioredis';
import type { Clock } from '@lib/clock';
import { buildFeeChargedEvent, type FeeJson } from '@lib/events';
import {
  accountActivityAt,
  Billing,
  collectWithin,
  FeeLine,
  hasPeriodicFees,
  managementWindow,
  nextChargeDueMs,
  PeriodCharge,
  periodicFeesDue,
  periodsDue,
  Program,
} from '@lib/programs';
import type { LedgerRepository } from '../repository/ledger-repository';
import { outboxLengths } from '../reconciliation/reconciliation.usecase';
import {
  AtomicStepPlan,
  BALANCES_KEY,
  StepKeys,
  accountFromHash,
  eventRecord,
  keys,
  runAtomicStep,
  runStep,
  walletFields,
} from '../settle/store-access';

/**
 * The periodic fees of the settlement side (card-programs.md tariff rows "subscription", "account
 * management", "inactivity"; docs/settlement.md "Periodic fees"): for every account whose charge
 * day has come (libs/programs periodic-fees.ts), one atomic step per period takes the fees due
 * from the account-currency wallet in Redis and appends a `fee.charged` event to the account's
 * outbox; the relay publishes it on card.authorizations and the consumer posts it to the ledger,
 * so the cache and the ledger move by the same amount (reconciliation stays at zero).
 *
 * Once per period and account, whatever runs it: the account hash keeps the last period charged
 * (`feePeriod`); the step `expect`s it at n - 1 and sets it to n with the debit, and carries a
 * dedupe key per account and period besides. Two job instances, a re-run or a crash between steps
 * charge nothing twice (a crash before a step: the next run charges that period); missed periods
 * (a clock that jumped) are charged one by one, oldest first.
 *
 * Exactness of the activity condition: the transactions are counted in the ledger, so the job
 * charges an account only when the ledger has every event the account committed before the job
 * looked: the account's outbox is empty (everything is in Kafka) and then the consumer group has
 * passed the topic's end offsets read after that (`ledgerCaughtUp`). Otherwise the account waits
 * for the next run.
 */
export interface PeriodicFeesDeps {
  readonly redis: Redis;
  readonly repository: LedgerRepository;
  readonly programs: ReadonlyMap<string, Program>;
  readonly clock: Clock;
  /**
   * true once the settlement consumer has posted every card.authorizations event that Kafka held
   * when called (false: not within its wait; the job tries again on its next run).
   */
  readonly ledgerCaughtUp: () => Promise<boolean>;
  /** Periods charged per account and run (catch-up goes on at the next run). */
  readonly maxPeriodsPerRun?: number;
}

export interface ChargedPeriod {
  readonly accountId: string;
  readonly periodIndex: number;
  readonly chargeDate: string;
  readonly fees: readonly FeeJson[];
  readonly shortfall: FeeJson['amount'];
}

export interface PeriodicFeesReport {
  readonly checkedAt: string;
  /** Accounts with at least one period due. */
  readonly accountsDue: number;
  readonly charged: readonly ChargedPeriod[];
  /** Periods whose step found nothing due (the marker moved, no event). */
  readonly nothingDue: number;
  /** Accounts left for the next run, with why. */
  readonly deferred: readonly { readonly accountId: string; readonly reason: string }[];
}

/** Account hash field: the last period whose fees were charged (absent: none). */
export const FEE_PERIOD_FIELD = 'feePeriod';
/** The dedupe key outlives any catch-up the marker would not already refuse. */
const DEDUPE_TTL_MS = 400 * 24 * 3_600_000;
const MAX_ATTEMPTS = 8;
const PAGE = 500;
/** Due accounts looked at per run (a backlog goes on at the next run). */
const MAX_ACCOUNTS_PER_RUN = 2_000;

interface DueAccount {
  readonly accountId: string;
  readonly program: Program;
  readonly billing: Billing;
  readonly openedAtMs: number;
  readonly periods: readonly PeriodCharge[];
}

type PeriodOutcome = { kind: 'charged'; period: ChargedPeriod } | { kind: 'nothing-due' } | { kind: 'already' } | { kind: 'busy' };

export class ChargePeriodicFeesUseCase {
  /** When each account's next period is due, as last seen (the account hash decides). */
  private readonly nextDueMs = new Map<string, number>();

  constructor(private readonly deps: PeriodicFeesDeps) {}

  /** The accounts to look at: those given, or the work list's due ones (dueAccountIds). */
  async execute(accountIds?: readonly string[]): Promise<PeriodicFeesReport> {
    const nowMs = this.deps.clock.nowMs();
    const ids = accountIds ?? (await this.dueAccountIds(nowMs));
    const due: DueAccount[] = [];
    for (let start = 0; start < ids.length; start += PAGE) due.push(...(await this.findDue(ids.slice(start, start + PAGE), nowMs)));
    await this.reschedule();
    const report = { checkedAt: new Date(nowMs).toISOString(), accountsDue: due.length, charged: [] as ChargedPeriod[], nothingDue: 0, deferred: [] as { accountId: string; reason: string }[] };
    if (due.length === 0) return report;

    // The ledger must hold every event of these accounts committed so far: first nothing left in
    // their outboxes, then the consumer past what Kafka holds now.
    const backlog = await outboxLengths(this.deps.redis, due.map((d) => d.accountId));
    const ready = due.filter((d, i) => {
      if (backlog[i] === 0) return true;
      report.deferred.push({ accountId: d.accountId, reason: 'outbox not relayed yet' });
      return false;
    });
    if (ready.length > 0 && !(await this.deps.ledgerCaughtUp())) {
      for (const d of ready) report.deferred.push({ accountId: d.accountId, reason: 'ledger consumer behind' });
      return report;
    }
    for (const account of ready) {
      try {
        for (const period of account.periods) {
          const outcome = await this.chargePeriod(account, period);
          if (outcome.kind === 'charged') report.charged.push(outcome.period);
          if (outcome.kind === 'nothing-due') report.nothingDue += 1;
          if (outcome.kind === 'busy') {
            report.deferred.push({ accountId: account.accountId, reason: `period ${period.periodIndex}: the account kept changing` });
            break;
          }
        }
      } catch (error) {
        // One account's failure (its data, a database hiccup) never stops the others' fees: it
        // stays due and is tried again at the next run.
        report.deferred.push({ accountId: account.accountId, reason: `failed: ${(error as Error).message}` });
      }
    }
    return report;
  }

  /**
   * The work list `keys.periodicFeesDue()`: every account by when its next period is due (+inf:
   * never, e.g. travel or closed), so a run reads only the due ones, not every account. An account
   * opened since the last run is missing from it (the directory holds more members than the
   * list): it joins as due now, and its first look places it at its real date (reschedule).
   */
  private async dueAccountIds(nowMs: number): Promise<string[]> {
    const { redis } = this.deps;
    const [[, known], [, listed]] = ((await redis.pipeline().scard(keys.accountDirectory()).zcard(keys.periodicFeesDue()).exec()) ?? []) as [[Error | null, number], [Error | null, number]];
    if (known !== listed) {
      const members = await redis.smembers(keys.accountDirectory());
      for (let start = 0; start < members.length; start += PAGE) {
        const page = members.slice(start, start + PAGE);
        await redis.zadd(keys.periodicFeesDue(), 'NX', ...page.flatMap((id) => [nowMs, id]));
      }
    }
    return redis.zrangebyscore(keys.periodicFeesDue(), '-inf', nowMs, 'LIMIT', 0, MAX_ACCOUNTS_PER_RUN);
  }

  /** Writes the dates findDue learnt to the work list (a due or deferred account stays due). */
  private async reschedule(): Promise<void> {
    if (this.nextDueMs.size === 0) return;
    const entries = [...this.nextDueMs].flatMap(([id, at]) => [at === Number.POSITIVE_INFINITY ? '+inf' : at, id]);
    this.nextDueMs.clear();
    for (let start = 0; start < entries.length; start += 2 * PAGE) await this.deps.redis.zadd(keys.periodicFeesDue(), ...entries.slice(start, start + 2 * PAGE));
  }

  private async findDue(accountIds: readonly string[], nowMs: number): Promise<DueAccount[]> {
    const pipeline = this.deps.redis.pipeline();
    for (const id of accountIds) pipeline.hgetall(keys.account(id));
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error);
    if (failed) throw failed[0];
    const due: DueAccount[] = [];
    accountIds.forEach((accountId, i) => {
      const hash = replies[i][1] as Record<string, string>;
      const account = accountFromHash(hash);
      const program = account ? this.deps.programs.get(account.program) : undefined;
      // No periodic fee (travel), a closed account, or not an account: nothing ever due.
      if (!account || !program || !hasPeriodicFees(program) || account.status === 'closed' || !Number.isFinite(account.openedAt)) {
        this.nextDueMs.set(accountId, Number.POSITIVE_INFINITY);
        return;
      }
      const chargedThrough = chargedThroughOf(hash);
      const periods = periodsDue(account.openedAt, chargedThrough, nowMs, program.timeZone, this.deps.maxPeriodsPerRun ?? 24);
      if (periods.length === 0) {
        this.nextDueMs.set(accountId, nextChargeDueMs(account.openedAt, chargedThrough, program.timeZone));
        return;
      }
      due.push({ accountId, program, billing: account.billing, openedAtMs: account.openedAt, periods });
    });
    return due;
  }

  /** One period of one account: decided from a fresh read, applied by one step that re-checks it. */
  private async chargePeriod(account: DueAccount, charge: PeriodCharge): Promise<PeriodOutcome> {
    const { redis, repository, clock } = this.deps;
    const { accountId, program } = account;
    const wallet = walletFields(program.accountCurrency);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const [[accountError, accountHash], [balancesError, balances]] = ((await redis.pipeline().hgetall(keys.account(accountId)).hgetall(keys.balances(accountId)).exec()) ?? []) as [
        [Error | null, Record<string, string>],
        [Error | null, Record<string, string>],
      ];
      if (accountError || balancesError) throw accountError ?? balancesError;
      const chargedThrough = chargedThroughOf(accountHash);
      if (chargedThrough >= charge.periodIndex) return { kind: 'already' };
      if (chargedThrough !== charge.periodIndex - 1) throw new Error(`account ${accountId}: period ${charge.periodIndex} before period ${chargedThrough + 1}`);

      const managed = managementWindow(program, charge);
      const window = managed ?? { fromMs: charge.dueFromMs, toMs: charge.dueFromMs };
      const count = await repository.transactionActivity(accountId, window.fromMs, charge.dueFromMs);
      const activity = accountActivityAt(charge, account.openedAtMs, count, program.timeZone, managed?.fromMs ?? null);
      const due = periodicFeesDue(program, account.billing, charge.periodIndex, activity);
      const ledgerText = balances[wallet.ledger] ?? '';
      const availableText = balances[wallet.available] ?? '';
      const collection = collectWithin(due, BigInt(availableText || '0'), program.accountCurrency);
      const takenMinor = collection.charged.reduce((sum, line) => sum + line.amount.amountMinor, 0n);

      const stepKeys = new StepKeys(accountId);
      const accountRef = stepKeys.ref(keys.account(accountId));
      const plan: AtomicStepPlan = {
        dedupe: { key: stepKeys.ref(keys.message(accountId, `fee:${charge.periodIndex}`)), ttlMs: DEDUPE_TTL_MS },
        expect: [
          { key: accountRef, field: FEE_PERIOD_FIELD, value: chargedThrough === 0 ? (accountHash[FEE_PERIOD_FIELD] ?? '') : String(chargedThrough) },
          { key: BALANCES_KEY, field: wallet.ledger, value: ledgerText },
          { key: BALANCES_KEY, field: wallet.available, value: availableText },
        ],
        onApprove: [
          ...(takenMinor > 0n ? [{ type: 'post' as const, currency: program.accountCurrency, by: -Number(takenMinor) }] : []),
          { type: 'hset', key: accountRef, values: { [FEE_PERIOD_FIELD]: charge.periodIndex } },
        ],
        publish: due.length > 0,
      };
      const nowMs = clock.nowMs();
      if (due.length === 0) {
        const result = await runAtomicStep(redis, stepKeys, plan, nowMs, '{}');
        // The step may have expired holds (their hold.expired entries wait in the outbox): the
        // relay must look at the account, as after any step.
        if (result.status === 'stale' || (result.status === 'done' && (result.outcome.expired?.length ?? 0) > 0)) await redis.sadd(keys.outboxPending(), accountId);
        if (result.status === 'stale') continue;
        return result.status === 'done' ? { kind: 'nothing-due' } : { kind: 'already' };
      }
      const event = buildFeeChargedEvent({
        accountId,
        occurredAt: new Date(nowMs).toISOString(),
        period: { index: charge.periodIndex, chargeDate: charge.chargeDayId, billing: account.billing },
        due: due.map(feeJson),
        fees: collection.charged.map(feeJson),
        shortfall: { minor: collection.shortfall.amountMinor.toString(), currency: program.accountCurrency },
        balances: {
          ledger: { minor: (BigInt(ledgerText || '0') - takenMinor).toString(), currency: program.accountCurrency },
          available: { minor: (BigInt(availableText || '0') - takenMinor).toString(), currency: program.accountCurrency },
        },
      });
      const result = await runStep(redis, stepKeys, plan, nowMs, eventRecord(event));
      if (result.status === 'stale') continue;
      if (result.status === 'duplicate') return { kind: 'already' };
      if (result.status !== 'done' || result.outcome.declined !== false) throw new Error(`fees of ${accountId} period ${charge.periodIndex}: unexpected step result ${JSON.stringify(result)}`);
      return {
        kind: 'charged',
        period: { accountId, periodIndex: charge.periodIndex, chargeDate: charge.chargeDayId, fees: event.fees, shortfall: event.shortfall },
      };
    }
    return { kind: 'busy' };
  }
}

function chargedThroughOf(hash: Readonly<Record<string, string>>): number {
  const raw = hash[FEE_PERIOD_FIELD];
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`account hash field ${FEE_PERIOD_FIELD} is not a period index: ${JSON.stringify(raw)}`);
  return n;
}

function feeJson(line: FeeLine): FeeJson {
  return { type: line.type, amount: { minor: line.amount.amountMinor.toString(), currency: line.amount.currency } };
}
