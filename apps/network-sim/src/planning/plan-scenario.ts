import { CurrencyCode, exponentOf } from '@lib/money';
import { addDays, LocalDate, localDateOf, ProgramCatalogue, startOfLocalDay } from '@lib/programs';
import type { BehaviourSpec, PersonaSpec, Scenario } from '../scenario/scenario';
import { badActor } from './bad-actors';
import { CardholderPlanner, DAYTIME_END_HOUR, DAYTIME_START_HOUR, MS_PER_DAY, MS_PER_MINUTE, PlanContext, TimeWindow } from './cardholder-planner';
import { atmWithdrawal, balanceInquiry, ecommercePurchase, limitHit, posPurchase, travelAtm, travelPurchase } from './everyday';
import { bnplCardCheck, bnplPlan, bnplVoid, carRental, hotelStay } from './holds-and-bnpl';
import { ACCELERATED_TIMING, REAL_CLOCK_TIMING } from './issuer-model';
import { domesticMerchants } from './merchants';
import type { ClearingItem, Plan, PlannedCardholder, Step } from './plan';
import { Prng } from './prng';

/**
 * Scenario + seed + start instant -> Plan. Pure and deterministic: every random draw comes from a
 * stream derived from the seed and a label (cardholder, behaviour, day), so one persona's plan does
 * not move when another persona or the population size changes.
 */
export interface PlanOptions {
  readonly scenario: Scenario;
  readonly catalogue: ProgramCatalogue;
  readonly seed: number;
  /** The simulated instant the plan starts at (the gateway's clock). */
  readonly startMs: number;
  /** Simulated days planned from startMs. */
  readonly days: number;
  /** Fixed population size, or... */
  readonly cardholders?: number;
  /** ...cardholders are added until the plan has this many network messages (real-clock runs). */
  readonly targetMessages?: number;
  readonly maxCardholders?: number;
  /**
   * Real-clock runs: follow-ups that count against no limit are planned beyond the period (a
   * hotel check-out days later), and the steps are ordered by their rank in each cardholder's own
   * sequence, so every cardholder progresses through the whole run instead of days being sent in
   * turn. Accelerated runs keep simulated time.
   */
  readonly compress?: boolean;
}

/** Real-clock runs keep compressed follow-ups up to this far after the period. */
const COMPRESSED_HORIZON_DAYS = 400;

const FIRST_NAMES = ['Camille', 'Lea', 'Hugo', 'Louis', 'Chloe', 'Ines', 'Jules', 'Manon', 'Lucas', 'Emma', 'Nathan', 'Sarah', 'Adam', 'Zoe', 'Yanis', 'Lina'];
const LAST_NAMES = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefebvre', 'Michel', 'Garcia', 'Roux'];

/** The persona of each cardholder index: smooth weighted round robin (exact shares, no luck). */
export function personaSequence(personas: readonly PersonaSpec[], count: number): PersonaSpec[] {
  const total = personas.reduce((sum, persona) => sum + persona.weight, 0);
  const current = personas.map(() => 0);
  const sequence: PersonaSpec[] = [];
  for (let i = 0; i < count; i++) {
    let best = 0;
    personas.forEach((persona, index) => {
      current[index] += persona.weight;
      if (current[index] > current[best]) best = index;
    });
    current[best] -= total;
    sequence.push(personas[best]);
  }
  return sequence;
}

/** One line naming the file and key, when a persona does not fit its program; undefined when fine. */
export function checkScenarioAgainstPrograms(scenario: Scenario, catalogue: ProgramCatalogue): string | undefined {
  for (const [index, persona] of scenario.personas.entries()) {
    const at = `${scenario.file}: personas[${index}]`;
    const program = catalogue.programs.get(persona.program);
    if (program === undefined) return `${at}.program: unknown program ${JSON.stringify(persona.program)} (known: ${[...catalogue.programs.keys()].join(', ')})`;
    const [first, ...others] = persona.funding;
    if (first.currency !== program.accountCurrency) return `${at}.funding: the first load must be in the account currency ${program.accountCurrency}`;
    const firstLoad = program.loads.firstLoad;
    if (firstLoad && (first.minor < firstLoad.min.amountMinor || first.minor > firstLoad.max.amountMinor)) {
      return `${at}.funding.${first.currency}: the program's first load must be between ${firstLoad.min.amountMinor} and ${firstLoad.max.amountMinor} minor units`;
    }
    for (const other of others) {
      if (!program.walletCurrencies.includes(other.currency)) return `${at}.funding.${other.currency}: ${persona.program} has no ${other.currency} wallet`;
    }
    if (persona.cards.includes('virtual') && program.cardForms.virtual === null) return `${at}.cards: ${persona.program} issues no virtual card`;
  }
  return undefined;
}

