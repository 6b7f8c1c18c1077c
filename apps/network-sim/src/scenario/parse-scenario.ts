import { parse as parseYaml } from 'yaml';
import { CurrencyCode, currencyByAlpha, parseMajorAmount } from '@lib/money';
import type { CardForm } from '@lib/programs';
import { DESTINATIONS, MERCHANT_CATEGORIES, MerchantCategory } from '../planning/merchants';
import {
  AmountRange,
  BAD_ACTOR_KINDS,
  BehaviourSpec,
  ClearingBehaviour,
  CurrencyAmount,
  IntRange,
  NetworkBehaviour,
  PersonaSpec,
  RunDefaults,
  Scenario,
} from './scenario';

/**
 * Parses and validates a scenario file. Never throws on bad input: the error is one line naming
 * the file, the key path and the problem, e.g.
 * `scenarios/everyday.yaml: personas[0].behaviours[1].perDay: must be a number between 0 and 1000, got "often"`.
 */
export type ParsedScenario = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly error: string };

class ScenarioProblem extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

type Node = unknown;
type Obj = Readonly<Record<string, unknown>>;

function fail(path: string, reason: string): never {
  throw new ScenarioProblem(path === '' ? '(root)' : path, reason);
}

function shown(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
}

/** A mapping with only the allowed keys (a misspelt key is an error, not silently ignored). */
function mapping(node: Node, path: string, allowed: readonly string[], required: readonly string[] = []): Obj {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) fail(path, `must be a mapping, got ${shown(node)}`);
  const obj = node as Obj;
  for (const key of Object.keys(obj)) if (!allowed.includes(key)) fail(join(path, key), `unknown key (allowed: ${allowed.join(', ')})`);
  for (const key of required) if (obj[key] === undefined || obj[key] === null) fail(join(path, key), 'is required');
  return obj;
}

function optionalMapping(node: Node, path: string, allowed: readonly string[]): Obj {
  return node === undefined || node === null ? {} : mapping(node, path, allowed);
}

function list(node: Node, path: string, minItems = 0): readonly unknown[] {
  if (!Array.isArray(node)) fail(path, `must be a list, got ${shown(node)}`);
  if (node.length < minItems) fail(path, `must have at least ${minItems} item(s)`);
  return node;
}

function text(node: Node, path: string, pattern?: RegExp, describe?: string): string {
  if (typeof node !== 'string' || node.trim() === '') fail(path, `must be a non-empty string, got ${shown(node)}`);
  if (pattern && !pattern.test(node)) fail(path, `must be ${describe ?? pattern.source}, got ${shown(node)}`);
  return node;
}

function number(node: Node, path: string, min: number, max: number, fallback?: number): number {
  if (node === undefined && fallback !== undefined) return fallback;
  if (typeof node !== 'number' || !Number.isFinite(node) || node < min || node > max) fail(path, `must be a number between ${min} and ${max}, got ${shown(node)}`);
  return node;
}

function integer(node: Node, path: string, min: number, max: number, fallback?: number): number {
  const value = number(node, path, min, max, fallback);
  if (!Number.isInteger(value)) fail(path, `must be an integer between ${min} and ${max}, got ${shown(node)}`);
  return value;
}

function share(node: Node, path: string, fallback: number): number {
  return number(node, path, 0, 1, fallback);
}

function bool(node: Node, path: string, fallback: boolean): boolean {
  if (node === undefined) return fallback;
  if (typeof node !== 'boolean') fail(path, `must be true or false, got ${shown(node)}`);
  return node;
}

function oneOf<T extends string>(node: Node, path: string, allowed: readonly T[], fallback?: T): T {
  if (node === undefined && fallback !== undefined) return fallback;
  if (typeof node !== 'string' || !allowed.includes(node as T)) fail(path, `must be one of ${allowed.join(', ')}, got ${shown(node)}`);
  return node as T;
}

