import type { CurrencyCode } from '@lib/money';
import type { CardForm } from '@lib/programs';
import type { MerchantCategory } from '../planning/merchants';

/**
 * A scenario file, validated (parse-scenario.ts): who the cardholders are, what they do and how
 * often, how the network behaves, and what the daily clearing file looks like. Amounts are exact
 * minor units; rates are occurrences per simulated day.
 */
export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly run: RunDefaults;
  readonly population: { readonly cardholders: number };
  readonly network: NetworkBehaviour;
  readonly clearing: ClearingBehaviour;
  readonly personas: readonly PersonaSpec[];
}

/** Defaults of the CLI flags (`--duration`, `--rate`, `--accelerate`, `--driver`). */
export interface RunDefaults {
  readonly durationSeconds: number;
  /** Messages per second; 0 = as fast as possible. */
  readonly ratePerSecond: number;
  /** Simulated seconds per real second; 0 = the real clock. */
  readonly accelerate: number;
  readonly driver: 'tcp' | 'http';
  readonly maxInFlight: number;
  readonly connections: number;
}

export interface NetworkBehaviour {
  readonly signOn: boolean;
  /** The link sends a 0800 echo after this long without traffic; 0 = never. */
  readonly echoIdleMs: number;
  /** Explicit echoes planned per simulated day, besides the idle ones. */
  readonly echoPerDay: number;
  /** How long the network waits for an answer before it reverses (0420) what it sent. */
  readonly responseTimeoutMs: number;
  /** Share of authorisations the network sends twice (same MTI, 32, 11, 7). */
  readonly retryShare: number;
  /** Share of purchases whose answer the network treats as too late: a 0420 follows. */
  readonly timeoutShare: number;
  /** Windows when the issuer is "unavailable": the network stands in and sends 0120 advices. */
  readonly standIn: { readonly perDay: number; readonly minutes: number } | null;
}

export interface IntRange {
  readonly min: number;
  readonly max: number;
}

export interface ClearingBehaviour {
  readonly enabled: boolean;
  /** Days between the authorisation and its presentment. */
  readonly delayDays: IntRange;
  /** Share of e-commerce purchases shipped in two parts (final=false, then final=true). */
  readonly splitShare: number;
  /** Share of restaurant purchases presented with a tip (more than authorised). */
  readonly tipShare: number;
  readonly tipPercent: IntRange;
  /** Share of purchases presented late, after their hold expired. */
  readonly lateShare: number;
  readonly lateDays: IntRange;
  /** Force posts (presentments without authorisation) per cardholder per simulated day. */
  readonly forcePostsPerDay: number;
}

export interface AmountRange {
  /** Minor units of the program's account currency (EUR), or its equivalent abroad. */
  readonly min: bigint;
  readonly max: bigint;
}

export interface CurrencyAmount {
  readonly currency: CurrencyCode;
  readonly minor: bigint;
}

export interface PersonaSpec {
  readonly name: string;
  readonly program: string;
  readonly weight: number;
  readonly cards: readonly CardForm[];
  /** Loaded by SEPA transfer at provisioning: the account currency first, then other wallets. */
  readonly funding: readonly CurrencyAmount[];
  readonly reload: { readonly everyDays: number; readonly amount: CurrencyAmount } | null;
  readonly behaviours: readonly BehaviourSpec[];
}

export type Mix<K extends string> = Readonly<Partial<Record<K, number>>>;

interface Rated {
  /** Occurrences per simulated day (the file says perDay, perWeek or perMonth). */
  readonly ratePerDay: number;
}

export type BehaviourSpec =
  | (Rated & { readonly kind: 'pos-purchase'; readonly amount: AmountRange; readonly mix: Mix<'chip-pin' | 'contactless'>; readonly merchants: readonly MerchantCategory[] })
  | (Rated & { readonly kind: 'ecommerce'; readonly amount: AmountRange; readonly mix: Mix<'sca' | 'exempt'>; readonly merchants: readonly MerchantCategory[] })
  | (Rated & { readonly kind: 'atm-withdrawal'; readonly amount: AmountRange; readonly mix: Mix<'dual' | 'single'> })
  | (Rated & { readonly kind: 'balance-inquiry'; readonly mix: Mix<'dual' | 'single'> })
  | (Rated & { readonly kind: 'travel-purchase'; readonly amount: AmountRange; readonly destinations: readonly string[]; readonly mix: Mix<'chip-pin' | 'contactless' | 'ecommerce'> })
  | (Rated & { readonly kind: 'travel-atm'; readonly amount: AmountRange; readonly destinations: readonly string[] })
  | (Rated & {
      readonly kind: 'limit-hit';
      readonly limit: 'atm-amount' | 'atm-count';
      readonly amount: AmountRange;
      readonly destination: string | null;
      readonly expect: string;
    })
  | (Rated & { readonly kind: 'hotel-stay'; readonly amount: AmountRange; readonly nights: IntRange; readonly incrementals: IntRange; readonly finalPercent: IntRange })
  | (Rated & { readonly kind: 'car-rental'; readonly amount: AmountRange; readonly mix: Mix<'expire' | 'complete'> })
  | (Rated & {
      readonly kind: 'bnpl-plan';
      readonly amount: AmountRange;
      readonly instalments: Readonly<Record<string, number>>;
      readonly revokeShare: number;
      readonly refundShare: number;
    })
  | (Rated & { readonly kind: 'bnpl-card-check'; readonly mix: Mix<'charge-and-reverse' | 'verification'> })
  | (Rated & { readonly kind: 'bnpl-void'; readonly amount: AmountRange })
  | (Rated & { readonly kind: BadActorKind });

export const BAD_ACTOR_KINDS = [
  'wrong-pin',
  'expired-card',
  'wrong-cvv2',
  'unknown-card',
  'malformed',
  'restricted-merchant',
  'sca-missing',
  'lost-card',
] as const;
export type BadActorKind = (typeof BAD_ACTOR_KINDS)[number];

export type BehaviourKind = BehaviourSpec['kind'];
