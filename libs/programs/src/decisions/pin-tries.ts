import { CardTransaction, isSpend } from '../transaction';
import { DeclineReason } from './decline-reason';

/**
 * PIN tries as pure state transitions (network-interface.md "PIN tries"): the third consecutive
 * wrong PIN is answered `75`, and so is every PIN transaction after it, even with the right PIN,
 * until the back office unblocks the PIN; a right PIN before the third resets the count.
 * Transactions without a PIN never call this.
 */
export interface PinTriesState {
  readonly consecutiveWrong: number;
  readonly blocked: boolean;
}

export const PIN_TRIES_INITIAL: PinTriesState = Object.freeze({ consecutiveWrong: 0, blocked: false });

export type PinOutcome =
  | { readonly outcome: 'verified'; readonly next: PinTriesState }
  | {
      readonly outcome: 'declined';
      readonly reason: DeclineReason.PinIncorrect | DeclineReason.PinTriesExceeded;
      readonly next: PinTriesState;
    };

/** One PIN verification. `maxConsecutiveWrong` is the program's (3). */
export function verifyPinAttempt(
  state: PinTriesState,
  pinCorrect: boolean,
  maxConsecutiveWrong: number,
): PinOutcome {
  if (state.blocked) return { outcome: 'declined', reason: DeclineReason.PinTriesExceeded, next: state };
  if (pinCorrect) return { outcome: 'verified', next: PIN_TRIES_INITIAL };
  const consecutiveWrong = state.consecutiveWrong + 1;
  if (consecutiveWrong >= maxConsecutiveWrong) {
    return {
      outcome: 'declined',
      reason: DeclineReason.PinTriesExceeded,
      next: { consecutiveWrong, blocked: true },
    };
  }
  return {
    outcome: 'declined',
    reason: DeclineReason.PinIncorrect,
    next: { consecutiveWrong, blocked: false },
  };
}

/**
 * Whether the transaction needs the cardholder's PIN (seed 004 clause 10.1.2, card-programs.md
 * "ATM needs the PIN; POS needs contactless or chip+PIN"): at the ATM always; at a POS, a chip
 * payment. Not an incremental authorisation (it adds to a hold the cardholder already authorised,
 * with no card present), not a refund (the cardholder receives money), not contactless (the spec
 * allows it without PIN). Magnetic stripe at a POS is refused outright (checkPermissions).
 */
export function pinRequired(txn: CardTransaction): boolean {
  if (txn.channel === 'atm') return true;
  return txn.channel === 'pos' && txn.entryMode === 'chip' && isSpend(txn.kind) && !txn.incremental;
}

/**
 * A transaction that requires a PIN (at the ATM) but carries none: declined like a wrong PIN
 * (`55`, or `75` while the PIN is blocked), but it is no try, so the count is left as it is. Only
 * an entered PIN is verified and counted ("Transactions without a PIN are not affected").
 */
export function refuseMissingPin(state: PinTriesState): PinOutcome {
  const reason = state.blocked ? DeclineReason.PinTriesExceeded : DeclineReason.PinIncorrect;
  return { outcome: 'declined', reason, next: state };
}

/** Back office `POST /v1/cards/{id}/pin/unblock`. */
export function unblockPin(): PinTriesState {
  return PIN_TRIES_INITIAL;
}