/** A money amount in major units: a string ("12.50") or an integer; never a YAML float. */
function amountOf(node: Node, path: string, currency: CurrencyCode): bigint {
  if (typeof node === 'number' && !Number.isInteger(node)) fail(path, `write amounts with decimals as strings ("12.50"), got ${shown(node)}`);
  if (typeof node !== 'string' && typeof node !== 'number') fail(path, `must be an amount such as "12.50", got ${shown(node)}`);
  const parsed = parseMajorAmount(String(node), currency);
  if (!parsed.ok) fail(path, parsed.error.detail);
  if (parsed.value.amountMinor < 0n) fail(path, `must not be negative, got ${shown(node)}`);
  return parsed.value.amountMinor;
}

function amountRange(node: Node, path: string): AmountRange {
  const items = list(node, path);
  if (items.length !== 2) fail(path, `must be [min, max], got ${shown(node)}`);
  const min = amountOf(items[0], join(path, 0), 'EUR');
  const max = amountOf(items[1], join(path, 1), 'EUR');
  if (max < min) fail(path, 'max must not be below min');
  if (max === 0n) fail(path, 'max must be above 0');
  return { min, max };
}

function intRange(node: Node, path: string, lowest: number, highest: number, fallback: IntRange): IntRange {
  if (node === undefined) return fallback;
  const obj = mapping(node, path, ['min', 'max'], ['min', 'max']);
  const min = integer(obj.min, join(path, 'min'), lowest, highest);
  const max = integer(obj.max, join(path, 'max'), lowest, highest);
  if (max < min) fail(join(path, 'max'), `must not be below min (${min})`);
  return { min, max };
}

function currencyAmounts(node: Node, path: string): CurrencyAmount[] {
  const obj = mapping(node, path, Object.keys(node ?? {}));
  const amounts = Object.entries(obj).map(([code, value]) => {
    const currency = currencyByAlpha(code);
    if (currency === undefined) fail(join(path, code), 'is not an ISO 4217 currency the engine knows');
    const minor = amountOf(value, join(path, code), currency.code);
    if (minor === 0n) fail(join(path, code), 'must be above 0');
    return { currency: currency.code, minor };
  });
  if (amounts.length === 0) fail(path, 'must name at least one currency');
  return amounts;
}

function mix<K extends string>(node: Node, path: string, keys: readonly K[], fallback: Partial<Record<K, number>>): Partial<Record<K, number>> {
  if (node === undefined) return fallback;
  const obj = mapping(node, path, keys);
  const result: Partial<Record<K, number>> = {};
  for (const key of keys) if (obj[key] !== undefined) result[key] = number(obj[key], join(path, key), 0, 1_000_000);
  if (!Object.values<number | undefined>(result).some((weight) => (weight ?? 0) > 0)) fail(path, 'at least one weight must be above 0');
  return result;
}

const RATE_KEYS = ['perDay', 'perWeek', 'perMonth'] as const;

function ratePerDay(obj: Obj, path: string): number {
  const given = RATE_KEYS.filter((key) => obj[key] !== undefined);
  if (given.length !== 1) fail(path, `needs exactly one of ${RATE_KEYS.join(', ')}`);
  const key = given[0];
  const value = number(obj[key], join(path, key), 0, 1000);
  return key === 'perDay' ? value : key === 'perWeek' ? value / 7 : value / 30;
}

function merchants(node: Node, path: string, fallback: readonly MerchantCategory[]): readonly MerchantCategory[] {
  if (node === undefined) return fallback;
  return list(node, path, 1).map((item, index) => oneOf(item, join(path, index), MERCHANT_CATEGORIES));
}

function destinations(node: Node, path: string): readonly string[] {
  return list(node, path, 1).map((item, index) => oneOf(item, join(path, index), Object.keys(DESTINATIONS)));
}

const BEHAVIOUR_KEYS: Readonly<Record<BehaviourSpec['kind'], readonly string[]>> = {
  'pos-purchase': ['amount', 'mix', 'merchants'],
  ecommerce: ['amount', 'mix', 'merchants'],
  'atm-withdrawal': ['amount', 'mix'],
  'balance-inquiry': ['mix'],
  'travel-purchase': ['amount', 'destinations', 'mix'],
  'travel-atm': ['amount', 'destinations'],
  'limit-hit': ['limit', 'amount', 'destination', 'expect'],
  'hotel-stay': ['amount', 'nights', 'incrementals', 'finalPercent'],
  'car-rental': ['amount', 'mix'],
  'bnpl-plan': ['amount', 'instalments', 'revokeShare', 'refundShare'],
  'bnpl-card-check': ['mix'],
  'bnpl-void': ['amount'],
  ...Object.fromEntries(BAD_ACTOR_KINDS.map((kind) => [kind, []])),
} as unknown as Record<BehaviourSpec['kind'], readonly string[]>;

