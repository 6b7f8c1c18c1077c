import { randomUUID } from 'crypto';
import { IsoMessage } from '@lib/iso8583';
import { declineContent } from '../authorise/decline-content';
import { parseAuthorisationRequest } from '../authorise/parse-request';
import type { EngineDeps } from '../engine-deps';
import { CardDirectory } from '../shared/card-directory';
import { decideForCard } from '../shared/decide-for-card';
import { originalKeyOfMessage } from '../shared/message-identity';
import { newHoldId, withLatencyGuard } from '../shared/step-guard';
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
    if (!parsed.ok) return declineContent(this.deps, this.cards, request, parsed.pan, parsed.reason);
    const req = parsed.request;
    const standIn = { responseCode: request.get(39) ?? '', authCode: request.get(38)?.trim() || null };
    return decideForCard(
      this.deps,
      this.cards,
      request,
      req.pan,
      deadlineMs,
      { transactionId: req.transactionId, newOriginal: !req.txn.incremental, feeUsage: true },
      ({ snapshot, program, nowMs, messageKey }) =>
        planAdvice({
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
        }),
    );
  }
}
