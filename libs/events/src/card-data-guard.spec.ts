import fc from 'fast-check';
import { toAuthorizationEvent } from './authorization-event';
import {
  assertNoCardData,
  CardDataError,
  findCardData,
  luhnValid,
  maskPan,
  redactCardData,
} from './card-data-guard';
import { encodeAuthorizationEvent } from './encode-authorization-event';
import { decisionEntry, sampleRecord } from './testing/event-samples';

/** 4111 1111 1111 1111 and 5555 5555 5555 4444 are the networks' published test PANs (Luhn-valid). */
const VISA_TEST_PAN = '4111111111111111';
const MC_TEST_PAN = '5555555555554444';

/** A Luhn-valid number: the body plus its check digit. */
function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable: one check digit always fits');
}

const panArbitrary = fc
  .tuple(
    fc.integer({ min: 1, max: 9 }),
    fc
      .integer({ min: 12, max: 18 })
      .chain((n) =>
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n - 1, maxLength: n - 1 }),
      ),
  )
  .map(([first, rest]) => withCheckDigit(`${first}${rest}`));

function approvedEvent() {
  const result = toAuthorizationEvent('acct-1', decisionEntry(sampleRecord('acct-1', 'evt-1')));
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

describe('luhnValid', () => {
  it('accepts the published test PANs and refuses them with one digit changed', () => {
    expect(luhnValid(VISA_TEST_PAN)).toBe(true);
    expect(luhnValid(MC_TEST_PAN)).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('41111111111x1111')).toBe(false);
  });

  it('holds for every body with its check digit, and fails for any other last digit', () => {
    fc.assert(
      fc.property(panArbitrary, fc.integer({ min: 1, max: 9 }), (pan, shift) => {
        const wrong = pan.slice(0, -1) + String((Number(pan.at(-1)) + shift) % 10);
        return luhnValid(pan) && !luhnValid(wrong);
      }),
    );
  });
});

