import type { AuthStep } from './planning/plan';
import type { SimulationResult } from './runtime/simulation';
import { GatewayUnderTest, PrivateRedis, simulate, startGateway, startPrivateRedis } from './testing/sim-harness';

/**
 * Days of activity in seconds on the gateway's shared simulated clock (CLOCK_SIMULATED=true,
 * POST /v1/clock). The gateway gets a Redis of its own: the shared clock never goes backwards, so
 * moving the shared Redis's clock by months would move every other user's.
 */
jest.setTimeout(180_000);

const DAYS = 75;
const REAL_SECONDS = 25;

let redis: PrivateRedis;
let gateway: GatewayUnderTest;
let result: SimulationResult;

beforeAll(async () => {
  redis = await startPrivateRedis();
  // The hold-expiry sweeper is on (off by default in tests): the car-rental holds must expire
  // without any message touching their accounts.
  gateway = await startGateway({ REDIS_PORT: String(redis.port), REDIS_DB: '0', CLOCK_SIMULATED: 'true', GATEWAY_HOLD_EXPIRY_SWEEPER: 'true' });
  result = await simulate(
    gateway,
    `
name: test-scenario
seed: 21
clearing: { delayDays: { min: 1, max: 2 } }
personas:
  - name: keeps-paying
    program: eur-premium
    cards: [physical, virtual]
    funding: { EUR: "3000.00" }
    behaviours:
      - { kind: bnpl-plan, perMonth: 1, amount: ["150.00", "450.00"], instalments: { "3": 1 } }
      - { kind: car-rental, perWeek: 1, amount: ["150.00", "300.00"], mix: { expire: 1 } }
      - { kind: pos-purchase, perDay: 1, amount: ["5.00", "40.00"] }
  - name: revokes
    program: eur-premium
    cards: [virtual]
    funding: { EUR: "3000.00" }
    behaviours:
      - { kind: bnpl-plan, perMonth: 1, amount: ["150.00", "450.00"], instalments: { "3": 1 }, revokeShare: 1 }
`,
    { accelerate: (DAYS * 86_400) / REAL_SECONDS, durationSeconds: REAL_SECONDS + 5, days: DAYS, cardholders: 4 },
  );
});

afterAll(async () => {
  await gateway?.close();
  await redis?.stop();
});

const auths = () => result.plan.steps.filter((s): s is AuthStep => s.type === 'auth');
const codeOf = (seq: number) => result.runner.outcomes.get(seq);

it('runs on the gateway clock and meets every planned answer', () => {
  expect(result.summary.clock).toMatch(/gateway's shared clock/);
  expect(result.summary.stepsNotSent).toBe(0);
  expect(result.summary.expectations.examples).toEqual([]);
  expect(result.summary.expectations.mismatches).toBe(0);
  // The gateway's clock followed the plan: it is now past the planned period.
  expect(Date.parse(result.summary.simulatedTo)).toBeGreaterThanOrEqual(result.plan.endMs);
});

it('approves the monthly instalments of a 3-instalment plan in months 2 and 3 (MI=R on the stored card)', () => {
  const keepers = new Set(result.plan.cardholders.filter((c) => c.persona === 'keeps-paying').map((c) => c.index));
  const firsts = auths().filter((s) => keepers.has(s.cardholder) && s.behaviour === 'bnpl-plan:first-instalment' && s.atMs < result.plan.endMs - 62 * 86_400_000);
  expect(firsts.length).toBeGreaterThan(0);
  for (const first of firsts) {
    expect(codeOf(first.seq)).toBe('00');
    const charges = auths().filter(
      (s) => s.cardholder === first.cardholder && s.behaviour === 'bnpl-plan:instalment' && s.atMs > first.atMs && first.request.amountMinor - s.request.amountMinor <= 2n && s.request.amountMinor <= first.request.amountMinor,
    );
    expect(charges).toHaveLength(2);
    for (const charge of charges) {
      expect(charge.request.tags).toEqual({ MI: 'R' });
      expect(codeOf(charge.seq)).toBe('00');
    }
  }
});

it('declines the later instalments 57 once the holder revoked the consent (back office)', () => {
  const revokers = new Set(result.plan.cardholders.filter((c) => c.persona === 'revokes').map((c) => c.index));
  const revocations = result.plan.steps.filter((s) => revokers.has(s.cardholder) && s.type === 'back-office' && s.action.kind === 'revoke-consent');
  const declined = auths().filter((s) => revokers.has(s.cardholder) && s.behaviour === 'bnpl-plan:after-revocation');
  expect(revocations.length).toBeGreaterThan(0);
  expect(declined.length).toBeGreaterThan(0);
  for (const revocation of revocations) expect(codeOf(revocation.seq)).toBe('ok');
  for (const charge of declined) expect(codeOf(charge.seq)).toBe('57');
});

it('leaves car-rental holds open and sees them expire 15 simulated days later', () => {
  const { holds } = result.summary;
  expect(holds.leftToExpire).toBeGreaterThan(0);
  expect(holds.expired).toBeGreaterThan(0);
  expect(holds.stillOpen).toBe(0);
});

it('writes and posts one clearing file per simulated day, each fully accepted', () => {
  const files = result.summary.clearing.files;
  expect(files.length).toBeGreaterThan(20);
  expect(new Set(files.map((f) => f.processingDate)).size).toBe(files.length);
  for (const file of files) expect(file.outcome).toBe(`accepted ${file.records}, rejected 0`);
  expect(result.summary.clearing.recordsByLabel.instalment).toBeGreaterThan(0);
});
