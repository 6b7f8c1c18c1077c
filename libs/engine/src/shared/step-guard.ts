import { randomBytes } from 'crypto';
import { buildResponse, IsoMessage } from '@lib/iso8583';
import { DeclineReason, responseCodeForDecline } from '@lib/programs';
import type { EngineDeps } from '../engine-deps';

/**
 * What every message use case shares around its one atomic step: the latency guard (91), the
 * answers decided before any state is read, authorisation codes.
 */
export class IssuerUnavailableError extends Error {
  constructor(reason: string) {
    super(`issuer store unavailable: ${reason}`);
  }
}

/** A decline decided before any state was read (format, unknown card...): no state, no event. */
export function decline(request: IsoMessage, reason: DeclineReason): IsoMessage {
  return buildResponse(request, responseCodeForDecline(reason))!;
}

const AUTH_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

export function authCode(): string {
  const bytes = randomBytes(6);
  return Array.from(bytes, (b) => AUTH_CODE_ALPHABET[b % AUTH_CODE_ALPHABET.length]).join('');
}

export function newHoldId(): string {
  return `h${randomBytes(8).toString('hex')}`;
}

function realNow(deps: EngineDeps): number {
  return deps.realTimeMs ? deps.realTimeMs() : performance.timeOrigin + performance.now();
}

/**
 * Runs `work` under the latency budget: past it the answer is 91 and, since the step carries the
 * same deadline, nothing is applied after a 91 was sent.
 */
export async function withLatencyGuard(deps: EngineDeps, request: IsoMessage, work: (deadlineMs: number) => Promise<IsoMessage>): Promise<IsoMessage> {
  const startedMs = realNow(deps);
  const deadlineMs = startedMs + deps.redisBudgetMs;
  try {
    return await withDeadline(work(deadlineMs), deadlineMs - startedMs);
  } catch (error) {
    if (error instanceof IssuerUnavailableError) return decline(request, DeclineReason.IssuerUnavailable);
    throw error;
  }
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
