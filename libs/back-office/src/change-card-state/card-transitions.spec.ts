import type { CardState } from '@lib/store';
import { CardAction, transition } from './card-transitions';

const STATES: CardState[] = [
  'inactive',
  'active',
  'blocked-temporary',
  'blocked-total',
  'lost',
  'stolen',
  'restricted',
];
const ACTIONS: [string, CardAction][] = [
  ['activate', { kind: 'activate' }],
  ['block temporary', { kind: 'block', mode: 'temporary' }],
  ['block total', { kind: 'block', mode: 'total' }],
  ['block lost', { kind: 'block', mode: 'lost' }],
  ['block stolen', { kind: 'block', mode: 'stolen' }],
  ['unblock', { kind: 'unblock' }],
  ['pin unblock', { kind: 'pin-unblock' }],
];

/** The whole table: `-` is a refusal (409 at the edge). */
const EXPECTED: Record<string, Record<CardState, string>> = {
  activate: {
    inactive: 'active',
    active: '-',
    'blocked-temporary': '-',
    'blocked-total': '-',
    lost: '-',
    stolen: '-',
    restricted: '-',
  },
  'block temporary': {
    inactive: '-',
    active: 'blocked-temporary',
    'blocked-temporary': '-',
    'blocked-total': '-',
    lost: '-',
    stolen: '-',
    restricted: '-',
  },
  'block total': {
    inactive: 'blocked-total',
    active: 'blocked-total',
    'blocked-temporary': 'blocked-total',
    'blocked-total': '-',
    lost: '-',
    stolen: '-',
    restricted: 'blocked-total',
  },
  'block lost': {
    inactive: 'lost',
    active: 'lost',
    'blocked-temporary': 'lost',
    'blocked-total': '-',
    lost: '-',
    stolen: '-',
    restricted: 'lost',
  },
  'block stolen': {
    inactive: 'stolen',
    active: 'stolen',
    'blocked-temporary': 'stolen',
    'blocked-total': '-',
    lost: '-',
    stolen: '-',
    restricted: 'stolen',
  },
  unblock: {
    inactive: '-',
    active: '-',
    'blocked-temporary': 'active',
    'blocked-total': '-',
    lost: '-',
    stolen: '-',
    restricted: '-',
  },
  'pin unblock': {
    inactive: 'inactive',
    active: 'active',
    'blocked-temporary': 'blocked-temporary',
    'blocked-total': '-',
    lost: '-',
    stolen: '-',
    restricted: 'restricted',
  },
};

describe('card transitions', () => {
  for (const [name, action] of ACTIONS) {
    for (const state of STATES) {
      it(`${name} from ${state} -> ${EXPECTED[name][state]}`, () => {
        const result = transition(state, action);
        if (EXPECTED[name][state] === '-') {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error).toContain(state);
        } else {
          expect(result).toEqual({
            ok: true,
            value: expect.objectContaining({ state: EXPECTED[name][state] }),
          });
        }
      });
    }
  }

  it('frees the form slot only for the blocks that end a card, and resets PIN tries only on /pin/unblock', () => {
    expect(transition('active', { kind: 'block', mode: 'lost' })).toEqual({
      ok: true,
      value: { state: 'lost', resetPinTries: false, endsLife: true },
    });
    expect(transition('active', { kind: 'block', mode: 'temporary' })).toEqual({
      ok: true,
      value: { state: 'blocked-temporary', resetPinTries: false, endsLife: false },
    });
    expect(transition('active', { kind: 'pin-unblock' })).toEqual({
      ok: true,
      value: { state: 'active', resetPinTries: true, endsLife: false },
    });
  });
});
