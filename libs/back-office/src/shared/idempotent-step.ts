import type { AtomicStepPlan, Op, StepKeys } from '@lib/store';
import { keys } from '@lib/store';
import { Answer, BackOfficeError, IDEMPOTENCY_CONFLICT_REASON_TEXT, Outcome, refuse } from './errors';
import { IdempotencyRequest, judgeStored, storeAnswerOp } from './idempotency';

/**
 * The idempotency side of an account's atomic step: what the step must find unchanged (the stored
 * answer read before, usually none) and the op storing this request's outcome with the write.
 */
export interface IdempotencySlot {
  readonly request: IdempotencyRequest;
  /** The hash field's value as read ('' when absent, or an expired entry to overwrite). */
  readonly raw: string;
}

export type Judged<T> =
  | { readonly kind: 'answer'; readonly answer: Answer<T> }
  | { readonly kind: 'proceed'; readonly slot: IdempotencySlot | undefined };

/** Replays the stored answer, refuses a reused key, or lets the write go on. */
export function judgeRequest<T>(
  request: IdempotencyRequest | undefined,
  storedRaw: string | null,
  nowMs: number,
): Judged<T> {
  if (request === undefined) return { kind: 'proceed', slot: undefined };
  const judged = judgeStored<Outcome<T>>(storedRaw, request, nowMs);
  if (judged.kind === 'replay')
    return { kind: 'answer', answer: { outcome: judged.outcome, replayed: true } };
  if (judged.kind === 'conflict')
    return {
      kind: 'answer',
      answer: {
        outcome: refuse({ code: 'idempotency-conflict', reason: IDEMPOTENCY_CONFLICT_REASON_TEXT }),
        replayed: false,
      },
    };
  return { kind: 'proceed', slot: { request, raw: judged.raw } };
}

export function idempotencyExpect(
  stepKeys: StepKeys,
  slot: IdempotencySlot | undefined,
): NonNullable<AtomicStepPlan['expect']> {
  if (slot === undefined) return [];
  return [
    { key: stepKeys.ref(keys.idempotency(stepKeys.accountId)), field: slot.request.key, value: slot.raw },
  ];
}

export function idempotencyStore<T>(
  stepKeys: StepKeys,
  slot: IdempotencySlot | undefined,
  nowMs: number,
  outcome: Outcome<T>,
): Op[] {
  if (slot === undefined) return [];
  return [storeAnswerOp(stepKeys.ref(keys.idempotency(stepKeys.accountId)), slot.request, nowMs, outcome)];
}

/** An outcome decided without any move (a refusal, a no-op): stored for the key by a step that changes nothing else. */
export function answerOnlyPlan<T>(
  stepKeys: StepKeys,
  slot: IdempotencySlot,
  nowMs: number,
  outcome: Outcome<T>,
): AtomicStepPlan {
  return {
    expect: idempotencyExpect(stepKeys, slot),
    always: idempotencyStore(stepKeys, slot, nowMs, outcome),
    publish: false,
  };
}

export function refusalPlan(
  stepKeys: StepKeys,
  slot: IdempotencySlot,
  nowMs: number,
  error: BackOfficeError,
): AtomicStepPlan {
  return answerOnlyPlan(stepKeys, slot, nowMs, refuse(error));
}
