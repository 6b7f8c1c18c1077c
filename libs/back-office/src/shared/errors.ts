import type { CardState } from '@lib/store';
import type { Result } from '@lib/money';
import type { MoneyJson } from './money-json';

/**
 * Every expected refusal of a back-office use case, as a value (STYLE.md 5: no HTTP exception in
 * domain code). The HTTP adapter maps `code` to a status (docs/back-office.md); the use cases never
 * know about status codes. Values are plain JSON so an outcome can be stored for an idempotent
 * replay and mapped again, identically, by the adapter.
 */
export type BackOfficeError =
  | { readonly code: 'validation'; readonly field: string; readonly reason: string }
  | { readonly code: 'not-found'; readonly reason: string }
  | { readonly code: 'idempotency-conflict'; readonly reason: string }
  | { readonly code: 'load-limit'; readonly reason: LoadRefusalReason; readonly limit: LimitJson | null }
  | {
      readonly code: 'insufficient-funds';
      readonly reason: string;
      readonly fee: MoneyJson;
      readonly available: MoneyJson;
    }
  | { readonly code: 'card-limit'; readonly reason: string; readonly cardId: string }
  | { readonly code: 'card-form-not-offered'; readonly reason: string }
  | { readonly code: 'invalid-transition'; readonly reason: string; readonly state: CardState }
  | { readonly code: 'account-state'; readonly reason: string; readonly status: string }
  | { readonly code: 'busy'; readonly reason: string }
  | { readonly code: 'fx-unavailable'; readonly reason: string };

export type BackOfficeErrorCode = BackOfficeError['code'];

/** The limit a refused load ran into: its name in the program and its value. */
export interface LimitJson {
  readonly name: string;
  readonly value: MoneyJson | number | readonly string[];
}

/** Why a load is refused: the domain's LoadDeclineReason names, plus `amount-below-fee`. */
export type LoadRefusalReason =
  | 'currency-not-held'
  | 'first-load-method-not-allowed'
  | 'below-first-load-minimum'
  | 'above-first-load-maximum'
  | 'below-minimum-load'
  | 'above-maximum-load'
  | 'load-count-per-day-exceeded'
  | 'card-load-count-per-day-exceeded'
  | 'load-amount-per-day-exceeded'
  | 'card-load-amount-per-day-exceeded'
  | 'load-amount-per-month-exceeded'
  | 'load-amount-per-year-exceeded'
  | 'max-balance-exceeded'
  | 'amount-below-fee';

/** What a use case answers: its value or one refusal. */
export type Outcome<T> = Result<T, BackOfficeError>;

/** An outcome plus whether it is the stored answer of an earlier request with the same Idempotency-Key. */
export interface Answer<T> {
  readonly outcome: Outcome<T>;
  readonly replayed: boolean;
}

export const refuse = (error: BackOfficeError): { readonly ok: false; readonly error: BackOfficeError } => ({
  ok: false,
  error,
});
export const notFound = (what: string) => refuse({ code: 'not-found', reason: `unknown ${what}` });

export const IDEMPOTENCY_CONFLICT_REASON_TEXT =
  'this Idempotency-Key was used with another request (method, route or body)';
export const busy = () =>
  refuse({ code: 'busy', reason: 'the account kept changing under this request: retry it' });