function daysOf(startMs: number, days: number, timeZone: string): LocalDate[] {
  const first = localDateOf(startMs, timeZone);
  return Array.from({ length: Math.ceil(days) + 1 }, (_, i) => addDays(first, i));
}

/** Stand-in windows: the issuer is "unavailable" for a few minutes a day, the same for everyone. */
export function standInWindows(scenario: Scenario, seed: number, startMs: number, days: number, timeZone: string): TimeWindow[] {
  const standIn = scenario.network.standIn;
  if (standIn === null) return [];
  return daysOf(startMs, days, timeZone).flatMap((date, day) => {
    const prng = Prng.derive(seed, 'stand-in', day);
    return Array.from({ length: prng.occurrences(standIn.perDay) }, () => {
      const start = startOfLocalDay(date, timeZone) + prng.int(DAYTIME_START_HOUR * 60, DAYTIME_END_HOUR * 60 - standIn.minutes) * MS_PER_MINUTE;
      return { startMs: start, endMs: start + standIn.minutes * MS_PER_MINUTE };
    });
  });
}

type Handler = (p: CardholderPlanner, atMs: number) => void;

function handlerOf(spec: BehaviourSpec): Handler {
  switch (spec.kind) {
    case 'pos-purchase':
      return (p, at) => posPurchase(p, spec, at);
    case 'ecommerce':
      return (p, at) => ecommercePurchase(p, spec, at);
    case 'atm-withdrawal':
      return (p, at) => atmWithdrawal(p, spec, at);
    case 'balance-inquiry':
      return (p, at) => balanceInquiry(p, spec, at);
    case 'travel-purchase':
      return (p, at) => travelPurchase(p, spec, at);
    case 'travel-atm':
      return (p, at) => travelAtm(p, spec, at);
    case 'limit-hit':
      return (p, at) => limitHit(p, spec, at);
    case 'hotel-stay':
      return (p, at) => hotelStay(p, spec, at);
    case 'car-rental':
      return (p, at) => carRental(p, spec, at);
    case 'bnpl-plan':
      return (p, at) => bnplPlan(p, spec, at);
    case 'bnpl-card-check':
      return (p, at) => bnplCardCheck(p, spec, at);
    case 'bnpl-void':
      return (p, at) => bnplVoid(p, spec, at);
    default: {
      const kind = spec.kind;
      return (p, at) => badActor(p, kind, at);
    }
  }
}

export interface CardholderPlan {
  readonly cardholder: PlannedCardholder;
  readonly steps: readonly Step[];
  readonly clearing: readonly ClearingItem[];
  readonly holdsLeftToExpire: Plan['holdsLeftToExpire'];
}

/** The plan of one cardholder (index) of the population. */
export function planCardholder(ctx: PlanContext, index: number, persona: PersonaSpec, days: number): CardholderPlan {
  const naming = Prng.derive(ctx.seed, 'holder', index);
  const first = naming.pick(FIRST_NAMES);
  const last = naming.pick(LAST_NAMES);
  const cardholder: PlannedCardholder = {
    index,
    persona: persona.name,
    program: persona.program,
    cards: persona.cards,
    funding: persona.funding,
    holderName: `${first} ${last}`,
    holderEmail: `${first}.${last}.${index}@example.test`.toLowerCase(),
  };
  const p = new CardholderPlanner(ctx, cardholder, persona);
  const dates = daysOf(ctx.startMs, days, p.timeZone);
  persona.behaviours.forEach((spec, behaviourIndex) => {
    const handler = handlerOf(spec);
    dates.forEach((date, day) => {
      const prng = Prng.derive(ctx.seed, 'cardholder', index, 'behaviour', behaviourIndex, 'day', day);
      const count = spec.kind === 'lost-card' ? (day === dates.length - 2 && prng.chance(Math.min(1, spec.ratePerDay * days)) ? 1 : 0) : prng.occurrences(spec.ratePerDay);
      for (let i = 0; i < count; i++) {
        const at = p.atLocal(date, DAYTIME_START_HOUR, 0) + prng.int(0, (DAYTIME_END_HOUR - DAYTIME_START_HOUR) * 60 - 1) * MS_PER_MINUTE + prng.int(0, 59) * 1000;
        p.schedule(at, (when) => handler(p, when), true);
      }
    });
  });
  planReloads(p, persona, dates);
  planRepayments(p, persona, dates);
  planForcePosts(p, dates);
  p.drain();
  return { cardholder, steps: p.steps, clearing: p.clearing, holdsLeftToExpire: p.holdsLeftToExpire };
}

