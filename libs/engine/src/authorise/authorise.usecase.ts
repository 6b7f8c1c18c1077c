import { randomUUID } from 'crypto';
import { IsoMessage } from '@lib/iso8583';
import { DeclineReason } from '@lib/programs';
import type { EngineDeps } from '../engine-deps';
import { walletFieldsOf } from '../shared/approval-effects';
import { CardDirectory } from '../shared/card-directory';
import { decideForCard } from '../shared/decide-for-card';
import { originalKeyOfMessage, retryKeyOf } from '../shared/message-identity';
import { authCode, decline, newHoldId, withLatencyGuard } from '../shared/step-guard';
import { readSnapshot } from './account-snapshot';
import { setBalances } from './build-response';
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
    if (!parsed.ok) return parsed.pan === undefined ? decline(request, parsed.reason) : this.declineContent(request, parsed.pan, parsed.reason);
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
   * `12` / `13`, refused from the message's content alone: decided before any state is read, so
   * they keep their place in the order of checks (ahead of `94` and `14`, DeclineReason), yet the
   * answer carries field 54 when the card is known (network-interface.md). One read of the account
   * and nothing written: such a decline changes no state, so it has no event (docs/events.md, "no
   * event without its change") and registers no TI; the balances are those of the account
   * currency's wallet, as for any decline decided before pricing. An unknown card: no 54, no `14`.
   */
  private async declineContent(request: IsoMessage, pan: string, reason: DeclineReason): Promise<IsoMessage> {
    const response = decline(request, reason);
    const location = await this.cards.locate(pan);
    if (location === undefined) return response;
    const snapshot = await readSnapshot(this.deps.redis, {
      ...location,
      transactionId: undefined,
      messageKey: retryKeyOf(request),
      merchantId: undefined,
      counterKeys: [],
    });
    const program = snapshot ? this.deps.catalogue.programs.get(snapshot.account.program) : undefined;
    if (!snapshot || !program) return response;
    const wallet = walletFieldsOf(program.accountCurrency);
    return setBalances(response, program.accountCurrency, snapshot.balances.get(wallet.ledger) ?? 0n, snapshot.balances.get(wallet.available) ?? 0n);
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
