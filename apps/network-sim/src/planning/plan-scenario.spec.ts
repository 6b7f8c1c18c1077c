import { join } from 'path';
import { findRepoRoot } from '@lib/config';
import { dayIdOf, localDateOf, loadProgramCatalogue, monthIdOf } from '@lib/programs';
import { parseScenario } from '../scenario/parse-scenario';
import type { Scenario } from '../scenario/scenario';
import type { AuthStep, Plan, Step } from './plan';
import { personaSequence, planScenario, standInWindows } from './plan-scenario';

const catalogue = loadProgramCatalogue(join(findRepoRoot(), 'config'));
/** Monday 23 November 2026, 07:00 in Paris. */
const START = Date.parse('2026-11-23T06:00:00Z');
const PARIS = 'Europe/Paris';
const day = (ms: number) => dayIdOf(localDateOf(ms, PARIS));

function scenario(yaml: string): Scenario {
  const parsed = parseScenario(yaml, 'test.yaml');
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.scenario;
}

function persona(program: string, behaviours: string, extra = ''): string {
  return `
name: test
seed: 3
${extra}
personas:
  - name: p
    program: ${program}
    cards: [physical, virtual]
    funding: { EUR: "${program === 'eur-standard' ? '1500.00' : '3000.00'}" }
    behaviours:
${behaviours}`;
}

function plan(s: Scenario, days: number, cardholders: number, compress = false): Plan {
  return planScenario({ scenario: s, catalogue, seed: s.seed, startMs: START, days, cardholders, compress });
}

const json = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
const auths = (p: Plan) => p.steps.filter((s): s is AuthStep => s.type === 'auth');
const byCardholder = (steps: readonly Step[]) => {
  const map = new Map<number, Step[]>();
  for (const step of steps) map.set(step.cardholder, [...(map.get(step.cardholder) ?? []), step]);
  return map;
};

const EVERYDAY = persona(
  'eur-standard',
  `      - { kind: pos-purchase, perDay: 6, amount: ["2.00", "90.00"], mix: { chip-pin: 1, contactless: 1 } }
      - { kind: ecommerce, perDay: 3, amount: ["5.00", "120.00"], mix: { sca: 1, exempt: 2 } }
      - { kind: atm-withdrawal, perDay: 2, amount: ["20.00", "100.00"] }`,
);