/** Salary-like top-ups through the back office (a load by SEPA transfer). */
function planReloads(p: CardholderPlanner, persona: PersonaSpec, dates: readonly LocalDate[]): void {
  const reload = persona.reload;
  if (reload === null) return;
  for (let day = reload.everyDays; day < dates.length; day += reload.everyDays) {
    p.schedule(p.atLocal(dates[day], 7, 0), (when) => {
      // A holder tops up when the balance runs low (the model's lower bound); the model follows the load.
      if (p.model.availableMinor(reload.amount.currency, when) >= reload.amount.minor * 2n) return;
      p.emit({ type: 'back-office', atMs: when, family: 'back-office', behaviour: 'reload', expect: null, card: persona.cards[0], action: { kind: 'load', amount: reload.amount } });
    });
  }
}

/**
 * A wallet below zero (a tip or a late presentment beyond what was left, a force post) suspends
 * every debit of the account, `05`, until a load brings it back to 0 or more (network-interface.md).
 * Every morning the holder repays each wallet that may be below zero (the model's lower bound): a
 * load of the debt rounded up to a whole unit, or the program's minimum load when that is more.
 */
function planRepayments(p: CardholderPlanner, persona: PersonaSpec, dates: readonly LocalDate[]): void {
  for (const date of dates) {
    p.schedule(p.atLocal(date, 7, 30), (when) => {
      for (const [currency, bounds] of p.model.balances(when)) {
        if (bounds.low >= 0n) continue;
        const debt = roundUpToUnit(-bounds.low, currency);
        const minimum = minimumLoad(p, currency, when);
        if (minimum === undefined) continue;
        const amount = { currency, minor: debt > minimum ? debt : minimum };
        p.emit({ type: 'back-office', atMs: when, family: 'back-office', behaviour: 'repay', expect: null, card: persona.cards[0], action: { kind: 'load', amount } });
      }
    });
  }
}

function roundUpToUnit(minor: bigint, currency: CurrencyCode): bigint {
  const unit = 10n ** BigInt(exponentOf(currency));
  return ((minor + unit - 1n) / unit) * unit;
}

/** The smallest load the program accepts in a currency (its own minimum, else the account-currency one), with a unit to spare. */
function minimumLoad(p: CardholderPlanner, currency: CurrencyCode, atMs: number): bigint | undefined {
  const loads = p.program.loads;
  const own = loads.minimumByCurrency.get(currency);
  if (own !== undefined) return roundUpToUnit(own.amountMinor, currency);
  const equivalent = p.accountToCurrency(loads.perLoadMin.amountMinor, currency, atMs);
  if (equivalent === undefined) return undefined;
  return currency === p.program.accountCurrency ? roundUpToUnit(equivalent, currency) : roundUpToUnit(equivalent, currency) + 10n ** BigInt(exponentOf(currency));
}

/** Force posts: presentments the network sends without any authorisation (small transit fares). */
function planForcePosts(p: CardholderPlanner, dates: readonly LocalDate[]): void {
  const rate = p.ctx.scenario.clearing.forcePostsPerDay;
  if (rate <= 0) return;
  dates.forEach((date, day) => {
    const prng = p.prng('force-post', day);
    for (let i = prng.occurrences(rate); i > 0; i--) {
      const at = p.atLocal(date, 12, 0);
      p.schedule(at, () => {
        const card = p.cardFor('contactless');
        if (card === undefined) return;
        const amountMinor = prng.bigintBetween(150n, 600n);
        p.addClearing({ kind: 'force-post', cardholder: p.index, card, processingDay: p.processingDay(at, 1), amountMinor, currency: p.program.accountCurrency, merchant: domesticMerchants('transport')[0] });
      });
    }
  });
}

