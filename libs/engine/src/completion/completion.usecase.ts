import { randomUUID } from 'crypto';
import { IsoMessage } from '@lib/iso8583';
import type { EngineDeps } from '../engine-deps';
import { CardDirectory } from '../shared/card-directory';
import { parseFollowUpBasics } from '../shared/follow-up';
import { decideForCard } from '../shared/decide-for-card';
import { originalKeyOfMessage } from '../shared/message-identity';
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
    // No reference rate for the final amount's currency: undefined, 96, and the network retries the advice.
    return decideForCard(
      this.deps,
      this.cards,
      request,
      completion.pan,
      deadlineMs,
      { transactionId: completion.transactionId },
      ({ snapshot, program, nowMs, messageKey }) =>
        planCompletion({
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
        }),
    );
  }
}