describe('assertNoCardData: no PAN anywhere in an event', () => {
  it('passes a real event (TI, masked PAN, FX rate with many decimals, UUID-like ids)', () => {
    expect(() => assertNoCardData(JSON.stringify(approvedEvent()))).not.toThrow();
  });

  it.each<[string, (pan: string) => unknown, string]>([
    [
      'the merchant name',
      (pan) => ({ ...approvedEvent(), merchant: { id: 'M1', name: `SHOP ${pan} PARIS`, country: 'FR' } }),
      '/merchant/name',
    ],
    ['a context value', (pan) => ({ ...approvedEvent(), context: { note: `card=${pan}` } }), '/context/note'],
    [
      'a nested array',
      (pan) => ({
        ...approvedEvent(),
        fees: [{ type: 'x', amount: { minor: '1', currency: 'EUR' }, memo: [pan] }],
      }),
      '/fees/0/memo/0',
    ],
    ['a number', (pan) => ({ ...approvedEvent(), stray: Number(pan) }), '/stray'],
    [
      'groups of four',
      (pan) => ({
        ...approvedEvent(),
        merchant: {
          id: `${pan.slice(0, 4)} ${pan.slice(4, 8)} ${pan.slice(8, 12)} ${pan.slice(12)}`,
          name: null,
          country: null,
        },
      }),
      '/merchant/id',
    ],
  ])('finds a PAN in %s and names its path, not its value', (_where, inject, path) => {
    const leaked = inject(VISA_TEST_PAN);
    expect(findCardData(leaked)).toEqual([{ path, kind: 'pan' }]);
    expect(() => assertNoCardData(JSON.stringify(leaked))).toThrow(
      new CardDataError([{ path, kind: 'pan' }]),
    );
    expect(() => assertNoCardData(leaked)).toThrow(/^card data found at [^ ]* \(pan\)$/);
    expect(() => assertNoCardData(leaked)).not.toThrow(/[0-9]{13}/);
  });

  it('finds any Luhn-valid 13 to 19 digit run in free text (property)', () => {
    fc.assert(
      fc.property(panArbitrary, fc.string({ maxLength: 10 }), (pan, prefix) => {
        const text = `${prefix.replace(/[0-9.]/g, '')} ${pan} end`;
        return findCardData({ ...approvedEvent(), merchant: { id: null, name: text, country: null } }).some(
          (f) => f.path === '/merchant/name',
        );
      }),
    );
  });

  it.each([
    ['a 16-digit run that fails Luhn', '4111111111111112'],
    ['a run starting with 0 (no card number does)', '0000000000001250'],
    ['12 digits (an RRN)', '233110000123'],
    ['20 digits (too long for a PAN)', '41111111111111110000'],
    ['the digits of a decimal', '0.4111111111111111'],
  ])('lets through %s', (_name, text) => {
    expect(findCardData({ note: text })).toEqual([]);
  });

  it('lets a Luhn-valid 15-digit TI through, but not the card PAN in an identifier', () => {
    const ti = withCheckDigit('12345678901234');
    expect(findCardData({ ...approvedEvent(), transactionId: ti })).toEqual([]);
    expect(findCardData({ note: ti })).toEqual([{ path: '/note', kind: 'pan' }]);
    // panMasked is 499999******0001: a run with those first 6 and last 4 is the card's own PAN.
    const cardPan = findOwnPan('499999', '0001');
    expect(findCardData({ ...approvedEvent(), transactionId: cardPan })).toEqual([
      { path: '/transactionId', kind: 'pan' },
    ]);
    expect(findCardData({ ...approvedEvent(), eventId: `evt-${cardPan}` })).toEqual([
      { path: '/eventId', kind: 'pan' },
    ]);
  });

  it.each(['pin', 'PIN', 'cvv', 'cvv2', 'pinBlock', 'pin_block', 'track2', 'pan'])(
    'refuses a field named %s, whatever its value',
    (name) => {
      expect(findCardData({ context: { [name]: 'x' } })).toEqual([
        { path: `/context/${name}`, kind: 'sensitive-field' },
      ]);
      expect(() => assertNoCardData({ a: [{ [name]: null }] })).toThrow(
        `card data found at /a/0/${name} (sensitive-field)`,
      );
    },
  );

  it('refuses a PAN slipped into a decision record: the relay never produces it', () => {
    fc.assert(
      fc.property(panArbitrary, (pan) => {
        const record = sampleRecord('acct-1', 'evt-1', { context: { channel: 'pos', memo: pan } });
        const result = encodeAuthorizationEvent('acct-1', decisionEntry(record));
        return !result.ok && result.stage === 'card-data';
      }),
    );
  });
});

describe('redactCardData', () => {
  it('masks PANs to first 6 / last 4 and blanks sensitive fields, keeping the rest', () => {
    const redacted = redactCardData({
      name: `PAY ${MC_TEST_PAN}`,
      pinBlock: '0412AC...',
      transactionId: '123456789012345',
      rate: '0.4111111111111111',
    });
    expect(redacted).toEqual({
      name: `PAY ${maskPan(MC_TEST_PAN)}`,
      pinBlock: '[redacted]',
      transactionId: '123456789012345',
      rate: '0.4111111111111111',
    });
    expect(findCardData(redacted)).toEqual([{ path: '/pinBlock', kind: 'sensitive-field' }]);
    expect(maskPan(MC_TEST_PAN)).toBe('555555******4444');
  });
});

/** A Luhn-valid 16-digit PAN with the given first 6 and last 4 digits. */
function findOwnPan(first6: string, last4: string): string {
  for (let middle = 0; middle < 1_000_000; middle++) {
    const pan = `${first6}${String(middle).padStart(6, '0')}${last4}`;
    if (luhnValid(pan)) return pan;
  }
  throw new Error('no PAN found');
}

describe('identifiers of the issuer', () => {
  it('does not mistake a generated account id with a Luhn-valid digit run for a PAN', () => {
    // acc_fd7bc7752502075806e30b12 holds 7752502075806 (13 digits, Luhn-valid): a real case.
    const event = { accountId: 'acc_fd7bc7752502075806e30b12', cardId: 'card_0e76ff3111ab542cc336047f', loadId: 'load_79148ffb6212c1915165a0f8' };
    expect(findCardData(event)).toEqual([]);
    expect(findCardData({ note: 'acc_fd7bc7752502075806e30b12' })).not.toEqual([]);
  });
});
