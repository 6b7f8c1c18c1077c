import { ok } from '@lib/money';
import type { Program } from '@lib/programs';
import { AtomicStepPlan, BALANCES_KEY, Check, Op, StepKeys, keys, walletFields, eventRecord, runStep } from '@lib/store';
import { AccountState, programOf, readAccountState } from '../shared/account-state';
import { BackOfficeDeps, MAX_STEP_ATTEMPTS, pauseBeforeRetry } from '../shared/back-office-deps';
import { Answer, busy, notFound, refuse } from '../shared/errors';
import { IdempotencyRequest } from '../shared/idempotency';
import {
  IdempotencySlot,
  idempotencyExpect,
  idempotencyStore,
  judgeRequest,
  refusalPlan,
} from '../shared/idempotent-step';
import { isWellFormedId } from '../shared/validation';
import { parseLoad } from './load-funds.command';
import { AcceptedLoad, LoadReceipt, decideLoad, loadCounterKeys } from './plan-load';

/**
 * `POST /v1/accounts/{id}/loads`. The decision is computed in TypeScript from one read of the
 * account (@lib/programs rules), then applied by one atomic step that re-checks its premises:
 * the load count, status and every wallet's ledger balance must be unchanged (`expect`), each
 * limit counter is bumped only within its limit (`bump` checks marked stale: a counter that moved
 * means "recompute", never a silent refusal), and the balances, counters, load count, the
 * `account.loaded` event and the idempotent answer are written together. A stale step is
 * recomputed from a fresh read.
 */
export class LoadFundsUseCase {
  constructor(private readonly deps: BackOfficeDeps) {}

  async execute(
    accountId: string,
    body: unknown,
    idempotency: IdempotencyRequest | undefined,
  ): Promise<Answer<LoadReceipt>> {
    const parsed = parseLoad(body);
    if (!parsed.ok) return { outcome: refuse({ code: 'validation', ...parsed.error }), replayed: false };
    if (!isWellFormedId(accountId)) return { outcome: notFound('account'), replayed: false };
    const { redis, catalogue, clock, random } = this.deps;
    for (let attempt = 0; attempt < MAX_STEP_ATTEMPTS; attempt += 1) {
      await pauseBeforeRetry(attempt);
      const nowMs = clock.nowMs();
      const state = await readAccountState(redis, accountId, idempotency?.key);
      if (!state) return { outcome: notFound('account'), replayed: false };
      const judged = judgeRequest<LoadReceipt>(idempotency, state.storedAnswer, nowMs);
      if (judged.kind === 'answer') return judged.answer;
      const program = programOf(catalogue.programs, state.account);
      const counterKeys = loadCounterKeys(program, parsed.value, nowMs, catalogue.rates);
      const values = await redis.mget(counterKeys.map((key) => keys.counter(accountId, key)));
      const counters = new Map(counterKeys.map((key, i) => [key, BigInt(values[i] ?? '0')]));
      const decision = decideLoad({
        program,
        state,
        command: parsed.value,
        counters,
        nowMs,
        rates: catalogue.rates,
        loadId: random.id('load'),
        eventId: random.uuid(),
      });
      const stepKeys = new StepKeys(accountId);
      if (!decision.ok) {
        if (judged.slot === undefined) return { outcome: decision, replayed: false };
        const stored = await runStep(
          redis,
          stepKeys,
          refusalPlan(stepKeys, judged.slot, nowMs, decision.error),
          nowMs,
        );
        if (stored.status === 'stale') continue;
        return { outcome: decision, replayed: false };
      }
      const plan = loadPlan(stepKeys, program, state, decision.value, judged.slot, nowMs);
      const result = await runStep(redis, stepKeys, plan, nowMs, eventRecord(decision.value.event));
      if (result.status === 'stale') continue;
      if (result.status !== 'done' || result.outcome.declined !== false) {
        throw new Error(`load on ${accountId}: unexpected step result ${JSON.stringify(result)}`);
      }
      return { outcome: ok(decision.value.receipt), replayed: false };
    }
    return { outcome: busy(), replayed: false };
  }
}

/** The atomic step of an accepted load (see the class comment for what it re-checks). */
function loadPlan(
  stepKeys: StepKeys,
  program: Program,
  state: AccountState,
  load: AcceptedLoad,
  slot: IdempotencySlot | undefined,
  nowMs: number,
): AtomicStepPlan {
  const accountId = state.account.accountId;
  const accountRef = stepKeys.ref(keys.account(accountId));
  const wallet = walletFields(load.wallet);
  const expect: NonNullable<AtomicStepPlan['expect']> = [
    ...idempotencyExpect(stepKeys, slot),
    { key: accountRef, field: 'loadCount', value: state.accountHash.loadCount ?? '' },
    { key: accountRef, field: 'status', value: state.accountHash.status ?? '' },
    // The maximum balance is on the consolidated balance of every wallet (seed 002), and the
    // answer and event carry the balances after: both hold only if no balance moved meanwhile.
    ...program.walletCurrencies.map((code) => ({
      key: BALANCES_KEY,
      field: walletFields(code).ledger,
      value: state.balances[walletFields(code).ledger] ?? '',
    })),
    { key: BALANCES_KEY, field: wallet.available, value: state.balances[wallet.available] ?? '' },
  ];
  const checks: Check[] = [];
  const moves: Op[] = [];
  for (const counter of load.counters) {
    const key = stepKeys.ref(keys.counter(accountId, counter.key));
    if (counter.limit === null)
      moves.push({ type: 'bump', key, by: Number(counter.increment), expireAt: counter.expiresAt });
    else
      checks.push({
        name: counter.name,
        type: 'bump',
        key,
        by: Number(counter.increment),
        max: Number(counter.limit),
        expireAt: counter.expiresAt,
        stale: true,
      });
  }
  return {
    expect,
    checks,
    onApprove: [
      { type: 'hbump', key: BALANCES_KEY, field: wallet.ledger, by: Number(load.netMinor) },
      { type: 'hbump', key: BALANCES_KEY, field: wallet.available, by: Number(load.netMinor) },
      { type: 'hbump', key: accountRef, field: 'loadCount', by: 1 },
      ...moves,
      ...idempotencyStore(stepKeys, slot, nowMs, ok(load.receipt)),
    ],
    publish: true,
  };
}