const BEHAVIOUR_KINDS = Object.keys(BEHAVIOUR_KEYS) as BehaviourSpec['kind'][];

function behaviour(node: Node, path: string): BehaviourSpec {
  const kind = oneOf(mapping(node, path, Object.keys(node ?? {})).kind, join(path, 'kind'), BEHAVIOUR_KINDS);
  const obj = mapping(node, path, ['kind', ...RATE_KEYS, ...BEHAVIOUR_KEYS[kind]]);
  const rate = ratePerDay(obj, path);
  const at = (key: string): string => join(path, key);
  switch (kind) {
    case 'pos-purchase':
      return { kind, ratePerDay: rate, amount: amountRange(obj.amount, at('amount')), mix: mix(obj.mix, at('mix'), ['chip-pin', 'contactless'], { 'chip-pin': 1, contactless: 1 }), merchants: merchants(obj.merchants, at('merchants'), ['grocery', 'restaurant', 'pharmacy', 'clothing']) };
    case 'ecommerce':
      return { kind, ratePerDay: rate, amount: amountRange(obj.amount, at('amount')), mix: mix(obj.mix, at('mix'), ['sca', 'exempt'], { sca: 1, exempt: 1 }), merchants: merchants(obj.merchants, at('merchants'), ['online-retail', 'streaming']) };
    case 'atm-withdrawal':
      return { kind, ratePerDay: rate, amount: amountRange(obj.amount, at('amount')), mix: mix(obj.mix, at('mix'), ['dual', 'single'], { dual: 1, single: 1 }) };
    case 'balance-inquiry':
      return { kind, ratePerDay: rate, mix: mix(obj.mix, at('mix'), ['dual', 'single'], { dual: 1, single: 1 }) };
    case 'travel-purchase':
      return { kind, ratePerDay: rate, amount: amountRange(obj.amount, at('amount')), destinations: destinations(obj.destinations, at('destinations')), mix: mix(obj.mix, at('mix'), ['chip-pin', 'contactless', 'ecommerce'], { 'chip-pin': 1, contactless: 2, ecommerce: 1 }) };
    case 'travel-atm':
      return { kind, ratePerDay: rate, amount: amountRange(obj.amount, at('amount')), destinations: destinations(obj.destinations, at('destinations')) };
    case 'limit-hit': {
      const limit = oneOf(obj.limit, at('limit'), ['atm-amount', 'atm-count'] as const);
      return {
        kind,
        ratePerDay: rate,
        limit,
        amount: amountRange(obj.amount, at('amount')),
        destination: obj.destination === undefined ? null : oneOf(obj.destination, at('destination'), Object.keys(DESTINATIONS)),
        expect: text(obj.expect, at('expect'), /^(61|65)$/, '61 or 65'),
      };
    }
    case 'hotel-stay':
      return {
        kind,
        ratePerDay: rate,
        amount: amountRange(obj.amount, at('amount')),
        nights: intRange(obj.nights, at('nights'), 1, 14, { min: 1, max: 3 }),
        incrementals: intRange(obj.incrementals, at('incrementals'), 0, 5, { min: 0, max: 2 }),
        finalPercent: intRange(obj.finalPercent, at('finalPercent'), 1, 100, { min: 70, max: 98 }),
      };
    case 'car-rental':
      return { kind, ratePerDay: rate, amount: amountRange(obj.amount, at('amount')), mix: mix(obj.mix, at('mix'), ['expire', 'complete'], { expire: 1, complete: 1 }) };
    case 'bnpl-plan':
      return {
        kind,
        ratePerDay: rate,
        amount: amountRange(obj.amount, at('amount')),
        instalments: instalmentWeights(obj.instalments, at('instalments')),
        revokeShare: share(obj.revokeShare, at('revokeShare'), 0),
        refundShare: share(obj.refundShare, at('refundShare'), 0),
      };
    case 'bnpl-card-check':
      return { kind, ratePerDay: rate, mix: mix(obj.mix, at('mix'), ['charge-and-reverse', 'verification'], { 'charge-and-reverse': 1, verification: 1 }) };
    case 'bnpl-void':
      return { kind, ratePerDay: rate, amount: amountRange(obj.amount, at('amount')) };
    default:
      return { kind, ratePerDay: rate };
  }
}