/** Network management traffic of the plan: explicit echoes (the link also echoes when idle). */
function echoSteps(ctx: PlanContext, days: number): Step[] {
  const rate = ctx.scenario.network.echoPerDay;
  if (rate <= 0) return [];
  const steps: Step[] = [];
  const prng = Prng.derive(ctx.seed, 'echo');
  const total = Math.round(rate * days);
  for (let i = 0; i < total; i++) {
    const atMs = ctx.startMs + Math.floor(prng.next() * days * MS_PER_DAY);
    if (atMs < ctx.endMs) steps.push({ type: 'echo', seq: 1e15 + i, atMs, cardholder: -1, family: 'network', behaviour: 'echo', expect: ['00'] });
  }
  return steps;
}

/**
 * Orders steps by their rank in their cardholder's own time-ordered sequence (0 .. 1), then by
 * time: each cardholder's order is kept, and all of them advance together through the run.
 */
function compressOrder(steps: Step[]): void {
  const counts = new Map<number, number>();
  for (const step of steps) counts.set(step.cardholder, (counts.get(step.cardholder) ?? 0) + 1);
  const seen = new Map<number, number>();
  const rank = new Map<Step, number>();
  for (const step of steps) {
    const index = seen.get(step.cardholder) ?? 0;
    seen.set(step.cardholder, index + 1);
    rank.set(step, index / counts.get(step.cardholder)!);
  }
  steps.sort((a, b) => rank.get(a)! - rank.get(b)! || a.atMs - b.atMs || a.seq - b.seq);
}

/** Messages sent over the network link for a step (a retried one counts twice). */
export function networkMessagesOf(step: Step): number {
  if (step.type === 'back-office') return 0;
  if (step.type === 'auth' && step.retry) return 2;
  return 1;
}

export function planScenario(options: PlanOptions): Plan {
  const { scenario, catalogue, seed, startMs, days } = options;
  const endMs = startMs + Math.round(days * MS_PER_DAY);
  const timeZone = catalogue.programs.get(scenario.personas[0].program)?.timeZone ?? 'Europe/Paris';
  const horizonMs = options.compress ? endMs + COMPRESSED_HORIZON_DAYS * MS_PER_DAY : endMs;
  // Real-clock runs post their clearing after the traffic and see no hold expire (IssuerModel).
  const timing = options.compress ? REAL_CLOCK_TIMING : ACCELERATED_TIMING;
  const ctx: PlanContext = { scenario, catalogue, seed, startMs, endMs, horizonMs, standInWindows: standInWindows(scenario, seed, startMs, days, timeZone), timing };
  const fixed = options.cardholders;
  const maxCardholders = options.maxCardholders ?? 100_000;
  const cardholders: PlannedCardholder[] = [];
  const steps: Step[] = [];
  const clearing: ClearingItem[] = [];
  const holds: Plan['holdsLeftToExpire'][number][] = [];
  let messages = 0;
  const batch = 64;
  for (let index = 0; index < maxCardholders; index += batch) {
    const count = fixed !== undefined ? Math.min(batch, fixed - index) : batch;
    if (count <= 0) break;
    const personas = personaSequence(scenario.personas, index + count).slice(index);
    personas.forEach((persona, offset) => {
      const planned = planCardholder(ctx, index + offset, persona, days);
      cardholders.push(planned.cardholder);
      steps.push(...planned.steps);
      clearing.push(...planned.clearing);
      holds.push(...planned.holdsLeftToExpire);
      messages += planned.steps.reduce((sum, step) => sum + networkMessagesOf(step), 0);
    });
    if (fixed === undefined && messages >= (options.targetMessages ?? 0)) break;
  }
  steps.push(...echoSteps(ctx, days));
  steps.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
  if (options.compress) compressOrder(steps);
  return { scenario: scenario.name, seed, startMs, endMs, cardholders, steps, clearing, holdsLeftToExpire: holds };
}
