import { AccountRecord, CardSecrets, accountToHash, cardToHash } from '@lib/store';
import type { AccountState } from '../shared/account-state';
import { specProgram } from '../shared/spec-catalogue';
import { CardForm } from '@lib/programs';
import { decideIssue } from './plan-issue';

const NOW = Date.parse('2026-11-22T10:00:00Z');
const secrets = new CardSecrets('spec-only-pan-hmac-key-0123456789abcdef');
const numbers = { cardId: 'card_spec', pan: '4999990123456782', expiry: '2911', cvv2: '731', pin: '583920' };

function stateOf(
  programId: string,
  availMinor: number,
  extra: Record<string, string> = {},
  status: AccountRecord['status'] = 'active',
): AccountState {
  const account: AccountRecord = {
    accountId: 'acc_spec',
    program: programId,
    status,
    version: 1,
    billing: 'none',
    openedAt: NOW,
    homeCurrency: 'EUR',
    holderName: 'Spec',
    holderEmail: 'spec@example.org',
    loadCount: 1,
  };
  return {
    account,
    accountHash: { ...accountToHash(account), ...extra },
    balances: { 'EUR:ledger': String(availMinor + 500), 'EUR:avail': String(availMinor) },
    storedAnswer: null,
  };
}

function issue(
  programId: string,
  form: CardForm,
  availMinor: number,
  extra: Record<string, string> = {},
  status: AccountRecord['status'] = 'active',
) {
  return decideIssue({
    program: specProgram(programId),
    state: stateOf(programId, availMinor, extra, status),
    command: { form },
    numbers,
    secrets,
    nowMs: NOW,
    eventId: 'evt-spec',
  });
}

const eur = (minor: number) => ({ minor: String(minor), currency: 'EUR' });

describe('decideIssue', () => {
  it('delivers a physical card inactive and a virtual one active, each with its creation fee (seed 004: 10.00 / 2.00)', () => {
    const physical = issue('eur-standard', 'physical', 1000);
    expect(physical.ok && [physical.value.card.state, physical.value.feeMinor]).toEqual(['inactive', 1000n]);
    const virtual = issue('eur-premium', 'virtual', 200);
    expect(virtual.ok && [virtual.value.card.state, virtual.value.feeMinor]).toEqual(['active', 200n]);
    const travel = issue('travel-multicurrency', 'physical', 0);
    expect(travel.ok && [travel.value.card.state, travel.value.feeMinor, travel.value.event.fees]).toEqual([
      'inactive',
      0n,
      [],
    ]);
  });

  it('refuses the fee the available balance does not cover', () => {
    expect(issue('eur-standard', 'physical', 999)).toEqual({
      ok: false,
      error: {
        code: 'insufficient-funds',
        reason: 'the card creation fee is not covered by the available balance',
        fee: eur(1000),
        available: eur(999),
      },
    });
    expect(issue('eur-standard', 'virtual', 199)).toMatchObject({
      ok: false,
      error: { code: 'insufficient-funds', fee: eur(200) },
    });
    expect(issue('eur-standard', 'physical', -50)).toMatchObject({
      ok: false,
      error: { code: 'insufficient-funds' },
    });
  });

  it('allows one live card of each form, a form the program offers, on an open account', () => {
    expect(issue('eur-standard', 'physical', 5000, { 'liveCard:physical': 'card_old' })).toMatchObject({
      ok: false,
      error: { code: 'card-limit', cardId: 'card_old' },
    });
    expect(issue('eur-standard', 'virtual', 5000, { 'liveCard:physical': 'card_old' }).ok).toBe(true);
    expect(issue('travel-multicurrency', 'virtual', 5000)).toMatchObject({
      ok: false,
      error: { code: 'card-form-not-offered' },
    });
    expect(issue('eur-standard', 'physical', 5000, {}, 'closed')).toMatchObject({
      ok: false,
      error: { code: 'account-state', status: 'closed' },
    });
  });

  it('keeps no card number in clear in the record, the replay answer or the event', () => {
    const result = issue('eur-standard', 'physical', 5000);
    if (!result.ok) throw new Error('expected an issuance');
    const { card, replay, event, answer } = result.value;
    expect(answer).toMatchObject({ pan: numbers.pan, cvv2: numbers.cvv2, pin: numbers.pin, expiry: '2911' });
    expect(card.panHash).toBe(secrets.panHash(numbers.pan));
    expect(card.pinCheck).toBe(secrets.pinCheck(numbers.pan, numbers.pin));
    expect(card.cvv2Check).toBe(secrets.cvv2Check(numbers.pan, '2911', numbers.cvv2));
    expect([card.panFirst6, card.panLast4]).toEqual(['499999', '6782']);
    const stored = JSON.stringify([cardToHash(card), replay, event]);
    expect(stored).not.toContain(numbers.pan);
    expect(stored).not.toContain(numbers.pan.slice(6, 12));
    expect(Object.values(cardToHash(card))).not.toContain(numbers.pin);
    expect(Object.values(cardToHash(card))).not.toContain(numbers.cvv2);
    expect(JSON.stringify(replay)).not.toMatch(/731|583920/);
    expect(replay).toEqual({
      kind: 'issued-earlier',
      cardId: 'card_spec',
      panMasked: '499999******6782',
      expiry: '2911',
      form: 'physical',
      state: 'inactive',
    });
  });

  it('describes the issuance in a card.issued event with the fee as a fee line and the balances after', () => {
    const result = issue('eur-standard', 'physical', 5000);
    expect(result.ok && result.value.event).toEqual({
      schemaVersion: 1,
      eventId: 'evt-spec',
      type: 'card.issued',
      occurredAt: '2026-11-22T10:00:00.000Z',
      accountId: 'acc_spec',
      cardId: 'card_spec',
      form: 'physical',
      state: 'inactive',
      panMasked: '499999******6782',
      expiry: '2911',
      fees: [{ type: 'card-creation', amount: eur(1000) }],
      balances: { ledger: eur(4500), available: eur(4000) },
    });
  });
});
