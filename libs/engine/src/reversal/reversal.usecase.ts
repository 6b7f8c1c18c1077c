import { randomUUID } from 'crypto';
import type { StoredDecisionJson } from '@lib/events';
import { IsoMessage } from '@lib/iso8583';
import { DeclineReason } from '@lib/programs';
import { readSnapshot } from '../authorise/account-snapshot';
import { responseFromDecision } from '../authorise/build-response';
import type { EngineDeps } from '../engine-deps';
import { CardDirectory } from '../shared/card-directory';
import { retryKeyOf } from '../shared/message-identity';
import { Planned, runDecision } from '../shared/run-decision';
import { decline, withLatencyGuard } from '../shared/step-guard';
import { parseReversal } from './parse-reversal';
import { planReversal } from './plan-reversal';

/**
 * Reversals and reversal advices (0400 -> 0410, 0420 -> 0430): one atomic step, one event
 * (`reversal.applied`), answered `00` whenever the card is known; a network retry (same MTI, 32,
 * 11, 7) gets the stored answer and changes nothing.
 */
export class ReversalUseCase {
  constructor(
    private readonly deps: EngineDeps,
    private readonly cards: CardDirectory = new CardDirectory(deps.redis, deps.secrets),
  ) {}

  execute(request: IsoMessage): Promise<IsoMessage> {
    return withLatencyGuard(this.deps, request, (deadlineMs) => this.decide(request, deadlineMs));
  }

  private async decide(request: IsoMessage, deadlineMs: number): Promise<IsoMessage> {
    const parsed = parseReversal(request);
    if (!parsed.ok) return decline(request, parsed.reason);
    const reversal = parsed.value;
    const location = await this.cards.locate(reversal.pan);
    if (location === undefined) return decline(request, DeclineReason.UnknownCard);
    const messageKey = retryKeyOf(request);
    return runDecision(this.deps, request, location.accountId, deadlineMs, async (nowMs): Promise<Planned> => {
      const snapshot = await readSnapshot(this.deps.redis, { ...location, transactionId: reversal.transactionId, messageKey, merchantId: undefined, counterKeys: [] });
      const program = snapshot ? this.deps.catalogue.programs.get(snapshot.account.program) : undefined;
      if (!snapshot || !program) return { response: decline(request, DeclineReason.UnknownCard) };
      if (snapshot.storedDecision) return { response: responseFromDecision(request, JSON.parse(snapshot.storedDecision) as StoredDecisionJson) };
      return { step: planReversal({ program, reversal, snapshot, mti: request.mti, messageKey, nowMs, eventId: randomUUID() }) };
    });
  }
}
