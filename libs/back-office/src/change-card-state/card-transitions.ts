import { Result, err, ok } from '@lib/money';
import type { CardState } from '@lib/store';

/**
 * Card states as pure transitions (card-programs.md "Card states", seed 004 clauses 7.4, 9.7,
 * http-and-events.md): a physical card is delivered inactive and activated once; the holder can
 * block it temporarily (reversible) or totally, and lost / stolen cards are blocked for good; only
 * a temporary block can be lifted. A transition that changes nothing is refused like an
 * impossible one (409): the caller asked for a change that cannot happen from the current state.
 */
export const BLOCK_MODES = ['temporary', 'total', 'lost', 'stolen'] as const;
export type BlockMode = (typeof BLOCK_MODES)[number];

export type CardAction =
  | { readonly kind: 'activate' }
  | { readonly kind: 'block'; readonly mode: BlockMode }
  | { readonly kind: 'unblock' }
  | { readonly kind: 'pin-unblock' };

export interface CardTransition {
  readonly state: CardState;
  /** `/pin/unblock`: the wrong-PIN count goes back to 0 (network-interface.md "PIN tries"). */
  readonly resetPinTries: boolean;
  /** The card can never be used again: its form's slot on the account is freed for a new card. */
  readonly endsLife: boolean;
}

const BLOCKED_STATE: Record<BlockMode, CardState> = {
  temporary: 'blocked-temporary',
  total: 'blocked-total',
  lost: 'lost',
  stolen: 'stolen',
};

/** States no card leaves (a totally blocked, lost or stolen card is replaced, never restored). */
export const TERMINAL_STATES: readonly CardState[] = ['blocked-total', 'lost', 'stolen'];

export function isTerminal(state: CardState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function transition(current: CardState, action: CardAction): Result<CardTransition, string> {
  const to = (state: CardState, extra: Partial<CardTransition> = {}) =>
    ok({ state, resetPinTries: false, endsLife: false, ...extra });
  switch (action.kind) {
    case 'activate':
      return current === 'inactive'
        ? to('active')
        : err(`only an inactive card can be activated; the card is ${current}`);
    case 'block':
      if (action.mode === 'temporary') {
        return current === 'active'
          ? to('blocked-temporary')
          : err(`only an active card can be blocked temporarily; the card is ${current}`);
      }
      return isTerminal(current)
        ? err(`the card is already ${current}, for good`)
        : to(BLOCKED_STATE[action.mode], { endsLife: true });
    case 'unblock':
      return current === 'blocked-temporary'
        ? to('active')
        : err(`only a temporarily blocked card can be unblocked; the card is ${current}`);
    case 'pin-unblock':
      return isTerminal(current)
        ? err(`the card is ${current}, for good: its PIN cannot be unblocked`)
        : to(current, { resetPinTries: true });
  }
}
