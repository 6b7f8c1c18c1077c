import { IsoFormatError } from '../iso-format-error';
import { IsoMessage, padFieldValue } from './iso-message';
import { pack } from './pack';
import { unpack } from './unpack';

function echo(): IsoMessage {
  return new IsoMessage('0800').set(7, '1122063000').set(11, '000002').set(70, '301');
}

function packError(message: IsoMessage): IsoFormatError {
  try {
    pack(message);
  } catch (error) {
    expect(error).toBeInstanceOf(IsoFormatError);
    return error as IsoFormatError;
  }
  throw new Error('expected pack to refuse');
}

describe('pack', () => {
  it('sets bit 1 and writes a secondary bitmap only when a field 65-128 is present', () => {
    expect(pack(echo()).toString('latin1').slice(4, 36)).toBe('82200000000000000400000000000000');
    const noSecondary = echo().delete(70);
    expect(pack(noSecondary).toString('latin1')).toBe('08000220000000000000' + '1122063000' + '000002');
  });

  it('writes fields in field order whatever the insertion order', () => {
    const message = new IsoMessage('0800').set(70, '301').set(11, '000002').set(7, '1122063000');
    expect(pack(message).equals(pack(echo()))).toBe(true);
  });

  it('refuses a bad MTI', () => {
    expect(packError(new IsoMessage('80')).field).toBe(0);
    expect(packError(new IsoMessage('08x0')).field).toBe(0);
  });

  it('refuses a fixed field of the wrong length (values are wire values: pad them first)', () => {
    const error = packError(echo().set(11, '2'));
    expect(error).toMatchObject({ field: 11, reason: 'length 1, the field is fixed at 6 (padFieldValue pads it)' });
    expect(pack(echo().setPadded(11, '2')).toString('latin1')).toContain('000002');
  });

  it('refuses a variable field above its maximum or empty', () => {
    expect(packError(echo().set(32, '123456789012'))).toMatchObject({ field: 32 });
    expect(packError(echo().set(32, ''))).toMatchObject({ field: 32 });
  });

  it('refuses characters outside the format, at their offset', () => {
    // MTI 4 + bitmaps 32 + field 7 (10) = 46: field 11 starts there.
    expect(packError(echo().set(11, '00000A'))).toMatchObject({ field: 11, offset: 51 });
    expect(packError(echo().set(39, 'A-'))).toMatchObject({ field: 39 });
    expect(packError(echo().set(52, '0123456789ABCDEG'))).toMatchObject({ field: 52 });
    expect(packError(echo().set(28, '100000027'))).toMatchObject({ field: 28 });
    expect(packError(echo().set(43, 'caf\u00e9'.padEnd(40, ' ')))).toMatchObject({ field: 43 });
  });

  it('refuses fields the dialect does not declare, field 1, and field 48 in fields', () => {
    expect(packError(echo().set(5, '1'))).toMatchObject({ field: 5 });
    expect(packError(echo().set(1, '1'))).toMatchObject({ field: 1 });
    const viaMap = echo();
    viaMap.fields.set(48, 'TI015123456789012345');
    expect(packError(viaMap)).toMatchObject({ field: 48 });
    expect(() => echo().set(48, 'x')).toThrow(IsoFormatError);
  });

  it('refuses an empty or invalid field 48', () => {
    const empty = echo();
    empty.field48 = {};
    expect(packError(empty)).toMatchObject({ field: 48 });
    expect(packError(echo().setTag('TI', '12345'))).toMatchObject({ field: 48 });
    expect(packError(echo().setTag('ti', '123456789012345'))).toMatchObject({ field: 48 });
    expect(packError(echo().setTag('SC', 'X'))).toMatchObject({ field: 48 });
  });

  it('refuses structurally wrong 54, 90 and 95', () => {
    expect(packError(echo().set(54, '0001840C00000010000'))).toMatchObject({ field: 54 });
    expect(packError(echo().set(54, '0003840C000000100000'))).toMatchObject({ field: 54 });
    expect(packError(echo().set(54, '0001840X000000100000'))).toMatchObject({ field: 54 });
    expect(packError(echo().set(90, '0100'.padEnd(41, '0') + '1'))).toMatchObject({ field: 90 });
    expect(packError(echo().set(95, '0'.repeat(41) + '1'))).toMatchObject({ field: 95 });
    expect(packError(echo().set(95, 'A'.repeat(42)))).toMatchObject({ field: 95 });
  });

  it('refuses a message above the maximum size', () => {
    const big = echo().setTag('TI', '123456789012345').setTag('ZZ', 'x'.repeat(900));
    expect(pack(big).length).toBeGreaterThan(900);
    expect(() => pack(big, { maxMessageBytes: 500 })).toThrow(IsoFormatError);
  });

  it('keeps the tag order of field 48 on the wire', () => {
    const message = echo().setTag('PA', 'Y').setTag('TI', '123456789012345');
    expect(pack(message).toString('latin1')).toContain('026PA001YTI015123456789012345');
    expect(unpack(pack(message)).field48).toEqual({ PA: 'Y', TI: '123456789012345' });
  });
});

describe('padFieldValue', () => {
  it('pads n with zeros on the left and an/ans with spaces on the right', () => {
    expect(padFieldValue(4, '1250')).toBe('000000001250');
    expect(padFieldValue(43, 'SHOP')).toBe('SHOP'.padEnd(40, ' '));
    expect(padFieldValue(38, 'A1')).toBe('A1    ');
  });

  it('leaves variable fields and too-long values alone (pack refuses the latter)', () => {
    expect(padFieldValue(2, '4999')).toBe('4999');
    expect(padFieldValue(11, '1234567')).toBe('1234567');
  });
});
