import { CurrencyCode, Decimal, exponentOf, money, roundHalfUp, roundToBigInt } from '@lib/money';
import {
  addDays,
  CardForm,
  CardTransaction,
  channelOf,
  dayIdOf,
  entryModeFromFields,
  kindFromProcessingCode,
  LocalDate,
  localDateOf,
  Program,
  ProgramCatalogue,
  ScaCounters,
  startOfLocalDay,
} from '@lib/programs';
import type { PersonaSpec, Scenario } from '../scenario/scenario';
import { EffectTiming, IssuerModel, ModelOutcome } from './issuer-model';
import type { AuthStep, ClearingItem, Family, PlannedCardholder, RequestSpec, Step } from './plan';
import { Prng } from './prng';

/** What every cardholder's planning shares. */
export interface PlanContext {
  readonly scenario: Scenario;
  readonly catalogue: ProgramCatalogue;
  readonly seed: number;
  readonly startMs: number;
  /** New occurrences, and follow-ups that count against limits, are planned before this instant. */
  readonly endMs: number;
  /**
   * Follow-ups that count against no limit (completions, reversals, back-office steps) may be
   * planned up to here: beyond endMs only on the real clock, where they are compressed into the run.
   */
  readonly horizonMs: number;
  /** When the issuer is "unavailable" and the network stands in (network.standIn). */
  readonly standInWindows: readonly TimeWindow[];
  /** When clearing files and hold expiries move balances (the shadow model's windows). */
  readonly timing: EffectTiming;
}

export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

export type StepInput = Step extends infer S ? (S extends Step ? Omit<S, 'seq' | 'cardholder'> : never) : never;

interface Occurrence {
  readonly atMs: number;
  readonly order: number;
  /** A fresh occurrence of a behaviour: moved out of another chain's exclusive window. */
  readonly movable: boolean;
  readonly run: (atMs: number) => void;
}

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;
/** Ordinary activity happens in local daytime: a day boundary never falls inside a clock tick. */
export const DAYTIME_START_HOUR = 8;
export const DAYTIME_END_HOUR = 20;

/** A reserve left untouched by planned spending (the model follows the periodic fees besides). */
const RESERVE_MINOR = 2_000n;

/**
 * Plans one cardholder: a time-ordered queue of occurrences (behaviour events and the follow-ups
 * they schedule), each turned into steps against the cardholder's IssuerModel. Pure: the same
 * inputs give the same steps.
 */
export class CardholderPlanner {
  readonly steps: Step[] = [];
  readonly clearing: ClearingItem[] = [];
  readonly holdsLeftToExpire: { txn: string; cardholder: number; expiresAtMs: number }[] = [];
  readonly model: IssuerModel;
  readonly program: Program;
  /** SCA exemption counters per card (network-interface.md "SCA exemption"). */
  readonly sca = new Map<CardForm, ScaCounters>();
  /** Cards blocked on purpose (lost): nothing more is planned on them. */
  readonly deadCards = new Set<CardForm>();
  /** Recurring consents revoked per card: `<card>:<merchant id>` (declined 57 from then on). */
  readonly revokedConsents = new Set<string>();
  private readonly queue: Occurrence[] = [];
  private readonly reserved: TimeWindow[] = [];
  private order = 0;
  private stepCount = 0;
  private txnCount = 0;

  constructor(
    readonly ctx: PlanContext,
    readonly cardholder: PlannedCardholder,
    readonly persona: PersonaSpec,
  ) {
    const program = ctx.catalogue.programs.get(persona.program);
    if (program === undefined) throw new Error(`unknown program ${persona.program}`);
    this.program = program;
    this.model = new IssuerModel(program, ctx.catalogue.rates, RESERVE_MINOR, ctx.timing);
    for (const funding of persona.funding) this.model.credit(funding.currency, funding.minor);
    const creation = program.fees.cardCreation;
    for (const form of persona.cards) if (creation) this.model.debit(program.accountCurrency, creation[form].amountMinor);
    for (const form of persona.cards) this.sca.set(form, { exemptedCount: 0, exemptedTotal: money(0n, 'EUR') });
    // Accounts are opened at the start of the run without a billing choice: monthly where the
    // program has a subscription (the back office's default), none otherwise.
    if (ctx.timing.duringRun) this.model.periodicFees(ctx.startMs, program.fees.subscription === null ? 'none' : 'monthly', ctx.horizonMs);
  }

  get index(): number {
    return this.cardholder.index;
  }

  get timeZone(): string {
    return this.program.timeZone;
  }

  /** A PRNG stream of this cardholder for one purpose. */
  prng(...labels: readonly (string | number)[]): Prng {
    return Prng.derive(this.ctx.seed, 'cardholder', this.index, ...labels);
  }

