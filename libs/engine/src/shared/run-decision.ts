import type { DecisionRecord, StoredDecisionJson } from '@lib/events';
import type { IsoMessage } from '@lib/iso8583';
import { DeclineReason } from '@lib/programs';
import { AtomicStepPlan, DECLINE_MARK, runAtomicStep, StepKeys, StepOutcome } from '@lib/store';
import { responseFromDecision } from '../authorise/build-response';
import type { EngineDeps } from '../engine-deps';
import { decline, IssuerUnavailableError } from './step-guard';
import { workListsOf } from './work-lists';

/** A decision computed in TypeScript, to be applied by one atomic step. */
export interface PlannedStep {
  readonly stepKeys: StepKeys;
  readonly plan: AtomicStepPlan;
  readonly record: DecisionRecord;
}

/** What a planner answers: a step to run, or a response that needs no step (a retry's stored answer...). */
export type Planned = { readonly step: PlannedStep } | { readonly response: IsoMessage };

const MAX_ATTEMPTS = 5;

/**
 * The loop every message use case shares: plan from a fresh snapshot, run the one atomic step,
 * recompute when the step finds the state moved under the plan (stale), answer from the decision
 * (or the stored decision of a retried message). After MAX_ATTEMPTS stale rounds: 96.
 */
export async function runDecision(
  deps: EngineDeps,
  request: IsoMessage,
  accountId: string,
  deadlineMs: number,
  planner: (nowMs: number) => Promise<Planned>,
): Promise<IsoMessage> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const nowMs = deps.clock.nowMs();
    const planned = await planner(nowMs);
    if ('response' in planned) return planned.response;
    const { stepKeys, plan, record } = planned.step;
    const result = await runAtomicStep<DecisionRecord>(
      deps.redis,
      stepKeys,
      { ...plan, declineTexts: declineTextsOf(record) },
      nowMs,
      recordJsonWithMark(record),
      deadlineMs,
      recordJsonWithMark(retryRecordOf(record)),
    );
    if (result.status === 'late') throw new IssuerUnavailableError(`step arrived ${result.lateByMs} ms late`);
    if (result.status === 'stale') continue;
    afterStep(deps, accountId, record, result.status === 'done' ? result.outcome : undefined);
    if (result.status === 'duplicate') return responseFromDecision(request, result.stored as StoredDecisionJson);
    return responseFromDecision(request, { record, outcome: result.outcome });
  }
  return decline(request, DeclineReason.SystemMalfunction);
}

const DECLINES_HEAD = '{"declines":{';

/**
 * The record's JSON with its declines left to the step: `declines` holds the step's DECLINE_MARK,
 * which the step replaces with the text of the check that decided (declineTextsOf), or with
 * nothing on approval. The stored and published record then names the one decline that
 * happened: a third of its size was the declines that did not (every limit, funds, suspension...),
 * written twice per message (outbox and the 24 h retry record).
 */
export function recordJsonWithMark(record: DecisionRecord): string {
  const { declines: _declines, ...rest } = record;
  const json = JSON.stringify({ declines: {}, ...rest });
  return DECLINES_HEAD + DECLINE_MARK + json.slice(DECLINES_HEAD.length);
}

/**
 * The texts of fee-free declines, by check name, reason and response code: a handful per program
 * (its limits, funds, suspension, a reused TI), the same for every message.
 */
const FEE_FREE_TEXTS = new Map<string, string>();
const FEE_FREE_TEXTS_MAX = 4_096;

/** Per check name, its `declines` member as JSON text (what the step puts at the mark). */
export function declineTextsOf(record: DecisionRecord): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const name of Object.keys(record.declines)) {
    const outcome = record.declines[name];
    if (outcome.fees.length > 0) {
      texts[name] = `${JSON.stringify(name)}:${JSON.stringify(outcome)}`;
      continue;
    }
    const cacheKey = `${name}\u0000${outcome.reason}\u0000${outcome.responseCode}`;
    let text = FEE_FREE_TEXTS.get(cacheKey);
    if (text === undefined) {
      text = `${JSON.stringify(name)}:${JSON.stringify(outcome)}`;
      if (FEE_FREE_TEXTS.size >= FEE_FREE_TEXTS_MAX) FEE_FREE_TEXTS.clear();
      FEE_FREE_TEXTS.set(cacheKey, text);
    }
    texts[name] = text;
  }
  return texts;
}

/**
 * What a retried message needs to be answered identically (build-response.ts reads nothing
 * else): kept 24 h per message, so it is the record without what only the event needs.
 */
export function retryRecordOf(record: DecisionRecord): DecisionRecord {
  const { approved } = record;
  return {
    eventId: record.eventId,
    predeclined: record.predeclined,
    declines: record.declines,
    balanceCurrency: record.balanceCurrency,
    billing: record.billing,
    context: record.context.field10 ? { field10: record.context.field10 } : {},
    approved: { type: approved.type, responseCode: approved.responseCode, authCode: approved.authCode, approvedAmount: approved.approvedAmount, fees: approved.fees, hold: null },
  } as DecisionRecord;
}

/** The work lists outside the account's slot (see work-lists.ts), after the step. */
function afterStep(deps: EngineDeps, accountId: string, record: DecisionRecord, outcome: StepOutcome | undefined): void {
  const lists = workListsOf(deps.redis);
  lists.outboxPending(accountId);
  const approved = outcome !== undefined && outcome.declined === false && record.predeclined === null;
  const opened = approved && record.approved.holdEffect?.effect === 'opened' ? record.approved.hold : null;
  if (opened) lists.holdExpiry(accountId, Date.parse(opened.expiresAt));
}
