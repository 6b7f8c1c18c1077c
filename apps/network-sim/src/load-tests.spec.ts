import { messageFromJson, validateRequest } from '@lib/iso8583';
import { cardIndex, cardsPerVu, USES_PER_CARD } from '../../../load-tests/lib/cards';
import { amountMinorOf, purchase } from '../../../load-tests/lib/messages';
import { profileOf, rampIterations } from '../../../load-tests/lib/profiles';
import { summaryText } from '../../../load-tests/lib/summary';

/** The pure parts of the k6 load test (load-tests/lib), which k6 imports as TypeScript. */
describe('load-tests', () => {
  const card = { pan: '4999991234567897', expiry: '2912' };
  const at = new Date('2026-11-23T09:15:30Z');

  it('sends a purchase the gateway accepts, with a message identity unique per VU and iteration', () => {
    const json = purchase(card, { runTag: '12345', vu: 7, iteration: 42, amountMinor: 250, at });
    const message = messageFromJson(json);
    expect(validateRequest(message)).toBeUndefined();
    expect(message.field48).toEqual({ TI: '123450007000042', DV: 'Y' });
    expect(message.get(7)).toBe('1123091530');
    const identities = new Set<string>();
    for (let vu = 1; vu <= 20; vu++) {
      for (let iteration = 0; iteration < 200; iteration++) {
        const m = purchase(card, { runTag: '12345', vu, iteration, amountMinor: amountMinorOf(vu, iteration), at }).fields;
        identities.add(`${m[32]}/${m[11]}/${m[7]}`);
      }
    }
    expect(identities.size).toBe(4000);
  });

  it('keeps 19 uses of a card within its daily payment count, and 19 payments below 100 EUR', () => {
    const profile = profileOf('load');
    const perVu = cardsPerVu(profile.iterations, profile.scenario.maxVUs);
    const uses = new Map<number, number>();
    let outsideItsSlice = 0;
    // Iterations handed to the VUs in turn, with one VU doing 25 % more than its share.
    const share = profile.iterations / profile.scenario.maxVUs;
    for (let vu = 1; vu <= profile.scenario.maxVUs; vu++) {
      const mine = vu === 1 ? Math.ceil(share * 1.25) : Math.floor(share);
      for (let iteration = 0; iteration < mine; iteration++) {
        const index = cardIndex(vu, iteration, perVu);
        if (index < (vu - 1) * perVu || index >= vu * perVu) outsideItsSlice += 1;
        uses.set(index, (uses.get(index) ?? 0) + 1);
      }
    }
    expect(outsideItsSlice).toBe(0);
    expect(Math.max(...uses.values())).toBe(USES_PER_CARD);
    for (let i = 0; i < 1000; i++) expect(amountMinorOf(3, i)).toBeLessThan(500);
  });

  it('defines the profiles: load is 3,000 auth/s for 60 s with p99 under 25 ms and no error', () => {
    expect(profileOf('load')).toMatchObject({
      iterations: 180_000,
      seconds: 60,
      scenario: { executor: 'constant-arrival-rate', rate: 3000, duration: '60s', preAllocatedVUs: 64, maxVUs: 64 },
      thresholds: { p95Ms: 15, p99Ms: 25, errorRate: 0 },
    });
    expect(profileOf('load', { RATE: '1000', DURATION: '30' })).toMatchObject({ iterations: 30_000, scenario: { rate: 1000, duration: '30s' } });
    expect(profileOf('stress').iterations).toBe(rampIterations(1000, [{ target: 3000, duration: '20s' }, { target: 4000, duration: '20s' }, { target: 5000, duration: '20s' }]));
    expect(rampIterations(0, [{ target: 100, duration: '10s' }])).toBe(500);
    expect(() => profileOf('spike')).toThrow('unknown profile "spike" (smoke, load, stress, soak)');
    expect(() => profileOf('load', { RATE: 'fast' })).toThrow('RATE must be a positive number, got "fast"');
  });

  it('summarises throughput, latency, errors and thresholds', () => {
    const text = summaryText(
      {
        metrics: {
          'http_req_duration{name:auth}': { values: { med: 2.5, 'p(95)': 8, 'p(99)': 19.25, max: 40 }, thresholds: { 'p(99)<25': { ok: true } } },
          'http_reqs{name:auth}': { values: { count: 180_000 } },
          'http_req_failed{name:auth}': { values: { rate: 0, passes: 0 } },
          dropped_iterations: { values: { count: 12 } , thresholds: { 'count==0': { ok: false } } },
        },
      },
      { profile: 'load', target: '3000 auth/s for 60s', cards: 12_416, setupSeconds: 40, activeSeconds: 60 },
    );
    expect(text).toContain('180000 authorisations in 60.0 s = 3000 auth/s');
    expect(text).toContain('latency: p50 2.50 ms, p95 8.00 ms, p99 19.25 ms, max 40.00 ms');
    expect(text).toContain('dropped iterations (gateway or k6 behind): 12');
    expect(text).toContain('ok   http_req_duration{name:auth} p(99)<25');
    expect(text).toContain('FAIL dropped_iterations count==0');
  });
});
