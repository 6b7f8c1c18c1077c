/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32), so that a scenario,
 * a seed and a start instant always give the same plan. Not for cryptography: card numbers and
 * keys come from the issuer, never from here.
 *
 * Streams are derived by label (`Prng.derive(seed, 'cardholder', 17)`): the plan of cardholder 17
 * does not change when the population grows or another persona's behaviour changes.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let state = seed >>> 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    // The first outputs of sfc32 are poorly mixed: discard a few.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A generator for one labelled stream of a seed. */
  static derive(seed: number, ...labels: readonly (string | number)[]): Prng {
    return new Prng(hashLabels(seed, labels));
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4_294_967_296;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) throw new Error(`bad integer range [${min}, ${max}]`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform bigint in [min, max] (amounts in minor units; the span must stay below 2^32). */
  bigintBetween(min: bigint, max: bigint): bigint {
    if (max < min) throw new Error(`bad amount range [${min}, ${max}]`);
    const span = max - min + 1n;
    if (span > 4_294_967_296n) throw new Error(`amount range too wide: ${span}`);
    return min + (BigInt(this.nextUint32()) * span) / 4_294_967_296n;
  }

  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** One key of a weight table, in proportion to its weight (keys in insertion order). */
  weighted<K extends string>(weights: Readonly<Partial<Record<K, number>>>): K {
    const entries = (Object.entries(weights) as [K, number | undefined][]).map(([key, weight]): [K, number] => [key, weight ?? 0]);
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    if (!(total > 0)) throw new Error('weights must add up to more than 0');
    let target = this.next() * total;
    for (const [key, weight] of entries) {
      target -= weight;
      if (target < 0) return key;
    }
    return entries[entries.length - 1][0];
  }

  /**
   * How many times something with `ratePerDay` happens in one day: the whole part always, plus
   * one more with the probability of the fractional part (a stable, low-variance draw).
   */
  occurrences(rate: number): number {
    const whole = Math.floor(rate);
    return whole + (this.chance(rate - whole) ? 1 : 0);
  }

  /** n decimal digits. */
  digits(n: number): string {
    let text = '';
    for (let i = 0; i < n; i++) text += String(this.nextUint32() % 10);
    return text;
  }
}

/** FNV-1a over the seed and the labels: a 32-bit seed per stream. */
export function hashLabels(seed: number, labels: readonly (string | number)[]): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  const text = labels.map(String).join('\u0000');
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
