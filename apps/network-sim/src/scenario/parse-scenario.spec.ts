import { join } from 'path';
import { findRepoRoot } from '@lib/config';
import { loadProgramCatalogue } from '@lib/programs';
import { checkScenarioAgainstPrograms } from '../planning/plan-scenario';
import { listScenarios, loadScenario } from './load-scenario';
import { parseScenario } from './parse-scenario';

const FILE = 'scenarios/sample.yaml';
const MINIMAL = `
name: sample
personas:
  - name: shopper
    program: eur-standard
    cards: [physical]
    funding: { EUR: "100.00" }
    behaviours:
      - kind: pos-purchase
        perDay: 2
        amount: ["1.00", "20.00"]
`;

function errorOf(yaml: string, file = FILE): string {
  const parsed = parseScenario(yaml, file);
  if (parsed.ok) throw new Error('expected an error');
  return parsed.error;
}

describe('parseScenario', () => {
  it('parses a minimal file with defaults, amounts in minor units and rates per day', () => {
    const parsed = parseScenario(MINIMAL, FILE);
    if (!parsed.ok) throw new Error(parsed.error);
    const s = parsed.scenario;
    expect(s.run).toEqual({ durationSeconds: 60, ratePerSecond: 200, accelerate: 0, driver: 'tcp', maxInFlight: 64, connections: 1 });
    expect(s.personas[0].funding).toEqual([{ currency: 'EUR', minor: 10_000n }]);
    expect(s.personas[0].behaviours[0]).toMatchObject({ kind: 'pos-purchase', ratePerDay: 2, amount: { min: 100n, max: 2000n } });
    expect(s.network.standIn).toBeNull();
    expect(s.clearing.enabled).toBe(true);
  });

  it('turns perWeek and perMonth into a daily rate', () => {
    const parsed = parseScenario(MINIMAL.replace('perDay: 2', 'perWeek: 7'), FILE);
    expect(parsed.ok && parsed.scenario.personas[0].behaviours[0].ratePerDay).toBe(1);
    const monthly = parseScenario(MINIMAL.replace('perDay: 2', 'perMonth: 3'), FILE);
    expect(monthly.ok && monthly.scenario.personas[0].behaviours[0].ratePerDay).toBeCloseTo(0.1);
  });

  it.each([
    ['an unknown key', MINIMAL.replace('perDay: 2', 'perDay: 2\n        colour: red'), `${FILE}: personas[0].behaviours[0].colour: unknown key (allowed: kind, perDay, perWeek, perMonth, amount, mix, merchants)`],
    ['a rate that is not a number', MINIMAL.replace('perDay: 2', 'perDay: often'), `${FILE}: personas[0].behaviours[0].perDay: must be a number between 0 and 1000, got "often"`],
    ['two rates', MINIMAL.replace('perDay: 2', 'perDay: 2\n        perWeek: 1'), `${FILE}: personas[0].behaviours[0]: needs exactly one of perDay, perWeek, perMonth`],
    ['a float amount', MINIMAL.replace('["1.00", "20.00"]', '[1.5, "20.00"]'), `${FILE}: personas[0].behaviours[0].amount[0]: write amounts with decimals as strings ("12.50"), got 1.5`],
    ['too many decimals', MINIMAL.replace('"100.00"', '"100.005"'), `${FILE}: personas[0].funding.EUR: EUR has 2 decimal(s), got "100.005"`],
    ['an unknown currency', MINIMAL.replace('EUR: "100.00"', 'XYZ: "100.00"'), `${FILE}: personas[0].funding.XYZ: is not an ISO 4217 currency the engine knows`],
    ['an unknown behaviour', MINIMAL.replace('kind: pos-purchase', 'kind: teleport'), `${FILE}: personas[0].behaviours[0].kind: must be one of`],
    ['a missing key', MINIMAL.replace('    cards: [physical]\n', ''), `${FILE}: personas[0].cards: is required`],
    ['a card form twice', MINIMAL.replace('[physical]', '[physical, physical]'), `${FILE}: personas[0].cards: a card form may appear once`],
    ['a mix without weight', MINIMAL.replace('amount: ["1.00", "20.00"]', 'amount: ["1.00", "20.00"]\n        mix: { chip-pin: 0 }'), `${FILE}: personas[0].behaviours[0].mix: at least one weight must be above 0`],
    ['max below min', MINIMAL.replace('["1.00", "20.00"]', '["20.00", "1.00"]'), `${FILE}: personas[0].behaviours[0].amount: max must not be below min`],
    ['a bad driver', `${MINIMAL}run: { driver: udp }\n`, `${FILE}: run.driver: must be one of tcp, http, got "udp"`],
    ['a share above 1', `${MINIMAL}network: { retryShare: 2 }\n`, `${FILE}: network.retryShare: must be a number between 0 and 1, got 2`],
    ['a limit-hit with another code', MINIMAL.replace('kind: pos-purchase', 'kind: limit-hit\n        limit: atm-amount\n        expect: "51"'), `${FILE}: personas[0].behaviours[0].expect: must be 61 or 65, got "51"`],
  ])('refuses %s with one line naming the file and the key', (_what, yaml, message) => {
    const error = errorOf(yaml);
    expect(error.split('\n')).toHaveLength(1);
    expect(error.startsWith(message)).toBe(true);
  });

  it('refuses a name that is not the file name, and text that is not YAML', () => {
    expect(errorOf(MINIMAL.replace('name: sample', 'name: other'))).toBe(`${FILE}: name: must match the file name "sample", got "other"`);
    expect(errorOf('personas: [unclosed', FILE)).toMatch(/^scenarios\/sample\.yaml: not valid YAML \(/);
    expect(errorOf('- just\n- a list\n')).toBe(`${FILE}: (root): must be a mapping, got ["just","a list"]`);
  });

  it('loads every documented scenario, and each fits its programs', () => {
    const root = findRepoRoot();
    const catalogue = loadProgramCatalogue(join(root, 'config'));
    const names = listScenarios(root);
    expect(names).toEqual(expect.arrayContaining(['everyday', 'travel', 'hotel-car', 'bnpl', 'network', 'bad-actors', 'mixed']));
    for (const name of names) {
      const loaded = loadScenario(name, root);
      if (!loaded.ok) throw new Error(loaded.error);
      expect(checkScenarioAgainstPrograms(loaded.scenario, catalogue)).toBeUndefined();
    }
    expect(loadScenario('nope', root)).toEqual({ ok: false, error: expect.stringMatching(/^nope: no such scenario \(known: .*everyday/) });
  });

  it('checks a persona against its program: first load in the account currency, wallets, card forms', () => {
    const catalogue = loadProgramCatalogue(join(findRepoRoot(), 'config'));
    const check = (yaml: string) => {
      const parsed = parseScenario(yaml, FILE);
      if (!parsed.ok) throw new Error(parsed.error);
      return checkScenarioAgainstPrograms(parsed.scenario, catalogue);
    };
    expect(check(MINIMAL.replace('eur-standard', 'eur-gold'))).toMatch(/^scenarios\/sample\.yaml: personas\[0\]\.program: unknown program "eur-gold"/);
    expect(check(MINIMAL.replace('{ EUR: "100.00" }', '{ GBP: "100.00" }'))).toBe(`${FILE}: personas[0].funding: the first load must be in the account currency EUR`);
    expect(check(MINIMAL.replace('{ EUR: "100.00" }', '{ EUR: "100.00", GBP: "10.00" }'))).toBe(`${FILE}: personas[0].funding.GBP: eur-standard has no GBP wallet`);
    expect(check(MINIMAL.replace('{ EUR: "100.00" }', '{ EUR: "5000.00" }'))).toMatch(/first load must be between 1000 and 150000 minor units/);
    expect(check(MINIMAL.replace('eur-standard', 'travel-multicurrency').replace('[physical]', '[physical, virtual]'))).toBe(`${FILE}: personas[0].cards: travel-multicurrency issues no virtual card`);
  });
});
