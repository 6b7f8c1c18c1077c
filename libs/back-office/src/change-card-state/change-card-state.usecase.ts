import { ok } from '@lib/money';
import { AtomicStepPlan, CardState as CardStateName, StepKeys, keys, runStep } from '@lib/store';
import { liveCardField } from '../shared/account-state';
import { BackOfficeDeps, MAX_STEP_ATTEMPTS, pauseBeforeRetry } from '../shared/back-office-deps';
import { Answer, busy, notFound, refuse } from '../shared/errors';
import { IdempotencyRequest } from '../shared/idempotency';
import { idempotencyExpect, idempotencyStore, judgeRequest, refusalPlan } from '../shared/idempotent-step';
import { CardState, findCardAccount, readCardState } from '../shared/card-state';
import type { Parsed } from '../shared/validation';
import { CardAction, CardTransition, transition } from './card-transitions';

/** The answer of every card state route. */
export interface CardStateView {
  readonly cardId: string;
  readonly state: CardStateName;
}

/**
 * `POST /v1/cards/{id}/activate | block | unblock | pin/unblock`. The transition is decided from
 * one read, and applied by an atomic step that expects the card's version unchanged and bumps it:
 * the engine's steps expect the version they read, so an authorisation computed before the change
 * is recomputed after it, never applied on the old state.
 */
export class ChangeCardStateUseCase {
  constructor(private readonly deps: BackOfficeDeps) {}

  async execute(
    cardId: string,
    action: Parsed<CardAction>,
    idempotency: IdempotencyRequest | undefined,
  ): Promise<Answer<CardStateView>> {
    if (!action.ok) return { outcome: refuse({ code: 'validation', ...action.error }), replayed: false };
    const { redis, clock } = this.deps;
    const accountId = await findCardAccount(redis, cardId);
    if (accountId === undefined) return { outcome: notFound('card'), replayed: false };
    for (let attempt = 0; attempt < MAX_STEP_ATTEMPTS; attempt += 1) {
      await pauseBeforeRetry(attempt);
      const nowMs = clock.nowMs();
      const state = await readCardState(redis, accountId, cardId, idempotency?.key);
      if (!state) return { outcome: notFound('card'), replayed: false };
      const judged = judgeRequest<CardStateView>(idempotency, state.storedAnswer, nowMs);
      if (judged.kind === 'answer') return judged.answer;
      const stepKeys = new StepKeys(accountId);
      const next = transition(state.card.state, action.value);
      if (!next.ok) {
        const error = { code: 'invalid-transition' as const, reason: next.error, state: state.card.state };
        if (judged.slot === undefined) return { outcome: refuse(error), replayed: false };
        const stored = await runStep(
          redis,
          stepKeys,
          refusalPlan(stepKeys, judged.slot, nowMs, error),
          nowMs,
        );
        if (stored.status === 'stale') continue;
        return { outcome: refuse(error), replayed: false };
      }
      const view: CardStateView = { cardId, state: next.value.state };
      const plan = transitionPlan(stepKeys, state, next.value);
      plan.expect!.unshift(...idempotencyExpect(stepKeys, judged.slot));
      plan.always!.push(...idempotencyStore(stepKeys, judged.slot, nowMs, ok(view)));
      const result = await runStep(redis, stepKeys, plan, nowMs);
      if (result.status === 'stale') continue;
      if (result.status !== 'done')
        throw new Error(`card ${cardId}: unexpected step result ${JSON.stringify(result)}`);
      return { outcome: ok(view), replayed: false };
    }
    return { outcome: busy(), replayed: false };
  }
}

function transitionPlan(stepKeys: StepKeys, state: CardState, next: CardTransition): AtomicStepPlan {
  const { accountId, card } = state;
  const cardRef = stepKeys.ref(keys.card(accountId, card.cardId));
  const plan: AtomicStepPlan = {
    expect: [{ key: cardRef, field: 'version', value: state.cardHash.version ?? '' }],
    always: [
      {
        type: 'hset',
        key: cardRef,
        values: {
          state: next.state,
          version: card.version + 1,
          ...(next.resetPinTries ? { pinTries: 0 } : {}),
        },
      },
    ],
    publish: false,
  };
  const live = liveCardField(card.form);
  if (next.endsLife && state.accountHash[live] === card.cardId) {
    // The account may have a new card of this form once this one can never be used again.
    const accountRef = stepKeys.ref(keys.account(accountId));
    plan.expect!.push({ key: accountRef, field: live, value: card.cardId });
    plan.always!.push({ type: 'hdel', key: accountRef, field: live });
  }
  return plan;
}
