import { runFuzz } from '../testing/fuzz-engine';

/**
 * 100,000 random and mutated frames through unpack (network-interface.md: "No malformed input may
 * crash the process"). The seed is fixed so a failure reproduces; scripts/fuzz-codec.ts runs the
 * same engine for millions of inputs with other seeds.
 */
describe('codec fuzz', () => {
  it('100,000 inputs: only IsoFormatError, accepted inputs repack exactly, bounded time', () => {
    const started = Date.now();
    const report = runFuzz(100_000, 0x8583);
    const elapsedMs = Date.now() - started;
    expect(report.bugs.map((bug) => `${bug.reason} [${bug.input.toString('hex')}]`)).toEqual([]);
    expect(report.accepted + report.refused).toBe(100_000);
    // Both outcomes must be exercised, or the mutations are too weak (or too strong) to mean anything.
    expect(report.accepted).toBeGreaterThan(1_000);
    expect(report.refused).toBeGreaterThan(50_000);
    expect(report.reasons.size).toBeGreaterThan(25);
    // Generous: under a parallel suite on 2 cores a GC pause can land on one input; a hang cannot hide in it.
    expect(report.slowestInputMs).toBeLessThan(1000);
    expect(elapsedMs).toBeLessThan(30_000);
  });
});
