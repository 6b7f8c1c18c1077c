import type { AuthStep, Step } from './planning/plan';
import type { SimulationResult } from './runtime/simulation';
import { GatewayUnderTest, simulate, startGateway } from './testing/sim-harness';

/**
 * Each scenario family against the real gateway (booted in-process, real Redis, Kafka,
 * PostgreSQL), on the real clock over the ISO 8583 TCP link: every answer the scenario planned for
 * is the one the gateway gives, and each family's characteristic decisions show up.
 */
jest.setTimeout(120_000);

let gateway: GatewayUnderTest;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway?.close());

const scenario = (personas: string, extra = '') => `
name: test-scenario
seed: 11
${extra}
personas:
${personas}`;

function codesOf(result: SimulationResult, filter: (step: Step) => boolean): string[] {
  return result.plan.steps.filter(filter).map((step) => result.runner.outcomes.get(step.seq) ?? 'not sent');
}

function expectAllMet(result: SimulationResult, atLeast: number): void {
  const { expectations } = result.summary;
  expect(expectations.examples).toEqual([]);
  expect(expectations.mismatches).toBe(0);
  expect(expectations.checked).toBeGreaterThanOrEqual(atLeast);
  expect(result.summary.stepsNotSent).toBe(0);
  expect(result.summary.cardholders.provisioned).toBe(result.summary.cardholders.planned);
}

function expectClearingAccepted(result: SimulationResult): void {
  expect(result.summary.clearing.files.length).toBeGreaterThan(0);
  for (const file of result.summary.clearing.files) expect(file.outcome).toBe(`accepted ${file.records}, rejected 0`);
}

it('everyday shopping at home: chip and PIN, contactless (device wallet), online with and without SCA, ATM, balance: all 00', async () => {
  const result = await simulate(
    gateway,
    scenario(`
  - name: shopper
    program: eur-standard
    cards: [physical, virtual]
    funding: { EUR: "1400.00" }
    behaviours:
      - { kind: pos-purchase, perDay: 6, amount: ["2.00", "60.00"], mix: { chip-pin: 1, contactless: 1 } }
      - { kind: ecommerce, perDay: 4, amount: ["3.00", "60.00"], mix: { sca: 1, exempt: 2 } }
      - { kind: atm-withdrawal, perDay: 1, amount: ["20.00", "60.00"], mix: { dual: 1, single: 1 } }
      - { kind: balance-inquiry, perDay: 1, mix: { dual: 1, single: 1 } }`,
    'clearing: { splitShare: 0.3, tipShare: 0.5 }'),
    { cardholders: 6 },
  );
  expectAllMet(result, 40);
  const auths = result.plan.steps.filter((s): s is AuthStep => s.type === 'auth');
  expect(auths.some((a) => a.request.tags.DV === 'Y')).toBe(true);
  expect(auths.some((a) => a.request.tags.SC === 'N')).toBe(true);
  expect(Object.keys(result.summary.codes)).toEqual(['00']);
  expect(result.summary.sentByMti['0200']).toBeGreaterThan(0);
  // eur-standard: 1.50 per ATM withdrawal in EUR, 0.50 per balance inquiry.
  expect(BigInt(result.summary.feesMinor.EUR ?? '0')).toBeGreaterThan(0n);
  expectClearingAccepted(result);
});

