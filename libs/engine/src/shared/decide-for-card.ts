import type { StoredDecisionJson } from '@lib/events';
import type { IsoMessage } from '@lib/iso8583';
import { DeclineReason, Program, ProgramCatalogue } from '@lib/programs';
import { AccountSnapshot, readSnapshot, SnapshotRequest } from '../authorise/account-snapshot';
import { responseFromDecision } from '../authorise/build-response';
import { feeUsageCounterKey } from '../authorise/plan-authorisation';
import type { EngineDeps } from '../engine-deps';
import type { CardDirectory } from './card-directory';
import { retryKeyOf } from './message-identity';
import { PlannedStep, runDecision } from './run-decision';
import { decline } from './step-guard';
import { claimTransactionId } from './transaction-register';

/** What a use case plans from: the account as read for this attempt. */
export interface AccountContext {
  readonly snapshot: AccountSnapshot;
  readonly program: Program;
  readonly nowMs: number;
  readonly messageKey: string;
}

export interface SnapshotNeeds {
  readonly transactionId: string | undefined;
  /**
   * The message is a new original carrying its own TI (not an increment, completion or reversal):
   * it claims the TI network-wide (transaction-register.ts), and a TI an earlier original claimed
   * from another account counts as known to this one (a 94 where the use case answers one).
   */
  readonly newOriginal?: boolean;
  readonly merchantId?: string;
  /** The fee-usage counters of every program's calendar (authorisations and advices price fees). */
  readonly feeUsage?: boolean;
}

/**
 * What every message use case shares once the message is parsed: a new original claims its TI
 * (`94` before `14` when another card's original used it), find the card (`14` if unknown), then
 * on each attempt read the account in one round trip, answer a retried message
 * from its stored decision, and let the use case plan the step from the snapshot; runDecision
 * applies it (and recomputes when the state moved under the plan). A planner answering
 * undefined could not price the message (no reference rate): `96`, and the network retries.
 */
export async function decideForCard(
  deps: EngineDeps,
  cards: CardDirectory,
  request: IsoMessage,
  pan: string,
  deadlineMs: number,
  needs: SnapshotNeeds,
  plan: (context: AccountContext) => PlannedStep | undefined,
): Promise<IsoMessage> {
  const location = await cards.locate(pan);
  const messageKey = retryKeyOf(request);
  // The claim goes out with the first snapshot read (same tick: one write, one round trip).
  const claim =
    needs.newOriginal === true && needs.transactionId !== undefined
      ? claimTransactionId(deps.redis, needs.transactionId, location?.accountId, messageKey)
      : Promise.resolve(false);
  if (location === undefined) return decline(request, (await claim) ? DeclineReason.DuplicateTransactionId : DeclineReason.UnknownCard);
  return runDecision(deps, request, location.accountId, deadlineMs, async (nowMs) => {
    const snapshotRequest: SnapshotRequest = {
      ...location,
      transactionId: needs.transactionId,
      messageKey,
      merchantId: needs.merchantId,
      counterKeys: needs.feeUsage ? feeUsageKeys(deps.catalogue, nowMs) : [],
    };
    const [read, reusedElsewhere] = await Promise.all([readSnapshot(deps.redis, snapshotRequest), claim]);
    const snapshot = read && reusedElsewhere ? { ...read, transactionKnown: true } : read;
    const program = snapshot ? deps.catalogue.programs.get(snapshot.account.program) : undefined;
    if (!snapshot || !program) return { response: decline(request, DeclineReason.UnknownCard) };
    if (snapshot.storedDecision)
      return {
        response: responseFromDecision(request, JSON.parse(snapshot.storedDecision) as StoredDecisionJson),
      };
    const step = plan({ snapshot, program, nowMs, messageKey });
    return step === undefined ? { response: decline(request, DeclineReason.SystemMalfunction) } : { step };
  });
}

/** One key per distinct program calendar: the account's program is known only after the read. */
export function feeUsageKeys(catalogue: ProgramCatalogue, nowMs: number): string[] {
  const counterKeys: string[] = [];
  for (const program of catalogue.programs.values()) {
    const key = feeUsageCounterKey(program, nowMs);
    if (!counterKeys.includes(key)) counterKeys.push(key);
  }
  return counterKeys;
}
