import { hashLabels, Prng } from './prng';

describe('Prng', () => {
  it('gives the same sequence for the same seed, another for another seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const seqA = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(seqA);
  });

  it('derives independent streams by label', () => {
    expect(hashLabels(1, ['cardholder', 3])).toBe(hashLabels(1, ['cardholder', 3]));
    expect(hashLabels(1, ['cardholder', 3])).not.toBe(hashLabels(1, ['cardholder', 4]));
    expect(hashLabels(1, ['a', 'bc'])).not.toBe(hashLabels(1, ['ab', 'c']));
    expect(Prng.derive(7, 'x').next()).toBe(Prng.derive(7, 'x').next());
  });

  it('keeps integers and amounts inside their inclusive ranges and reaches both ends', () => {
    const prng = new Prng(5);
    const ints = new Set<number>();
    const amounts = new Set<bigint>();
    for (let i = 0; i < 2000; i++) {
      const n = prng.int(3, 7);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(7);
      ints.add(n);
      const a = prng.bigintBetween(250n, 253n);
      expect(a >= 250n && a <= 253n).toBe(true);
      amounts.add(a);
    }
    expect([...ints].sort()).toEqual([3, 4, 5, 6, 7]);
    expect([...amounts].sort()).toEqual([250n, 251n, 252n, 253n]);
    expect(() => prng.int(5, 4)).toThrow(/range/);
    expect(() => prng.bigintBetween(0n, 10n ** 12n)).toThrow(/too wide/);
  });

  it('draws weighted keys in proportion and never a zero-weight key', () => {
    const prng = new Prng(9);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) counts[prng.weighted({ a: 1, b: 3, c: 0 })] += 1;
    expect(counts.c).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(2.6);
    expect(counts.b / counts.a).toBeLessThan(3.4);
    expect(() => prng.weighted({ a: 0 })).toThrow(/weights/);
  });

  it('occurrences average the rate (whole part always, fraction by chance)', () => {
    const prng = new Prng(11);
    let total = 0;
    for (let i = 0; i < 10_000; i++) {
      const n = prng.occurrences(2.25);
      expect(n === 2 || n === 3).toBe(true);
      total += n;
    }
    expect(total / 10_000).toBeCloseTo(2.25, 1);
    expect(prng.occurrences(0)).toBe(0);
  });
});