describe('planScenario', () => {
  it('is deterministic: the same scenario, seed and start give the same plan', () => {
    const s = scenario(EVERYDAY);
    expect(json(plan(s, 5, 6))).toBe(json(plan(s, 5, 6)));
    const other = planScenario({ scenario: s, catalogue, seed: 99, startMs: START, days: 5, cardholders: 6 });
    expect(json(other.steps)).not.toBe(json(plan(s, 5, 6).steps));
  });

  it('does not move a cardholder when the population grows', () => {
    const s = scenario(EVERYDAY);
    const small = plan(s, 4, 3);
    const large = plan(s, 4, 9);
    const firstThree = (p: Plan) => p.steps.filter((step) => step.cardholder >= 0 && step.cardholder < 3);
    expect(json(firstThree(large))).toBe(json(firstThree(small)));
  });

  it('shares the population between personas by weight, exactly', () => {
    const s = scenario(`${EVERYDAY}
  - name: q
    program: eur-premium
    weight: 3
    cards: [physical]
    funding: { EUR: "100.00" }
    behaviours: [{ kind: balance-inquiry, perDay: 1 }]`);
    const sequence = personaSequence(s.personas, 40).map((p) => p.name);
    expect(sequence.filter((n) => n === 'p')).toHaveLength(10);
    expect(sequence.filter((n) => n === 'q')).toHaveLength(30);
  });

  it('keeps ordinary spending inside the program limits and the balance (so 00 is expected)', () => {
    const s = scenario(EVERYDAY);
    const p = plan(s, 35, 4);
    const eurStandard = catalogue.programs.get('eur-standard')!;
    const limit = (name: string) => eurStandard.limits.find((rule) => rule.name === name)!.limit;
    for (const [, steps] of byCardholder(auths(p))) {
      const perDay = new Map<string, { payCount: number; pay: bigint; atmCount: number; atm: bigint }>();
      const perMonth = new Map<string, { pay: bigint; atm: bigint }>();
      let spent = 0n;
      for (const step of steps as AuthStep[]) {
        expect(step.expect).toEqual(['00']);
        const d = perDay.get(day(step.atMs)) ?? { payCount: 0, pay: 0n, atmCount: 0, atm: 0n };
        const m = perMonth.get(monthIdOf(localDateOf(step.atMs, PARIS))) ?? { pay: 0n, atm: 0n };
        const amount = step.request.amountMinor;
        if (step.request.processing === '01') {
          d.atmCount += 1;
          d.atm += amount;
          m.atm += amount;
        } else {
          d.payCount += 1;
          d.pay += amount;
          m.pay += amount;
        }
        spent += amount;
        perDay.set(day(step.atMs), d);
        perMonth.set(monthIdOf(localDateOf(step.atMs, PARIS)), m);
      }
      for (const d of perDay.values()) {
        expect(d.payCount).toBeLessThanOrEqual(Number(limit('payment.perDay.count')));
        expect(d.pay).toBeLessThanOrEqual(limit('payment.perDay.amount'));
        expect(d.atmCount).toBeLessThanOrEqual(Number(limit('atm.perDay.count')));
        expect(d.atm).toBeLessThanOrEqual(limit('atm.perDay.amount'));
      }
      for (const m of perMonth.values()) {
        expect(m.pay).toBeLessThanOrEqual(limit('payment.perMonth.amount'));
        expect(m.atm).toBeLessThanOrEqual(limit('atm.perMonth.amount'));
      }
      // 1500.00 funded, 12.00 of card creation fees, ATM fees on top: spending stays below.
      expect(spent).toBeLessThan(150_000n - 1_200n);
    }
    // The limits bite: the month's payment limit stops planning, it is not an empty plan.
    expect(auths(p).length).toBeGreaterThan(40);
  });

  it('plans online payments under the SCA exemption only while the counters allow it', () => {
    const p = plan(scenario(persona('eur-premium', '      - { kind: ecommerce, perDay: 6, amount: ["1.00", "30.00"], mix: { exempt: 1 } }')), 10, 2);
    for (const [, steps] of byCardholder(auths(p))) {
      let count = 0;
      let total = 0n;
      for (const step of steps as AuthStep[]) {
        if (step.request.tags.SC === 'Y') {
          count = 0;
          total = 0n;
          continue;
        }
        count += 1;
        total += step.request.amountMinor;
        expect(step.request.amountMinor).toBeLessThanOrEqual(3_000n);
        expect(count).toBeLessThanOrEqual(5);
        expect(total).toBeLessThanOrEqual(10_000n);
      }
      expect((steps as AuthStep[]).some((s) => s.request.tags.SC === 'N')).toBe(true);
      expect((steps as AuthStep[]).some((s) => s.request.tags.SC === 'Y')).toBe(true);
    }
  });

  it('plans wrong PINs as 55, 55, 75, 75, unblock, 00 with nothing else of the cardholder in between', () => {
    const p = plan(
      scenario(persona('eur-standard', '      - { kind: wrong-pin, perDay: 1 }\n      - { kind: pos-purchase, perDay: 8, amount: ["1.00", "10.00"], mix: { chip-pin: 1 } }')),
      10,
      3,
    );
    let bursts = 0;
    for (const [, steps] of byCardholder(p.steps)) {
      for (let i = 0; i < steps.length; i++) {
        if (steps[i].behaviour !== 'wrong-pin' || steps[i].expect?.[0] !== '55' || steps[i - 1]?.behaviour === 'wrong-pin') continue;
        const burst = steps.slice(i, i + 6);
        expect(burst.map((s) => (s.type === 'auth' ? s.expect?.[0] : s.type))).toEqual(['55', '55', '75', '75', 'back-office', '00']);
        expect(burst.map((s) => (s.type === 'auth' ? s.request.pin : null))).toEqual(['wrong', 'wrong', 'wrong', 'right', null, 'right']);
        bursts += 1;
      }
    }
    expect(bursts).toBeGreaterThan(10);
  });

  it('charges BNPL instalments on the same day of the following months (MI=R), and 57 after a revocation', () => {
    const keep = plan(scenario(persona('eur-premium', '      - { kind: bnpl-plan, perMonth: 1, amount: ["300.00", "600.00"], instalments: { "3": 1 } }')), 100, 4);
    const firsts = auths(keep).filter((s) => s.behaviour === 'bnpl-plan:first-instalment');
    expect(firsts.length).toBeGreaterThan(4);
    for (const first of firsts.filter((f) => f.atMs < START + 30 * 86_400_000)) {
      // The same plan's charges: one third of the total (the first instalment takes the remainder).
      const charges = auths(keep).filter(
        (s) => s.cardholder === first.cardholder && s.behaviour === 'bnpl-plan:instalment' && s.atMs > first.atMs && first.request.amountMinor - s.request.amountMinor <= 2n && first.request.amountMinor >= s.request.amountMinor,
      );
      expect(charges).toHaveLength(2);
      const purchase = localDateOf(first.atMs, PARIS);
      charges.forEach((charge, k) => {
        const date = localDateOf(charge.atMs, PARIS);
        const lastDay = new Date(Date.UTC(date.year, date.month, 0)).getUTCDate();
        expect(date.day).toBe(Math.min(purchase.day, lastDay));
        expect(date.month).toBe(((purchase.month + k) % 12) + 1);
        expect(charge.request.tags).toEqual({ MI: 'R' });
        expect(charge.request.cvv2).toBeNull();
        expect(charge.expect).toEqual(['00']);
      });
    }
    const revoke = plan(scenario(persona('eur-premium', '      - { kind: bnpl-plan, perMonth: 1, amount: ["300.00", "600.00"], instalments: { "3": 1 }, revokeShare: 1 }')), 100, 2);
    for (const [, steps] of byCardholder(revoke.steps)) {
      const revocations = steps.filter((s) => s.type === 'back-office' && s.action.kind === 'revoke-consent');
      const declined = steps.filter((s) => s.behaviour === 'bnpl-plan:after-revocation');
      expect(revocations.length).toBeGreaterThan(0);
      for (const step of declined) {
        expect(step.expect).toEqual(['57']);
        expect(revocations.some((r) => r.atMs < step.atMs)).toBe(true);
      }
      expect(declined.length).toBeGreaterThan(0);
    }
  });

  it('plans hotel stays as pre-authorisation, increments on the same TI, and a completion below the hold', () => {
    const p = plan(scenario(persona('eur-premium', '      - { kind: hotel-stay, perWeek: 2, amount: ["100.00", "300.00"], nights: { min: 2, max: 3 }, incrementals: { min: 1, max: 2 } }')), 30, 3);
    const preAuths = auths(p).filter((s) => s.request.condition === '06');
    expect(preAuths.length).toBeGreaterThan(5);
    for (const pre of preAuths) {
      const increments = p.steps.filter((s) => s.type === 'incremental' && s.txn === pre.txn);
      const completion = p.steps.find((s) => s.type === 'completion' && s.txn === pre.txn);
      if (completion === undefined || completion.type !== 'completion') continue;
      const held = pre.request.amountMinor + increments.reduce((sum, s) => sum + (s.type === 'incremental' ? s.amountMinor : 0n), 0n);
      expect(completion.amountMinor).toBeLessThan(held);
      expect(completion.atMs).toBeGreaterThan(Math.max(pre.atMs, ...increments.map((s) => s.atMs)));
      const presented = p.clearing.filter((c) => c.kind === 'presentment' && c.txn === pre.txn);
      expect(presented).toEqual([expect.objectContaining({ amountMinor: completion.amountMinor, label: 'completion', final: true })]);
    }
  });

  it('leaves car-rental holds to expire: no completion, no clearing, an expiry 15 days later', () => {
    const p = plan(scenario(persona('eur-premium', '      - { kind: car-rental, perWeek: 2, amount: ["200.00", "400.00"], mix: { expire: 1 } }')), 20, 2);
    const rentals = auths(p);
    expect(p.holdsLeftToExpire.map((h) => h.txn).sort()).toEqual(rentals.map((r) => r.txn).sort());
    for (const rental of rentals) {
      expect(p.steps.some((s) => s.type === 'completion' && s.txn === rental.txn)).toBe(false);
      expect(p.clearing.some((c) => c.kind !== 'force-post' && c.txn === rental.txn)).toBe(false);
      expect(p.holdsLeftToExpire.find((h) => h.txn === rental.txn)!.expiresAtMs).toBe(rental.atMs + 15 * 86_400_000);
    }
  });

  it('hits limits on purpose with the code the program gives: 61 beyond the amount, 65 after the count', () => {
    const p = plan(
      scenario(
        persona(
          'eur-standard',
          `      - { kind: limit-hit, limit: atm-amount, perWeek: 2, amount: ["150.00", "180.00"], expect: "61" }
      - { kind: limit-hit, limit: atm-count, perWeek: 2, amount: ["10.00", "20.00"], expect: "65" }`,
        ),
      ),
      20,
      2,
    );
    const hits = auths(p).filter((s) => s.behaviour.startsWith('limit-hit'));
    expect(hits.filter((s) => s.expect?.[0] === '61').length).toBeGreaterThan(2);
    const counted = hits.filter((s) => s.expect?.[0] === '65');
    expect(counted.length).toBeGreaterThan(2);
    for (const last of counted) {
      const sameDay = hits.filter((s) => s.cardholder === last.cardholder && day(s.atMs) === day(last.atMs) && s.atMs < last.atMs);
      // eur-standard: 3 ATM withdrawals a day; the burst uses what is left of the day.
      expect(sameDay.filter((s) => s.expect?.[0] === '00').length).toBeGreaterThanOrEqual(1);
      expect(sameDay.filter((s) => s.expect?.[0] === '00').length).toBeLessThanOrEqual(3);
    }
  });

  it('writes clearing with splits that add up, tips above the authorisation, presentments after it', () => {
    const s = scenario(
      persona(
        'eur-premium',
        `      - { kind: pos-purchase, perDay: 4, amount: ["10.00", "80.00"], merchants: [restaurant] }
      - { kind: ecommerce, perDay: 3, amount: ["20.00", "90.00"], mix: { sca: 1 } }`,
        'clearing: { splitShare: 0.5, tipShare: 0.5, lateShare: 0.1 }',
      ),
    );
    const p = plan(s, 10, 2);
    const byTxn = new Map(auths(p).map((a) => [a.txn, a]));
    const labels = new Set(p.clearing.map((c) => ('label' in c ? c.label : c.kind)));
    expect([...labels].sort()).toEqual(['exact', 'late', 'split', 'tip']);
    for (const item of p.clearing) {
      if (item.kind !== 'presentment') continue;
      const auth = byTxn.get(item.txn)!;
      expect(item.processingDay > day(auth.atMs)).toBe(true);
      if (item.label === 'tip') expect(item.amountMinor).toBeGreaterThan(auth.request.amountMinor);
      if (item.label === 'split') {
        const parts = p.clearing.filter((c) => c.kind === 'presentment' && c.txn === item.txn);
        expect(parts.map((c) => c.kind === 'presentment' && c.final)).toEqual([false, true]);
        expect(parts.reduce((sum, c) => sum + c.amountMinor, 0n)).toBe(auth.request.amountMinor);
      }
    }
  });

  it('applies network behaviour: a 0420 after each timeout, stand-in advices inside the windows, retries', () => {
    const s = scenario(
      persona(
        'eur-premium',
        '      - { kind: pos-purchase, perDay: 8, amount: ["1.00", "40.00"], mix: { contactless: 1 } }',
        'network: { retryShare: 0.2, timeoutShare: 0.1, standIn: { perDay: 3, minutes: 60 } }',
      ),
    );
    const p = plan(s, 10, 4);
    const all = auths(p);
    const timeouts = all.filter((a) => a.timeout);
    expect(timeouts.length).toBeGreaterThan(5);
    for (const t of timeouts) {
      const reversal = p.steps.find((step) => step.type === 'reversal' && step.txn === t.txn);
      expect(reversal).toMatchObject({ mti: '0420', atMs: t.atMs + 20_000, remainingMinor: 0n, expect: ['00'] });
      expect(p.clearing.some((c) => c.kind === 'presentment' && c.txn === t.txn)).toBe(false);
    }
    const windows = standInWindows(s, s.seed, START, 10, PARIS);
    const standIns = all.filter((a) => a.standIn);
    expect(standIns.length).toBeGreaterThan(5);
    for (const a of standIns) expect(windows.some((w) => a.atMs >= w.startMs && a.atMs < w.endMs)).toBe(true);
    for (const a of all.filter((x) => !x.standIn)) expect(windows.some((w) => a.atMs >= w.startMs && a.atMs < w.endMs)).toBe(false);
    expect(all.filter((a) => a.retry).length / all.length).toBeGreaterThan(0.1);
  });

  it('repays a wallet that tips took below zero with a load in its currency (05 otherwise), and plans no 05', () => {
    const s = scenario(`
name: test
seed: 5
clearing: { tipShare: 1 }
personas:
  - name: traveller
    program: travel-multicurrency
    cards: [physical]
    funding: { EUR: "400.00", GBP: "40.00" }
    behaviours:
      - { kind: travel-purchase, perDay: 3, amount: ["4.00", "20.00"], destinations: [GB], mix: { chip-pin: 1 } }`);
    const p = plan(s, 30, 4);
    const repays = p.steps.filter((step) => step.type === 'back-office' && step.behaviour === 'repay');
    expect(repays.length).toBeGreaterThan(0);
    for (const repay of repays) {
      if (repay.type !== 'back-office' || repay.action.kind !== 'load') throw new Error('a repay is a load');
      // travel-multicurrency takes at least 10.00 GBP per load.
      expect(repay.action.amount).toEqual({ currency: 'GBP', minor: expect.any(BigInt) });
      expect(repay.action.amount.minor).toBeGreaterThanOrEqual(1_000n);
    }
    for (const step of auths(p)) expect(step.expect).toEqual(['00']);
    // Purchases go on after the repayments.
    expect(auths(p).filter((a) => repays.some((r) => r.cardholder === a.cardholder && r.atMs < a.atMs)).length).toBeGreaterThan(10);
  });

  it('on the real clock keeps each cardholder in order and interleaves them all', () => {
    const s = scenario(persona('eur-premium', '      - { kind: hotel-stay, perDay: 1, amount: ["100.00", "200.00"], nights: { min: 2, max: 2 } }\n      - { kind: pos-purchase, perDay: 6, amount: ["1.00", "9.00"] }'));
    const p = plan(s, 1, 10, true);
    // Completions two days later are kept (compressed into the run); the period is one day.
    expect(p.steps.some((step) => step.type === 'completion' && step.atMs > p.endMs)).toBe(true);
    for (const [, steps] of byCardholder(p.steps)) {
      for (let i = 1; i < steps.length; i++) expect(steps[i].atMs).toBeGreaterThanOrEqual(steps[i - 1].atMs);
    }
    const firstTen = new Set(p.steps.slice(0, 10).map((step) => step.cardholder));
    expect(firstTen.size).toBe(10);
  });
});
