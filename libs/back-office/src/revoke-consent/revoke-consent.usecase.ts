import { err, ok } from '@lib/money';
import { StepKeys, keys, runStep } from '@lib/store';
import { BackOfficeDeps, MAX_STEP_ATTEMPTS, pauseBeforeRetry } from '../shared/back-office-deps';
import { Answer, Outcome, busy, notFound, refuse } from '../shared/errors';
import { IdempotencyRequest } from '../shared/idempotency';
import { answerOnlyPlan, idempotencyExpect, idempotencyStore, judgeRequest } from '../shared/idempotent-step';
import { findCardAccount, readCardState } from '../shared/card-state';
import { isoOf } from '../shared/time';
import { BODY, Parsed, objectWithFields } from '../shared/validation';

export interface RevokedConsent {
  readonly cardId: string;
  readonly merchantId: string;
  readonly revokedAt: string;
}

/** Field 42 is `ans15`; the engine compares it trimmed (libs/engine parse-request.ts). */
const MERCHANT_ID = /^[\x20-\x7e]{1,15}$/;

export function parseMerchantId(raw: string, body: unknown): Parsed<string> {
  const root = objectWithFields(body, BODY, [], true);
  if (!root.ok) return root;
  const merchantId = raw.trim();
  if (!MERCHANT_ID.test(raw) || merchantId.length === 0)
    return err({
      field: 'merchantId',
      reason: 'must be a merchant id (field 42): 1 to 15 printable ASCII characters',
    });
  return ok(merchantId);
}

/**
 * `POST /v1/cards/{id}/recurring-consents/{merchantId}/revoke` (seed 004: recurring payments can
 * be cancelled by the holder): the merchant goes into the card's revoked-consents hash, which the
 * engine reads to decline later merchant-initiated recurring charges with `57`. The card's version
 * is bumped in the same step so an authorisation computed before the revocation is recomputed.
 * Revoking twice keeps the first instant.
 */
export class RevokeConsentUseCase {
  constructor(private readonly deps: BackOfficeDeps) {}

  async execute(
    cardId: string,
    merchant: Parsed<string>,
    idempotency: IdempotencyRequest | undefined,
  ): Promise<Answer<RevokedConsent>> {
    if (!merchant.ok) return { outcome: refuse({ code: 'validation', ...merchant.error }), replayed: false };
    const merchantId = merchant.value;
    const { redis, clock } = this.deps;
    const accountId = await findCardAccount(redis, cardId);
    if (accountId === undefined) return { outcome: notFound('card'), replayed: false };
    for (let attempt = 0; attempt < MAX_STEP_ATTEMPTS; attempt += 1) {
      await pauseBeforeRetry(attempt);
      const nowMs = clock.nowMs();
      const state = await readCardState(redis, accountId, cardId, idempotency?.key, merchantId);
      if (!state) return { outcome: notFound('card'), replayed: false };
      const judged = judgeRequest<RevokedConsent>(idempotency, state.storedAnswer, nowMs);
      if (judged.kind === 'answer') return judged.answer;
      const stepKeys = new StepKeys(accountId);
      if (state.revokedAt !== null) {
        const outcome: Outcome<RevokedConsent> = ok({ cardId, merchantId, revokedAt: state.revokedAt });
        if (judged.slot === undefined) return { outcome, replayed: false };
        const stored = await runStep(
          redis,
          stepKeys,
          answerOnlyPlan(stepKeys, judged.slot, nowMs, outcome),
          nowMs,
        );
        if (stored.status === 'stale') continue;
        return { outcome, replayed: false };
      }
      const revokedAt = isoOf(nowMs);
      const outcome: Outcome<RevokedConsent> = ok({ cardId, merchantId, revokedAt });
      const cardRef = stepKeys.ref(keys.card(accountId, cardId));
      const revokedRef = stepKeys.ref(keys.revokedConsents(accountId, cardId));
      const result = await runStep(
        redis,
        stepKeys,
        {
          expect: [
            ...idempotencyExpect(stepKeys, judged.slot),
            { key: cardRef, field: 'version', value: state.cardHash.version ?? '' },
            { key: revokedRef, field: merchantId, value: '' },
          ],
          always: [
            { type: 'hset', key: revokedRef, values: { [merchantId]: revokedAt } },
            { type: 'hset', key: cardRef, values: { version: state.card.version + 1 } },
            ...idempotencyStore(stepKeys, judged.slot, nowMs, outcome),
          ],
          publish: false,
        },
        nowMs,
      );
      if (result.status === 'stale') continue;
      if (result.status !== 'done')
        throw new Error(`card ${cardId}: unexpected step result ${JSON.stringify(result)}`);
      return { outcome, replayed: false };
    }
    return { outcome: busy(), replayed: false };
  }
}
