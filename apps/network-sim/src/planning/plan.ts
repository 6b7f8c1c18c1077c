import type { CurrencyCode } from '@lib/money';
import type { CardForm } from '@lib/programs';
import type { CurrencyAmount } from '../scenario/scenario';
import type { Merchant } from './merchants';

/**
 * The output of planning: pure data, the same for the same scenario, seed and start instant.
 * The runner turns each step into network messages (or back-office calls) and each clearing item
 * into a line of the daily clearing file.
 */
export interface Plan {
  readonly scenario: string;
  readonly seed: number;
  readonly startMs: number;
  /** End of the planned period: nothing is planned at or after it. */
  readonly endMs: number;
  readonly cardholders: readonly PlannedCardholder[];
  /** Sorted by time, then by `seq`. */
  readonly steps: readonly Step[];
  readonly clearing: readonly ClearingItem[];
  /** Pre-authorisations planned to be left open until they expire (car rentals). */
  readonly holdsLeftToExpire: readonly { readonly txn: string; readonly cardholder: number; readonly expiresAtMs: number }[];
}

export interface PlannedCardholder {
  readonly index: number;
  readonly persona: string;
  readonly program: string;
  readonly cards: readonly CardForm[];
  readonly funding: readonly CurrencyAmount[];
  readonly holderName: string;
  readonly holderEmail: string;
}

/** The scenario families of the summary. */
export type Family = 'everyday' | 'travel' | 'hotel-car' | 'bnpl' | 'bad-actor' | 'network' | 'back-office';

/** What a new authorisation asks for; the runner adds the card's numbers and the message ids. */
export interface RequestSpec {
  readonly mti: '0100' | '0200';
  /** Field 3 digits 1-2: 00 purchase, 01 cash, 31 balance inquiry. */
  readonly processing: '00' | '01' | '31';
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly merchant: Merchant;
  /** Field 22. */
  readonly entryMode: string;
  /** Field 25. */
  readonly condition: '00' | '06' | '59';
  readonly pin: 'right' | 'wrong' | null;
  readonly cvv2: 'right' | 'wrong' | null;
  /** `wrong`: field 14 is not the card's expiry (a stale card number). */
  readonly expiry: 'right' | 'wrong';
  readonly tags: Readonly<Partial<Record<'SC' | 'MI' | 'PA' | 'DV', string>>>;
  /** `unknown`: a card number the issuer never issued. */
  readonly pan: 'card' | 'unknown';
}

interface StepBase {
  readonly seq: number;
  readonly atMs: number;
  /** -1 for network-level steps (echo). */
  readonly cardholder: number;
  readonly family: Family;
  /** The behaviour of the scenario file that planned it (summary, mismatches). */
  readonly behaviour: string;
  /** Accepted response codes; null = no expectation (the outcome depends on live state). */
  readonly expect: readonly string[] | null;
}

export interface AuthStep extends StepBase {
  readonly type: 'auth';
  /** Plan-wide id of the transaction this message starts (its `TI`). */
  readonly txn: string;
  readonly card: CardForm;
  readonly request: RequestSpec;
  /** The network sends the very same message twice (same MTI, 32, 11, 7). */
  readonly retry: boolean;
  /** The network's timer runs out before the answer: a 0420 reversal advice follows (another step). */
  readonly timeout: boolean;
  /** The issuer is "unavailable": the network approved on its behalf and sends a 0120 advice. */
  readonly standIn: boolean;
}

export interface IncrementalStep extends StepBase {
  readonly type: 'incremental';
  readonly txn: string;
  readonly amountMinor: bigint;
}

export interface CompletionStep extends StepBase {
  readonly type: 'completion';
  readonly txn: string;
  readonly amountMinor: bigint;
}

export interface ReversalStep extends StepBase {
  readonly type: 'reversal';
  readonly txn: string;
  readonly mti: '0400' | '0420';
  /** Field 95: what remains authorised; 0 = full reversal (no field 95). */
  readonly remainingMinor: bigint;
}

export interface EchoStep extends StepBase {
  readonly type: 'echo';
}

export interface MalformedStep extends StepBase {
  readonly type: 'malformed';
  readonly card: CardForm;
}

export type BackOfficeAction =
  | { readonly kind: 'revoke-consent'; readonly merchantId: string }
  | { readonly kind: 'block'; readonly mode: 'lost' | 'stolen' }
  | { readonly kind: 'pin-unblock' }
  | { readonly kind: 'load'; readonly amount: CurrencyAmount };

export interface BackOfficeStep extends StepBase {
  readonly type: 'back-office';
  readonly card: CardForm;
  readonly action: BackOfficeAction;
}

export type Step = AuthStep | IncrementalStep | CompletionStep | ReversalStep | EchoStep | MalformedStep | BackOfficeStep;

/** One line of a future clearing file. Amounts are in the transaction currency. */
export type ClearingItem =
  | {
      readonly kind: 'presentment';
      readonly txn: string;
      readonly cardholder: number;
      /** 'YYYY-MM-DD' in the program's time zone. */
      readonly processingDay: string;
      readonly amountMinor: bigint;
      readonly currency: CurrencyCode;
      readonly final: boolean;
      readonly label: 'exact' | 'completion' | 'tip' | 'split' | 'late' | 'instalment';
    }
  | {
      readonly kind: 'refund';
      readonly txn: string;
      readonly cardholder: number;
      readonly processingDay: string;
      readonly amountMinor: bigint;
      readonly currency: CurrencyCode;
      readonly label: 'refund' | 'partial-refund';
    }
  | {
      readonly kind: 'force-post';
      readonly cardholder: number;
      readonly card: CardForm;
      readonly processingDay: string;
      readonly amountMinor: bigint;
      readonly currency: CurrencyCode;
      readonly merchant: Merchant;
    };
