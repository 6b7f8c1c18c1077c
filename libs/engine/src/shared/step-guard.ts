import { randomFillSync } from 'crypto';
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

/**
 * Random bytes for identifiers, drawn from the CSPRNG in bulk: one call per id costs more than
 * the id (a profile of the gateway showed it). Each byte of the pool is handed out once; the pool
 * is refilled when spent (Node's randomUUID pools its entropy the same way).
 */
const RANDOM_POOL_BYTES = 4096;
const randomPool = Buffer.alloc(RANDOM_POOL_BYTES);
let randomPoolOffset = RANDOM_POOL_BYTES;

/** The offset of `count` unused random bytes in the pool (count <= RANDOM_POOL_BYTES). */
function takeRandomBytes(count: number): number {
  if (randomPoolOffset + count > RANDOM_POOL_BYTES) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const offset = randomPoolOffset;
  randomPoolOffset += count;
  return offset;
}

const AUTH_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
const AUTH_CODE_LENGTH = 6;

/** Field 38: six characters, each a random byte modulo the alphabet. */
export function authCode(): string {
  const offset = takeRandomBytes(AUTH_CODE_LENGTH);
  let code = '';
  for (let i = 0; i < AUTH_CODE_LENGTH; i++) code += AUTH_CODE_ALPHABET[randomPool[offset + i] % AUTH_CODE_ALPHABET.length];
  return code;
}

const HOLD_ID_RANDOM_BYTES = 8;

/** `h` and 16 lowercase hex digits (64 random bits). */
export function newHoldId(): string {
  const offset = takeRandomBytes(HOLD_ID_RANDOM_BYTES);
  return `h${randomPool.toString('hex', offset, offset + HOLD_ID_RANDOM_BYTES)}`;
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
