import fc from 'fast-check';
import type { RandomSource } from '../shared/back-office-deps';
import {
  CARD_VALIDITY_MONTHS,
  PAN_LENGTH,
  TEST_BIN,
  expiryFor,
  generateCvv2,
  generatePan,
  generatePin,
  isLuhnValid,
  isWeakPin,
  luhnCheckDigit,
} from './card-numbers';

/** A random source that plays back the digit strings it is given. */
function scripted(...draws: string[]): RandomSource {
  return {
    id: (prefix) => `${prefix}_fixed`,
    digits: (count) => {
      const next = draws.shift();
      if (next === undefined || next.length !== count) throw new Error(`unexpected draw of ${count} digits`);
      return next;
    },
    uuid: () => '00000000-0000-4000-8000-000000000000',
  };
}

describe('card numbers', () => {
  it('computes the Luhn check digit of known numbers', () => {
    expect(luhnCheckDigit('411111111111111')).toBe('1');
    expect(luhnCheckDigit('7992739871')).toBe('3');
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(isLuhnValid('4111111111111112')).toBe(false);
    expect(isLuhnValid('49927398716')).toBe(true);
  });

  it('detects every single-digit error (the point of Luhn)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{15}$/),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 1, max: 9 }),
        (body, position, delta) => {
          const pan = body + luhnCheckDigit(body);
          const altered =
            pan.slice(0, position) + String((Number(pan[position]) + delta) % 10) + pan.slice(position + 1);
          return isLuhnValid(pan) && !isLuhnValid(altered);
        },
      ),
    );
  });

  it('draws 16-digit PANs in the test BIN with a valid check digit', () => {
    expect(generatePan(scripted('000000001'))).toBe('4999990000000015');
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{9}$/), (digits) => {
        const pan = generatePan(scripted(digits));
        return pan.length === PAN_LENGTH && pan.startsWith(TEST_BIN) && isLuhnValid(pan);
      }),
    );
  });

  it('expires at the end of the month 3 years after issue, on the Paris calendar', () => {
    expect(CARD_VALIDITY_MONTHS).toBe(36);
    expect(expiryFor(Date.parse('2026-11-22T12:00:00Z'), 'Europe/Paris')).toBe('2911');
    // 23:30 UTC on 30 November is already 1 December in Paris.
    expect(expiryFor(Date.parse('2026-11-30T23:30:00Z'), 'Europe/Paris')).toBe('2912');
    expect(expiryFor(Date.parse('2027-01-31T10:00:00Z'), 'Europe/Paris')).toBe('3001');
  });

  it('draws a 3-digit CVV2 and a 6-digit PIN, never a guessable one', () => {
    expect(generateCvv2(scripted('042'))).toBe('042');
    expect(generatePin(scripted('111111', '123456', '987654', '901234', '583920'))).toBe('583920');
    expect(['000000', '999999', '123456', '654321', '890123', '210987'].every(isWeakPin)).toBe(true);
    expect(['583920', '112233', '100000', '135790'].some(isWeakPin)).toBe(false);
  });
});
