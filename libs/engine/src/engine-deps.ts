import type Redis from 'ioredis';
import type { Clock } from '@lib/clock';
import type { ProgramCatalogue } from '@lib/programs';
import type { CardSecrets } from '@lib/store';
import type { PinBlockCodec } from './pin-block';

/** What the engine needs from the outside, passed in (no framework in libs/engine). */
export interface EngineDeps {
  readonly redis: Redis;
  readonly catalogue: ProgramCatalogue;
  readonly secrets: CardSecrets;
  readonly pinBlocks: PinBlockCodec;
  readonly clock: Clock;
  /** Latency guard: past this budget (real time) the answer is 91 and the step applies nothing. */
  readonly redisBudgetMs: number;
  /** Wall clock for the latency budget only (never for business time). */
  readonly realTimeMs?: () => number;
}

export const HOLD_MESSAGE_TTL_MS = 24 * 3600 * 1000;
