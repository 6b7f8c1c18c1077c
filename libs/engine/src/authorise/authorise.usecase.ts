import { randomUUID } from 'crypto';
import { IsoMessage } from '@lib/iso8583';
import { DeclineReason } from '@lib/programs';
import type { EngineDeps } from '../engine-deps';
import { CardDirectory } from '../shared/card-directory';
import { decideForCard } from '../shared/decide-for-card';
import { originalKeyOfMessage } from '../shared/message-identity';
import { authCode, decline, newHoldId, withLatencyGuard } from '../shared/step-guard';
import { declineContent } from './decline-content';
import { parseAuthorisationRequest, ParsedRequest } from './parse-request';
import { planAuthorisation } from './plan-authorisation';

export { decline, IssuerUnavailableError } from '../shared/step-guard';

/**
 * Authorisation requests 0100 / 0200: one decision, one atomic step, one event, one answer.
 * The answer is 91 when the store does not answer within the latency budget (the step carries
 * the same deadline, so nothing is applied after a 91 was sent).
 */
export class AuthoriseUseCase {
  constructor(
    private readonly deps: EngineDeps,
    private readonly cards: CardDirectory = new CardDirectory(deps.redis, deps.secrets),
  ) {}

  execute(request: IsoMessage): Promise<IsoMessage> {
    return withLatencyGuard(this.deps, request, (deadlineMs) => this.decide(request, deadlineMs));
  }

  private async decide(request: IsoMessage, deadlineMs: number): Promise<IsoMessage> {
    const parsed = parseAuthorisationRequest(request);
    if (!parsed.ok) return declineContent(this.deps, this.cards, request, parsed.pan, parsed.reason);
    const req = parsed.request;
    const newPin = this.newPinOf(request, req);
    if (newPin === null) return decline(request, DeclineReason.FormatError);
    const originalKey = originalKeyOfMessage(request);
    return decideForCard(
      this.deps,
      this.cards,
      request,
      req.pan,
      deadlineMs,
      { transactionId: req.transactionId, newOriginal: !req.txn.incremental, merchantId: req.merchantId, feeUsage: true },
      ({ snapshot, program, nowMs, messageKey }) => {
        const pin = req.pinBlock ? this.deps.pinBlocks.decode(req.pinBlock, req.pan) : undefined;
        return planAuthorisation({
          catalogue: this.deps.catalogue,
          program,
          request: req,
          snapshot,
          mti: request.mti,
          processingCode: request.get(3) ?? '',
          messageKey,
          originalKey,
          nowMs,
          eventId: randomUUID(),
          authCode: authCode(),
          holdId: newHoldId(),
          pinEntered: pin,
          pinCorrect:
            pin !== undefined && this.deps.secrets.pinCheck(req.pan, pin) === snapshot.card.pinCheck,
          cvv2Correct:
            req.cvv2 === undefined
              ? undefined
              : this.deps.secrets.cvv2Check(req.pan, snapshot.card.expiry, req.cvv2) ===
                snapshot.card.cvv2Check,
          newPinCheck: newPin === undefined ? undefined : this.deps.secrets.pinCheck(req.pan, newPin),
        });
      },
    );
  }

  /**
   * PIN change (processing 92): the new PIN block of field 48 `NP`, a format-0 block under the
   * zone PIN key like field 52. undefined: not a PIN change; null: missing or not a valid block
   * (a mandatory element of the message that cannot be read: `30`).
   */
  private newPinOf(request: IsoMessage, req: ParsedRequest): string | undefined | null {
    if (req.kind !== 'pin-change') return undefined;
    const block = request.tag('NP');
    return block === undefined ? null : (this.deps.pinBlocks.decode(block, req.pan) ?? null);
  }
}
