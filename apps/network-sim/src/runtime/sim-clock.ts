import type { BackOfficeClient } from '../issuer/back-office-client';

/**
 * The network's notion of "now": field 7 of every message and the day a clearing file is for.
 * - real: the wall clock (the gateway runs on it too);
 * - gateway: the gateway's shared simulated clock (CLOCK_SIMULATED=true), moved forward with
 *   POST /v1/clock so that days and months pass in seconds; between moves it ticks in real time;
 * - local: an accelerated clock of the simulator's own, used when the gateway has none (its
 *   days then do not roll: the summary says so).
 */
export interface SimClock {
  readonly kind: 'real' | 'gateway' | 'local';
  nowMs(): number;
  /** Makes sure the issuer's clock is at least atMs. */
  advanceTo(atMs: number): Promise<void>;
}

export class RealClock implements SimClock {
  readonly kind = 'real' as const;
  nowMs(): number {
    return Date.now();
  }
  async advanceTo(): Promise<void> {
    // The real clock cannot be moved.
  }
}

export class GatewayClock implements SimClock {
  readonly kind = 'gateway' as const;
  private setAtMs: number;
  private setRealMs = Date.now();
  /** POSTs sent (the summary reports how often the clock moved). */
  moves = 0;
  failures = 0;
  lastFailure: string | null = null;

  constructor(
    private readonly client: BackOfficeClient,
    gatewayNowMs: number,
  ) {
    this.setAtMs = gatewayNowMs;
  }

  nowMs(): number {
    return this.setAtMs + (Date.now() - this.setRealMs);
  }

  async advanceTo(atMs: number): Promise<void> {
    if (atMs <= this.nowMs()) return;
    const answer = await this.client.setClock(atMs);
    this.moves += 1;
    if (!answer.available) {
      this.failures += 1;
      this.lastFailure = `POST /v1/clock answered ${answer.status}: ${answer.reason}`;
      return;
    }
    this.setAtMs = answer.value;
    this.setRealMs = Date.now();
  }
}

export class LocalClock implements SimClock {
  readonly kind = 'local' as const;
  private offsetMs = 0;

  constructor(private readonly startMs: number) {
    this.offsetMs = startMs - Date.now();
  }

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  async advanceTo(atMs: number): Promise<void> {
    if (atMs > this.nowMs()) this.offsetMs = atMs - Date.now();
  }

  get start(): number {
    return this.startMs;
  }
}