it('travel abroad: FX from EUR, a held wallet without FX, limits hit on purpose (61, 65)', async () => {
  const result = await simulate(
    gateway,
    scenario(`
  - name: traveller
    program: travel-multicurrency
    cards: [physical]
    funding: { EUR: "800.00", GBP: "150.00" }
    behaviours:
      - { kind: travel-purchase, perDay: 5, amount: ["3.00", "15.00"], destinations: [GB, CH, JP, MA] }
      - { kind: limit-hit, limit: atm-amount, perDay: 1, amount: ["300.00", "320.00"], destination: US, expect: "61" }
      - { kind: limit-hit, limit: atm-count, perDay: 1, amount: ["20.00", "25.00"], destination: GB, expect: "65" }
  - name: premium-abroad
    program: eur-premium
    cards: [physical, virtual]
    funding: { EUR: "2000.00" }
    behaviours:
      - { kind: travel-purchase, perDay: 4, amount: ["10.00", "80.00"], destinations: [US, JP] }
      - { kind: travel-atm, perDay: 1, amount: ["50.00", "100.00"], destinations: [US] }`),
    { cardholders: 6 },
  );
  expectAllMet(result, 30);
  expect(result.summary.codes['61']).toBeDefined();
  expect(result.summary.codes['65']).toBeDefined();
  const pairs = Object.keys(result.summary.fx);
  expect(pairs).toEqual(expect.arrayContaining(['USD->EUR', 'JPY->EUR']));
  expect(BigInt(result.summary.feesMinor.EUR ?? '0')).toBeGreaterThan(0n);
  expectClearingAccepted(result);
});

it('hotel and car rental: pre-authorisation, increments, completion below the hold releases the rest', async () => {
  const result = await simulate(
    gateway,
    scenario(`
  - name: business
    program: eur-premium
    cards: [physical]
    funding: { EUR: "3000.00" }
    behaviours:
      - { kind: hotel-stay, perDay: 2, amount: ["100.00", "250.00"], nights: { min: 1, max: 2 }, incrementals: { min: 1, max: 2 } }
      - { kind: car-rental, perDay: 1, amount: ["150.00", "300.00"], mix: { complete: 1 } }`),
    { cardholders: 4 },
  );
  expectAllMet(result, 10);
  const completions = result.plan.steps.filter((s) => s.type === 'completion');
  expect(completions.length).toBeGreaterThan(3);
  expect(codesOf(result, (s) => s.type === 'completion')).toEqual(completions.map(() => '00'));
  expect(codesOf(result, (s) => s.type === 'incremental').every((code) => code === '00')).toBe(true);
  // After a completion the account keeps no hold for that TI.
  for (const completion of completions.slice(0, 3)) {
    const ti = result.runner.transactionIdOf((completion as Extract<Step, { type: 'completion' }>).txn);
    const holds = await gateway.backOffice.holds(result.provisioned.get(completion.cardholder)!.accountId);
    expect(holds.map((h) => h.transactionId)).not.toContain(ti);
  }
  expectClearingAccepted(result);
});

it('buy-now-pay-later: 1 EUR card check reversed at once, account verification 85, void after 1 hour', async () => {
  const result = await simulate(
    gateway,
    scenario(`
  - name: bnpl
    program: eur-standard
    cards: [virtual]
    funding: { EUR: "800.00" }
    behaviours:
      - { kind: bnpl-card-check, perDay: 3, mix: { charge-and-reverse: 1, verification: 1 } }
      - { kind: bnpl-void, perDay: 2, amount: ["20.00", "90.00"] }
      - { kind: bnpl-plan, perDay: 1, amount: ["90.00", "150.00"], instalments: { "3": 1 } }`),
    { cardholders: 4 },
  );
  expectAllMet(result, 15);
  expect(codesOf(result, (s) => s.behaviour === 'bnpl-card-check:verification').every((c) => c === '85')).toBe(true);
  const reversals = codesOf(result, (s) => s.type === 'reversal');
  expect(reversals.length).toBeGreaterThan(4);
  expect(reversals.every((c) => c === '00')).toBe(true);
  expect(result.summary.sentByMti['0400']).toBe(reversals.length);
  // A voided purchase leaves no hold.
  const voided = result.plan.steps.find((s) => s.behaviour === 'bnpl-void:void') as Extract<Step, { type: 'reversal' }>;
  const holds = await gateway.backOffice.holds(result.provisioned.get(voided.cardholder)!.accountId);
  expect(holds.map((h) => h.transactionId)).not.toContain(result.runner.transactionIdOf(voided.txn));
});

