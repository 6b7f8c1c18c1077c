/**
 * Time is passed in (STYLE.md, TigerBeetle): every component that needs "now" receives a Clock.
 * Instants are epoch milliseconds (UTC).
 */
export interface Clock {
  nowMs(): number;
}

export const CLOCK = Symbol('CLOCK');

/** The wall clock: the only place outside tests that reads it. */
export class SystemClock implements Clock {
  nowMs(): number {
    return Date.now();
  }
}

/** A clock the caller moves by hand: tests and pure simulations. */
export class ManualClock implements Clock {
  constructor(private currentMs: number) {}

  nowMs(): number {
    return this.currentMs;
  }

  set(instantMs: number): void {
    this.currentMs = instantMs;
  }

  advance(durationMs: number): void {
    this.currentMs += durationMs;
  }
}
