import { IsoMessage } from '@lib/iso8583';
import { originalDataOf } from '../testing/messages';
import { originalKeyOfMessage, sameOriginal, targetKeyOf } from './message-identity';
import { proportionalMinor } from './transaction-writes';

describe('field 90 identity', () => {
  const message = new IsoMessage('0100').setPadded(11, '000042').setPadded(7, '1122101530').set(32, '12345678');

  it('names a message as its own fields do, whatever the padding of field 32', () => {
    expect(targetKeyOf(originalDataOf(message))).toBe(originalKeyOfMessage(message));
    expect(originalKeyOfMessage(message)).toBe('0100:000042:1122101530:00012345678');
  });

  it('reads nothing from a malformed field 90', () => {
    expect(targetKeyOf(undefined)).toBeUndefined();
    expect(targetKeyOf('0100' + '9'.repeat(38))).toBeUndefined();
    expect(targetKeyOf('12')).toBeUndefined();
  });

  it('takes a 0100 and a 0120 with the same STAN, 7 and 32 for the same message, nothing else', () => {
    const key = '0100:000042:1122101530:00012345678';
    expect(sameOriginal(key, '0120:000042:1122101530:00012345678')).toBe(true);
    expect(sameOriginal(key, key)).toBe(true);
    expect(sameOriginal(key, '0200:000042:1122101530:00012345678')).toBe(false);
    expect(sameOriginal(key, '0100:000043:1122101530:00012345678')).toBe(false);
    expect(sameOriginal(key, undefined)).toBe(false);
  });
});

describe('proportionalMinor (partial reversal of a converted amount)', () => {
  it.each([
    [1_000, 250, 1_000, 250],
    [1_087, 1, 3, 362], // 362.33 -> 362
    [1_087, 2, 3, 725], // 724.67 -> 725
    [5, 1, 2, 3], // 2.5 -> 3 (half up)
    [1_000, 0, 1_000, 0],
    [1_000, 1_000, 1_000, 1_000],
    [1_000, 2_000, 1_000, 1_000],
  ])('%i x %i / %i = %i', (amount, part, whole, expected) => {
    expect(proportionalMinor(amount, part, whole)).toBe(expected);
  });
});
