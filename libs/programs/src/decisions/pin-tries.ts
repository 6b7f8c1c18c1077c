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

/** Back office `POST /v1/cards/{id}/pin/unblock`. */
export function unblockPin(): PinTriesState {
  return PIN_TRIES_INITIAL;
}
