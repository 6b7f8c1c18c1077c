import { randomUUID } from 'crypto';
import { IsoMessage } from '@lib/iso8583';
import type { EngineDeps } from '../engine-deps';
import { CardDirectory } from '../shared/card-directory';
import { decideForCard } from '../shared/decide-for-card';
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
    return decideForCard(
      this.deps,
      this.cards,
      request,
      reversal.pan,
      deadlineMs,
      { transactionId: reversal.transactionId },
      ({ snapshot, program, nowMs, messageKey }) =>
        planReversal({
          program,
          reversal,
          snapshot,
          mti: request.mti,
          messageKey,
          nowMs,
          eventId: randomUUID(),
        }),
    );
  }
}
