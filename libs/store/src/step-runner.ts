import type Redis from 'ioredis';
import { AtomicStepPlan, StepKeys, StepResult, defineAtomicStep, parseStepReply, queueAtomicStep, runAtomicStep } from './atomic-step';
import { keys } from './keys';

/**
 * Runs one atomic step outside the authorisation hot path (back office, settlement jobs). When the
 * step publishes (appends to the account's outbox), the account
 * joins the relay's work list in the same round trip, as the engine does (store: "the relay's
 * work-list entry rides in the same write"); a step that publishes nothing is a plain call.
 *
 * An event built outside the engine (back office, periodic fees) rides in the step's record argument as `{ "event": <final event JSON> }`:
 * the script stores it as `{record, outcome}` and appends it to the outbox as a `decision` entry.
 */
export async function runStep(
  redis: Redis,
  stepKeys: StepKeys,
  plan: AtomicStepPlan,
  nowMs: number,
  recordJson = '{}',
): Promise<StepResult<unknown>> {
  if (plan.publish === false) return runAtomicStep(redis, stepKeys, plan, nowMs, recordJson);
  defineAtomicStep(redis);
  const pipeline = redis.pipeline();
  queueAtomicStep(pipeline, stepKeys, plan, nowMs, recordJson);
  pipeline.sadd(keys.outboxPending(), stepKeys.accountId);
  const replies = (await pipeline.exec()) ?? [];
  const [stepError, stepReply] = replies[0] ?? [new Error('atomic-step: no reply')];
  if (stepError) throw stepError;
  const [pendingError] = replies[1] ?? [null];
  if (pendingError) throw pendingError;
  return parseStepReply(stepReply as [string, string]);
}

/** The record argument of a step that publishes a back-office event. */
export function eventRecord(event: object): string {
  return JSON.stringify({ event });
}