  schedule(atMs: number, run: (atMs: number) => void, movable = false): void {
    if (atMs < this.ctx.startMs || atMs >= this.ctx.endMs) return;
    this.queue.push({ atMs, order: this.order++, movable, run });
  }

  /** A follow-up that counts against no limit: planned up to the horizon (see PlanContext). */
  scheduleFollowUp(atMs: number, run: (atMs: number) => void): void {
    if (atMs < this.ctx.startMs || atMs >= this.ctx.horizonMs) return;
    this.queue.push({ atMs, order: this.order++, movable: false, run });
  }

  /** No fresh behaviour occurrence starts inside [startMs, endMs] (PIN tries, SCA counters). */
  reserve(startMs: number, endMs: number): void {
    this.reserved.push({ startMs, endMs });
  }

  /** Runs the queue in time order until it is empty. */
  drain(): void {
    for (;;) {
      let next = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const o = this.queue[i];
        if (next < 0 || o.atMs < this.queue[next].atMs || (o.atMs === this.queue[next].atMs && o.order < this.queue[next].order)) next = i;
      }
      if (next < 0) return;
      const [occurrence] = this.queue.splice(next, 1);
      const blocking = occurrence.movable ? this.reserved.find((w) => occurrence.atMs >= w.startMs && occurrence.atMs <= w.endMs) : undefined;
      if (blocking !== undefined) this.schedule(blocking.endMs + 1000, occurrence.run, true);
      else occurrence.run(occurrence.atMs);
    }
  }

  newTxn(): string {
    this.txnCount += 1;
    return `${this.index}-${this.txnCount}`;
  }

  /**
   * Adds a step to the plan. The model follows what the plan sends: a reversal gives the hold
   * back, a completion posts its final amount, a load credits its wallet (authorisations are
   * booked by whoever decides them: see book).
   */
  emit(step: StepInput): void {
    if (step.atMs < this.ctx.startMs || step.atMs >= this.ctx.horizonMs) return;
    this.stepCount += 1;
    this.steps.push({ ...step, cardholder: this.index, seq: this.index * 1_000_000 + this.stepCount } as Step);
    if (step.type === 'reversal' && step.remainingMinor === 0n) this.model.reverse(step.txn, step.atMs);
    else if (step.type === 'completion') this.model.complete(step.txn, step.amountMinor, step.atMs);
    else if (step.type === 'back-office' && step.action.kind === 'load') this.model.credit(step.action.amount.currency, step.action.amount.minor, step.atMs);
  }

  /** Adds a line to a future clearing file; the model books what it will do to the balances. */
  addClearing(item: ClearingItem): void {
    if (!this.ctx.scenario.clearing.enabled) return;
    this.clearing.push(item);
    if (item.kind === 'presentment') this.model.present(item.txn, item);
    else if (item.kind === 'refund') this.model.refund(item.txn, item);
    else this.model.forcePost({ ...item, mcc: item.merchant.mcc });
  }

  /**
   * A card of the persona usable for `use`, or undefined. Online the virtual card comes first;
   * contactless, the physical card unless `preferVirtual` (a phone's device wallet).
   */
  cardFor(use: 'pin' | 'contactless' | 'ecommerce', preferVirtual = false): CardForm | undefined {
    const live = this.cardholder.cards.filter((form) => !this.deadCards.has(form));
    const virtual = live.find((form) => form === 'virtual' && this.program.cardForms.virtual !== null);
    const physical = live.find((form) => form === 'physical');
    if (use === 'pin') return physical;
    if (use === 'ecommerce' || preferVirtual) return virtual ?? physical;
    return physical ?? virtual;
  }

  /** What the model says about a request (nothing booked). */
  decide(request: RequestSpec, atMs: number, incremental = false): ModelOutcome {
    return this.model.decide(cardTransactionOf(request, incremental), atMs);
  }

  /**
   * Books a decided request in the model: `txn` is the plan's transaction id (an incremental
   * authorisation's is its original's); `standIn`: sent as a 0120 advice (it holds like a 0100).
   */
  book(txn: string, request: RequestSpec, outcome: ModelOutcome, atMs: number, options: { incremental?: boolean; standIn?: boolean } = {}): void {
    this.model.book(txn, cardTransactionOf(request, options.incremental ?? false), outcome, atMs, options.standIn ? '0120' : request.mti);
  }

  /** The expectation of a request whose answer the model knows; undefined when it cannot tell. */
  static expectationOf(outcome: ModelOutcome): string[] | undefined {
    if (outcome.approved) return ['00'];
    return outcome.code === null ? undefined : [outcome.code];
  }

  inStandInWindow(atMs: number): boolean {
    return this.ctx.standInWindows.some((w) => atMs >= w.startMs && atMs < w.endMs);
  }

  /**
   * An ordinary approved authorisation: planned only when the model approves it (and booked);
   * network effects (retry, timeout then 0420, stand-in 0120) are drawn here. Returns the txn id
   * and whether the network reversed it after a timeout, or undefined when not planned.
   */
  approvedAuth(
    atMs: number,
    input: { family: Family; behaviour: string; card: CardForm; request: RequestSpec; networkEffects: boolean },
  ): { txn: string; timedOut: boolean; outcome: Extract<ModelOutcome, { approved: true }> } | undefined {
    if (this.deadCards.has(input.card)) return undefined;
    const outcome = this.decide(input.request, atMs);
    if (!outcome.approved) return undefined;
    const txn = this.newTxn();
    const network = this.ctx.scenario.network;
    const draw = this.prng('network', txn);
    const standIn = input.networkEffects && input.request.mti === '0100' && input.request.pin === null && input.request.condition !== '06' && this.inStandInWindow(atMs);
    const timeout = input.networkEffects && !standIn && input.request.mti === '0100' && draw.chance(network.timeoutShare);
    const retry = input.networkEffects && !timeout && draw.chance(network.retryShare);
    this.book(txn, input.request, outcome, atMs, { standIn });
    this.emit({ type: 'auth', atMs, family: input.family, behaviour: input.behaviour, expect: ['00'], txn, card: input.card, request: input.request, retry, timeout, standIn } satisfies Omit<AuthStep, 'seq' | 'cardholder'>);
    if (timeout) {
      // The network's timer ran out: it reverses what it sent with a 0420 advice (no clearing).
      this.emit({ type: 'reversal', atMs: atMs + 20_000, family: 'network', behaviour: 'timeout-reversal', expect: ['00'], txn, mti: '0420', remainingMinor: 0n });
    }
    return { txn, timedOut: timeout, outcome };
  }

  /** The processing day `days` days after the local day of `atMs`. */
  processingDay(atMs: number, days: number): string {
    return dayIdOf(addDays(localDateOf(atMs, this.timeZone), days));
  }

  /** An instant on a local day at a given local hour and minute. */
  atLocal(date: LocalDate, hour: number, minute: number): number {
    return startOfLocalDay(date, this.timeZone) + hour * MS_PER_HOUR + minute * MS_PER_MINUTE;
  }

  /** Converts an amount in the account currency into another currency at the day's reference rate. */
  accountToCurrency(amountMinor: bigint, currency: CurrencyCode, atMs: number): bigint | undefined {
    return convertMinor(this.ctx.catalogue, amountMinor, this.program.accountCurrency, currency, dayIdOf(localDateOf(atMs, this.timeZone)));
  }
}

