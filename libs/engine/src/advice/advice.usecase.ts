import { randomUUID } from 'crypto';
import type { StoredDecisionJson } from '@lib/events';
import { IsoMessage } from '@lib/iso8583';
import { DeclineReason } from '@lib/programs';
import { readSnapshot } from '../authorise/account-snapshot';
import { responseFromDecision } from '../authorise/build-response';
import { parseAuthorisationRequest } from '../authorise/parse-request';
import { feeUsageCounterKey } from '../authorise/plan-authorisation';
import type { EngineDeps } from '../engine-deps';
import { CardDirectory } from '../shared/card-directory';
import { originalKeyOfMessage, retryKeyOf } from '../shared/message-identity';
import { Planned, runDecision } from '../shared/run-decision';
import { decline, newHoldId, withLatencyGuard } from '../shared/step-guard';
import { planAdvice } from './plan-advice';

/**
 * Stand-in authorisation advices (0120 -> 0130): one atomic step, one `advice.applied` event,
 * answered `00` whenever the card is known and the message can be read.
 */
export class AdviceUseCase {
  constructor(
    private readonly deps: EngineDeps,
    private readonly cards: CardDirectory = new CardDirectory(deps.redis, deps.secrets),
  ) {}

  execute(request: IsoMessage): Promise<IsoMessage> {
    return withLatencyGuard(this.deps, request, (deadlineMs) => this.decide(request, deadlineMs));
  }

  private async decide(request: IsoMessage, deadlineMs: number): Promise<IsoMessage> {
    // An advice reads like the request it stands for (the codec has checked 39 is present).
    const parsed = parseAuthorisationRequest(request);
    if (!parsed.ok) return decline(request, parsed.reason);
    const req = parsed.request;
    const location = await this.cards.locate(req.pan);
    if (location === undefined) return decline(request, DeclineReason.UnknownCard);
    const messageKey = retryKeyOf(request);
    const standIn = { responseCode: request.get(39) ?? '', authCode: request.get(38)?.trim() || null };
    return runDecision(this.deps, request, location.accountId, deadlineMs, async (nowMs): Promise<Planned> => {
      const snapshot = await readSnapshot(this.deps.redis, {
        ...location,
        transactionId: req.transactionId,
        messageKey,
        merchantId: undefined,
        counterKeys: [...new Set([...this.deps.catalogue.programs.values()].map((program) => feeUsageCounterKey(program, nowMs)))],
      });
      const program = snapshot ? this.deps.catalogue.programs.get(snapshot.account.program) : undefined;
      if (!snapshot || !program) return { response: decline(request, DeclineReason.UnknownCard) };
      if (snapshot.storedDecision) return { response: responseFromDecision(request, JSON.parse(snapshot.storedDecision) as StoredDecisionJson) };
      const step = planAdvice({
        catalogue: this.deps.catalogue,
        program,
        request: req,
        standIn,
        snapshot,
        mti: request.mti,
        processingCode: request.get(3) ?? '',
        messageKey,
        originalKey: originalKeyOfMessage(request),
        nowMs,
        eventId: randomUUID(),
        holdId: newHoldId(),
      });
      return step === undefined ? { response: decline(request, DeclineReason.SystemMalfunction) } : { step };
    });
  }
}
