import { randomBytes, randomUUID } from 'crypto';
import type { DecisionRecord, StoredDecisionJson } from '@lib/events';
import { buildResponse, IsoMessage } from '@lib/iso8583';
import { DeclineReason, responseCodeForDecline } from '@lib/programs';
import { keys, messageKey as messageKeyOf, runAtomicStep } from '@lib/store';
import type { EngineDeps } from '../engine-deps';
import { readSnapshot } from './account-snapshot';
import { responseFromDecision } from './build-response';
import { parseAuthorisationRequest } from './parse-request';
import { feeUsageCounterKey, planAuthorisation } from './plan-authorisation';

const MAX_ATTEMPTS = 5;
const AUTH_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

export class IssuerUnavailableError extends Error {
  constructor(reason: string) {
    super(`issuer store unavailable: ${reason}`);
  }
}

/**
 * Authorisation requests 0100 / 0200: one decision, one atomic step, one event, one answer.
 * The answer is 91 when the store does not answer within the latency budget (the step carries
 * the same deadline, so nothing is applied after a 91 was sent).
 */
export class AuthoriseUseCase {
  constructor(private readonly deps: EngineDeps) {}

  async execute(request: IsoMessage): Promise<IsoMessage> {
    const startedMs = this.realNow();
    const deadlineMs = startedMs + this.deps.redisBudgetMs;
    try {
      return await withDeadline(this.decide(request, deadlineMs), deadlineMs - startedMs);
    } catch (error) {
      if (error instanceof IssuerUnavailableError) return decline(request, DeclineReason.IssuerUnavailable);
      throw error;
    }
  }

  private async decide(request: IsoMessage, deadlineMs: number): Promise<IsoMessage> {
    const parsed = parseAuthorisationRequest(request);
    if (!parsed.ok) return decline(request, parsed.reason);
    const req = parsed.request;
    const directory = await this.deps.redis.get(keys.panDirectory(this.deps.secrets.panHash(req.pan)));
    if (directory === null) return decline(request, DeclineReason.UnknownCard);
    const [accountId, cardId] = directory.split(':');
    const messageKey = messageKeyOf(request.mti, request.get(32) ?? '', request.get(11) ?? '', request.get(7) ?? '');
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const nowMs = this.deps.clock.nowMs();
      const accountProgram = await this.deps.redis.hget(keys.account(accountId), 'program');
      const program = accountProgram ? this.deps.catalogue.programs.get(accountProgram) : undefined;
      if (!program) return decline(request, DeclineReason.UnknownCard);
      const snapshot = await readSnapshot(this.deps.redis, {
        accountId,
        cardId,
        transactionId: req.transactionId,
        messageKey,
        merchantId: req.merchantId,
        counterKeys: [feeUsageCounterKey(program, nowMs)],
      });
      if (!snapshot) return decline(request, DeclineReason.UnknownCard);
      if (snapshot.storedDecision) return responseFromDecision(request, JSON.parse(snapshot.storedDecision) as StoredDecisionJson);
      const pin = req.pinBlock ? this.deps.pinBlocks.decode(req.pinBlock, req.pan) : undefined;
      const { stepKeys, plan, record } = planAuthorisation({
        catalogue: this.deps.catalogue,
        program,
        request: req,
        snapshot,
        mti: request.mti,
        processingCode: request.get(3) ?? '',
        messageKey,
        nowMs,
        eventId: randomUUID(),
        authCode: authCode(),
        holdId: `h${randomBytes(8).toString('hex')}`,
        pinEntered: pin,
        pinCorrect: pin !== undefined && this.deps.secrets.pinCheck(req.pan, pin) === snapshot.card.pinCheck,
        cvv2Correct: req.cvv2 === undefined ? undefined : this.deps.secrets.cvv2Check(req.pan, snapshot.card.expiry, req.cvv2) === snapshot.card.cvv2Check,
      });
      const result = await runAtomicStep<DecisionRecord>(this.deps.redis, stepKeys, plan, nowMs, JSON.stringify(record), deadlineMs);
      if (result.status === 'late') throw new IssuerUnavailableError(`step arrived ${result.lateByMs} ms late`);
      if (result.status === 'stale') continue;
      // The relay's work list; a gateway dying before this line is covered by the relay's scan.
      void this.deps.redis.sadd(keys.outboxPending(), accountId).catch(() => undefined);
      if (result.status === 'duplicate') return responseFromDecision(request, result.stored as StoredDecisionJson);
      return responseFromDecision(request, { record, outcome: result.outcome });
    }
    return decline(request, DeclineReason.SystemMalfunction);
  }

  private realNow(): number {
    return this.deps.realTimeMs ? this.deps.realTimeMs() : performance.timeOrigin + performance.now();
  }
}

/** A decline decided before any state was read (format, unknown card...): no state, no event. */
export function decline(request: IsoMessage, reason: DeclineReason): IsoMessage {
  return buildResponse(request, responseCodeForDecline(reason))!;
}

function authCode(): string {
  const bytes = randomBytes(6);
  return Array.from(bytes, (b) => AUTH_CODE_ALPHABET[b % AUTH_CODE_ALPHABET.length]).join('');
}

function withDeadline<T>(work: Promise<T>, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IssuerUnavailableError(`no answer within ${budgetMs} ms`)), Math.max(0, budgetMs));
  });
  // A late step is refused by the script itself; the work's own rejection after the deadline is moot.
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
