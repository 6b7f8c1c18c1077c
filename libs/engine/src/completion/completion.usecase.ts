import { randomUUID } from 'crypto';
import type { StoredDecisionJson } from '@lib/events';
import { IsoMessage } from '@lib/iso8583';
import { DeclineReason } from '@lib/programs';
import { readSnapshot } from '../authorise/account-snapshot';
import { responseFromDecision } from '../authorise/build-response';
import type { EngineDeps } from '../engine-deps';
import { CardDirectory } from '../shared/card-directory';
import { parseFollowUpBasics } from '../shared/follow-up';
import { originalKeyOfMessage, retryKeyOf } from '../shared/message-identity';
import { Planned, runDecision } from '../shared/run-decision';
import { decline, withLatencyGuard } from '../shared/step-guard';
import { planCompletion } from './plan-completion';

/** Completion advices (0220 -> 0230): one atomic step, one `completion.applied` event. */
export class CompletionUseCase {
  constructor(
    private readonly deps: EngineDeps,
    private readonly cards: CardDirectory = new CardDirectory(deps.redis, deps.secrets),
  ) {}

  execute(request: IsoMessage): Promise<IsoMessage> {
    return withLatencyGuard(this.deps, request, (deadlineMs) => this.decide(request, deadlineMs));
  }

  private async decide(request: IsoMessage, deadlineMs: number): Promise<IsoMessage> {
    const parsed = parseFollowUpBasics(request);
    if (!parsed.ok) return decline(request, parsed.reason);
    const completion = parsed.value;
    const location = await this.cards.locate(completion.pan);
    if (location === undefined) return decline(request, DeclineReason.UnknownCard);
    const messageKey = retryKeyOf(request);
    return runDecision(this.deps, request, location.accountId, deadlineMs, async (nowMs): Promise<Planned> => {
      const snapshot = await readSnapshot(this.deps.redis, { ...location, transactionId: completion.transactionId, messageKey, merchantId: undefined, counterKeys: [] });
      const program = snapshot ? this.deps.catalogue.programs.get(snapshot.account.program) : undefined;
      if (!snapshot || !program) return { response: decline(request, DeclineReason.UnknownCard) };
      if (snapshot.storedDecision) return { response: responseFromDecision(request, JSON.parse(snapshot.storedDecision) as StoredDecisionJson) };
      const step = planCompletion({
        catalogue: this.deps.catalogue,
        program,
        completion,
        acquirerCountry: request.get(19),
        snapshot,
        mti: request.mti,
        messageKey,
        originalKey: originalKeyOfMessage(request),
        nowMs,
        eventId: randomUUID(),
      });
      // No reference rate for the final amount's currency: the network retries the advice.
      return step === undefined ? { response: decline(request, DeclineReason.SystemMalfunction) } : { step };
    });
  }
}