/** seed 000: plans of 3 to 24 instalments. */
function instalmentWeights(node: Node, path: string): Readonly<Record<string, number>> {
  if (node === undefined) return { '3': 1 };
  const obj = mapping(node, path, Object.keys(node ?? {}));
  const weights: Record<string, number> = {};
  for (const [count, weight] of Object.entries(obj)) {
    integer(Number(count), join(path, count), 3, 24);
    weights[count] = number(weight, join(path, count), 0, 1_000_000);
  }
  if (!Object.values(weights).some((w) => w > 0)) fail(path, 'at least one weight must be above 0');
  return weights;
}

function persona(node: Node, path: string): PersonaSpec {
  const obj = mapping(node, path, ['name', 'program', 'weight', 'cards', 'funding', 'reload', 'behaviours'], ['name', 'program', 'cards', 'funding', 'behaviours']);
  const cards = list(obj.cards, join(path, 'cards'), 1).map((item, index) => oneOf<CardForm>(item, join(join(path, 'cards'), index), ['physical', 'virtual']));
  if (new Set(cards).size !== cards.length) fail(join(path, 'cards'), 'a card form may appear once (a program issues one card of each form)');
  let reload: PersonaSpec['reload'] = null;
  if (obj.reload !== undefined) {
    const r = mapping(obj.reload, join(path, 'reload'), ['everyDays', 'amount'], ['everyDays', 'amount']);
    const amounts = currencyAmounts(r.amount, join(join(path, 'reload'), 'amount'));
    if (amounts.length !== 1) fail(join(join(path, 'reload'), 'amount'), 'must name exactly one currency');
    reload = { everyDays: integer(r.everyDays, join(join(path, 'reload'), 'everyDays'), 1, 365), amount: amounts[0] };
  }
  return {
    name: text(obj.name, join(path, 'name'), /^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes'),
    program: text(obj.program, join(path, 'program'), /^[a-z0-9][a-z0-9-]{0,39}$/, 'a program id'),
    weight: number(obj.weight, join(path, 'weight'), 0, 1_000_000, 1),
    cards,
    funding: currencyAmounts(obj.funding, join(path, 'funding')),
    reload,
    behaviours: list(obj.behaviours, join(path, 'behaviours'), 1).map((item, index) => behaviour(item, join(join(path, 'behaviours'), index))),
  };
}

function runDefaults(node: Node): RunDefaults {
  const obj = optionalMapping(node, 'run', ['duration', 'rate', 'accelerate', 'driver', 'maxInFlight', 'connections']);
  return {
    durationSeconds: number(obj.duration, 'run.duration', 1, 86_400, 60),
    ratePerSecond: number(obj.rate, 'run.rate', 0, 100_000, 200),
    accelerate: number(obj.accelerate, 'run.accelerate', 0, 10_000_000, 0),
    driver: oneOf(obj.driver, 'run.driver', ['tcp', 'http'] as const, 'tcp'),
    maxInFlight: integer(obj.maxInFlight, 'run.maxInFlight', 1, 4096, 64),
    connections: integer(obj.connections, 'run.connections', 1, 16, 1),
  };
}

function networkBehaviour(node: Node): NetworkBehaviour {
  const obj = optionalMapping(node, 'network', ['signOn', 'echoIdleSeconds', 'echoPerDay', 'responseTimeoutMs', 'retryShare', 'timeoutShare', 'standIn']);
  let standIn: NetworkBehaviour['standIn'] = null;
  if (obj.standIn !== undefined) {
    const s = mapping(obj.standIn, 'network.standIn', ['perDay', 'minutes'], ['perDay', 'minutes']);
    standIn = { perDay: number(s.perDay, 'network.standIn.perDay', 0, 48), minutes: integer(s.minutes, 'network.standIn.minutes', 1, 720) };
  }
  return {
    signOn: bool(obj.signOn, 'network.signOn', true),
    echoIdleMs: integer(obj.echoIdleSeconds, 'network.echoIdleSeconds', 0, 3600, 30) * 1000,
    echoPerDay: number(obj.echoPerDay, 'network.echoPerDay', 0, 10_000, 0),
    responseTimeoutMs: integer(obj.responseTimeoutMs, 'network.responseTimeoutMs', 10, 60_000, 3000),
    retryShare: share(obj.retryShare, 'network.retryShare', 0),
    timeoutShare: share(obj.timeoutShare, 'network.timeoutShare', 0),
    standIn,
  };
}

function clearingBehaviour(node: Node): ClearingBehaviour {
  const obj = optionalMapping(node, 'clearing', ['enabled', 'delayDays', 'splitShare', 'tipShare', 'tipPercent', 'lateShare', 'lateDays', 'forcePostsPerDay']);
  return {
    enabled: bool(obj.enabled, 'clearing.enabled', true),
    delayDays: intRange(obj.delayDays, 'clearing.delayDays', 0, 30, { min: 1, max: 3 }),
    splitShare: share(obj.splitShare, 'clearing.splitShare', 0),
    tipShare: share(obj.tipShare, 'clearing.tipShare', 0),
    tipPercent: intRange(obj.tipPercent, 'clearing.tipPercent', 1, 50, { min: 5, max: 15 }),
    lateShare: share(obj.lateShare, 'clearing.lateShare', 0),
    lateDays: intRange(obj.lateDays, 'clearing.lateDays', 1, 60, { min: 10, max: 20 }),
    forcePostsPerDay: number(obj.forcePostsPerDay, 'clearing.forcePostsPerDay', 0, 10, 0),
  };
}

function scenarioOf(root: Node, expectedName: string | undefined): Omit<Scenario, 'file'> {
  const obj = mapping(root, '', ['name', 'description', 'seed', 'run', 'population', 'network', 'clearing', 'personas'], ['name', 'personas']);
  const name = text(obj.name, 'name', /^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes');
  if (expectedName !== undefined && name !== expectedName) fail('name', `must match the file name ${JSON.stringify(expectedName)}, got ${JSON.stringify(name)}`);
  const population = optionalMapping(obj.population, 'population', ['cardholders']);
  const personas = list(obj.personas, 'personas', 1).map((item, index) => persona(item, join('personas', index)));
  const names = new Set<string>();
  personas.forEach((p, index) => {
    if (names.has(p.name)) fail(join(join('personas', index), 'name'), `duplicate persona ${JSON.stringify(p.name)}`);
    names.add(p.name);
  });
  if (!personas.some((p) => p.weight > 0)) fail('personas', 'at least one persona needs a weight above 0');
  return {
    name,
    description: obj.description === undefined ? '' : text(obj.description, 'description').trim(),
    seed: integer(obj.seed, 'seed', 0, 4_294_967_295, 1),
    run: runDefaults(obj.run),
    population: { cardholders: integer(population.cardholders, 'population.cardholders', 1, 100_000, 20) },
    network: networkBehaviour(obj.network),
    clearing: clearingBehaviour(obj.clearing),
    personas,
  };
}

/**
 * `file` is the name shown in errors; when it ends in `<name>.yaml`, the scenario's `name` must
 * be that name (a copied file that kept the old name is caught).
 */
export function parseScenario(yamlText: string, file: string): ParsedScenario {
  let root: unknown;
  try {
    root = parseYaml(yamlText);
  } catch (error) {
    return { ok: false, error: `${file}: not valid YAML (${(error as Error).message.split('\n')[0]})` };
  }
  const expectedName = /([a-z0-9][a-z0-9-]*)\.ya?ml$/.exec(file)?.[1];
  try {
    return { ok: true, scenario: { file, ...scenarioOf(root, expectedName) } };
  } catch (error) {
    if (error instanceof ScenarioProblem) return { ok: false, error: `${file}: ${error.path}: ${error.reason}` };
    throw error;
  }
}