/** The rule-relevant description of a planned request (@lib/programs reads only this). */
export function cardTransactionOf(request: RequestSpec, incremental = false): CardTransaction {
  const kind = kindFromProcessingCode(`${request.processing}0000`, request.amountMinor);
  const entryMode = entryModeFromFields(request.entryMode, request.condition);
  if (kind === undefined || entryMode === undefined) throw new Error(`planner built an invalid request (${request.processing}, ${request.entryMode})`);
  return {
    kind,
    channel: channelOf(kind, entryMode, request.condition),
    entryMode,
    preAuthorisation: request.condition === '06',
    incremental,
    transactionAmount: money(request.amountMinor, request.currency),
    acquirerCountry: request.merchant.countryNumeric,
    mcc: request.merchant.mcc,
  };
}

/** amount (minor, `from`) in `to` minor units at the reference rates of `day`, rounded half-up. */
export function convertMinor(catalogue: ProgramCatalogue, amountMinor: bigint, from: CurrencyCode, to: CurrencyCode, day: string): bigint | undefined {
  if (from === to) return amountMinor;
  const rateOf = (code: CurrencyCode) => {
    if (code === 'EUR') return '1';
    for (let i = catalogue.rates.days.length - 1; i >= 0; i--) {
      const rateDay = catalogue.rates.days[i];
      if (rateDay.day > day) continue;
      const rate = rateDay.rates.get(code);
      if (rate !== undefined) return rate.toString();
    }
    return undefined;
  };
  const fromRate = rateOf(from);
  const toRate = rateOf(to);
  if (fromRate === undefined || toRate === undefined) return undefined;
  return convertWithRates(amountMinor, from, to, fromRate, toRate);
}

function convertWithRates(amountMinor: bigint, from: CurrencyCode, to: CurrencyCode, fromUnitsPerEur: string, toUnitsPerEur: string): bigint {
  const major = new Decimal(amountMinor.toString()).div(new Decimal(10).pow(exponentOf(from)));
  const converted = major.div(fromUnitsPerEur).mul(toUnitsPerEur).mul(new Decimal(10).pow(exponentOf(to)));
  return roundToBigInt(converted, roundHalfUp);
}
