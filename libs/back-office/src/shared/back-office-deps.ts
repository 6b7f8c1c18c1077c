import { randomBytes, randomInt, randomUUID } from 'crypto';
import type Redis from 'ioredis';
import type { Clock } from '@lib/clock';
import type { ProgramCatalogue } from '@lib/programs';
import type { CardSecrets } from '@lib/store';

/** Randomness, passed in so tests can force a PAN collision or fix an id. */
export interface RandomSource {
  /** A new id `<prefix>_<24 hex>` (fits the key builders' id pattern). */
  id(prefix: string): string;
  /** `count` decimal digits, uniformly drawn. */
  digits(count: number): string;
  uuid(): string;
}

export const cryptoRandom: RandomSource = {
  id: (prefix) => `${prefix}_${randomBytes(12).toString('hex')}`,
  digits: (count) => Array.from({ length: count }, () => String(randomInt(0, 10))).join(''),
  uuid: () => randomUUID(),
};

/** What the back-office use cases need from the outside (no framework in libs/back-office). */
export interface BackOfficeDeps {
  readonly redis: Redis;
  readonly catalogue: ProgramCatalogue;
  readonly secrets: CardSecrets;
  readonly clock: Clock;
  readonly random: RandomSource;
}

/** Optimistic steps retried this many times before answering `busy` (another write kept winning). */
export const MAX_STEP_ATTEMPTS = 16;

/**
 * Before a retry of a stale step: a short random pause, growing with the attempt (at most 32 ms),
 * so writers racing on one account spread out instead of colliding again in lockstep.
 */
export function pauseBeforeRetry(attempt: number): Promise<void> {
  if (attempt === 0) return Promise.resolve();
  const ceilingMs = 2 ** Math.min(attempt, 5);
  return new Promise((resolve) => setTimeout(resolve, randomInt(0, ceilingMs + 1)));
}