it('network behaviour: identical answers to retries, 0420 after timeouts, stand-in advices applied, echoes', async () => {
  const result = await simulate(
    gateway,
    scenario(
      `
  - name: shopper
    program: eur-premium
    cards: [physical, virtual]
    funding: { EUR: "2500.00" }
    behaviours:
      - { kind: pos-purchase, perDay: 10, amount: ["2.00", "40.00"], mix: { contactless: 1 } }`,
      'network: { retryShare: 0.2, timeoutShare: 0.15, echoPerDay: 20, standIn: { perDay: 6, minutes: 90 } }',
    ),
    { cardholders: 5 },
  );
  expectAllMet(result, 40);
  const { retries, timeouts, standInAdvices, sentByMti, codes } = result.summary;
  expect(retries.sent).toBeGreaterThan(0);
  expect(retries.identical).toBe(retries.sent);
  expect(timeouts.injected).toBeGreaterThan(0);
  expect(sentByMti['0420']).toBe(timeouts.injected);
  expect(codes['00']['0420']).toBe(timeouts.injected);
  expect(standInAdvices).toBeGreaterThan(0);
  // Every advice is answered 00 (a retried advice counts twice).
  expect(sentByMti['0120']).toBeGreaterThanOrEqual(standInAdvices);
  expect(codes['00']['0120']).toBe(sentByMti['0120']);
  expect(codes['00']['0800']).toBe(sentByMti['0800']);
  // A purchase reversed after its timeout keeps no hold.
  const timedOut = result.plan.steps.find((s) => s.type === 'auth' && s.timeout) as AuthStep;
  const holds = await gateway.backOffice.holds(result.provisioned.get(timedOut.cardholder)!.accountId);
  expect(holds.map((h) => h.transactionId)).not.toContain(result.runner.transactionIdOf(timedOut.txn));
});

it('bad actors: 55 55 75 75 then unblock and 00; 54, 82, 14, 57, 1A then step-up, 30 on malformed, 41 on a lost card', async () => {
  const result = await simulate(
    gateway,
    scenario(`
  - name: fraudster
    program: eur-standard
    cards: [physical, virtual]
    funding: { EUR: "600.00" }
    behaviours:
      - { kind: wrong-pin, perDay: 1 }
      - { kind: expired-card, perDay: 1 }
      - { kind: wrong-cvv2, perDay: 1 }
      - { kind: unknown-card, perDay: 1 }
      - { kind: malformed, perDay: 1 }
      - { kind: restricted-merchant, perDay: 1 }
      - { kind: sca-missing, perDay: 1 }
      - { kind: lost-card, perDay: 1 }`),
    { cardholders: 4 },
  );
  expectAllMet(result, 30);
  expect(Object.keys(result.summary.codes).sort()).toEqual(['00', '14', '1A', '30', '41', '54', '55', '57', '75', '82']);
  expect(result.summary.backOffice['pin-unblock']).toMatchObject({ failed: 0 });
  expect(result.summary.backOffice.block).toMatchObject({ failed: 0 });
  expect(result.summary.linkErrors).toEqual({});
});

it('drives the same traffic over the HTTP route (POST /v1/network/messages)', async () => {
  const result = await simulate(
    gateway,
    scenario(`
  - name: shopper
    program: eur-premium
    cards: [physical, virtual]
    funding: { EUR: "2000.00" }
    behaviours:
      - { kind: pos-purchase, perDay: 5, amount: ["2.00", "50.00"] }
      - { kind: malformed, perDay: 1 }
      - { kind: wrong-pin, perDay: 1 }`),
    { cardholders: 3, driver: 'http' },
  );
  expectAllMet(result, 15);
  expect(result.summary.driver).toBe('http');
  expect(result.summary.codes['30']).toEqual({ '0100': 3 });
});
