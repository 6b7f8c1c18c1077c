import { IsoFormatError } from '../iso-format-error';
import { goldenBody, loadGoldenVectors } from '../testing/golden-vectors';
import { tryUnpack, unpack } from './unpack';

/** Hard bounds of unpack: each refusal is an IsoFormatError naming the field and the offset. */

const purchase = goldenBody(loadGoldenVectors().find((v) => v.file === '0100-purchase.json')!).toString('latin1');
// Offsets in the purchase vector: MTI 0-3, bitmap 4-19, field 2 length 20-21, PAN 22-37, field 3 38-43 ...
const FIELD_2_PREFIX = 20;
const FIELD_3_START = 38;

function refusal(body: string | Buffer, maxMessageBytes?: number): IsoFormatError {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const result = tryUnpack(bytes, maxMessageBytes === undefined ? undefined : { maxMessageBytes });
  if (result.ok) throw new Error('expected a refusal');
  expect(result.error).toBeInstanceOf(IsoFormatError);
  return result.error;
}

function replaceAt(text: string, offset: number, replacement: string): string {
  return text.slice(0, offset) + replacement + text.slice(offset + replacement.length);
}

describe('unpack refuses', () => {
  it('an MTI that is not 4 digits', () => {
    expect(refusal('01A0' + purchase.slice(4))).toMatchObject({ field: 0, offset: 2 });
    expect(refusal('01')).toMatchObject({ field: 0, offset: 0 });
  });

  it('a lower-case or non-hex bitmap, and a truncated one', () => {
    expect(refusal(replaceAt(purchase, 6, 'c'))).toMatchObject({ field: 1, offset: 6 });
    expect(refusal(replaceAt(purchase, 10, 'G'))).toMatchObject({ field: 1, offset: 10 });
    expect(refusal(purchase.slice(0, 15))).toMatchObject({ field: 1 });
  });

  it('a bit set for a field the dialect does not declare', () => {
    // Bit 5 (first bit of the second nibble): 723C... -> 7A3C...
    const error = refusal(replaceAt(purchase, 5, 'A'));
    expect(error).toMatchObject({ field: 5, offset: 5 });
    expect(error.reason).toContain('no field 5');
  });

  it('a secondary bitmap announced but empty', () => {
    const body = '0800' + '8220000000000000' + '0000000000000000' + '1122060000' + '000001';
    expect(refusal(body)).toMatchObject({ field: 1, offset: 20 });
  });

  it('length digits that are not digits', () => {
    expect(refusal(replaceAt(purchase, FIELD_2_PREFIX + 1, 'x'))).toMatchObject({ field: 2, offset: FIELD_2_PREFIX + 1 });
    expect(refusal(replaceAt(purchase, FIELD_2_PREFIX, ' 6'))).toMatchObject({ field: 2, offset: FIELD_2_PREFIX });
  });

  it('a length above the field maximum (PAN of 20 digits)', () => {
    const error = refusal(replaceAt(purchase, FIELD_2_PREFIX, '20'));
    expect(error).toMatchObject({ field: 2, offset: FIELD_2_PREFIX });
    expect(error.reason).toBe('length 20 exceeds the maximum of 19');
  });

  it('a length of zero in a variable field', () => {
    expect(refusal(replaceAt(purchase, FIELD_2_PREFIX, '00'))).toMatchObject({ field: 2, reason: 'length 0 is below the minimum of 1' });
  });

  it('a length beyond the bytes left', () => {
    const error = refusal(purchase.slice(0, FIELD_2_PREFIX + 10));
    expect(error).toMatchObject({ field: 2, offset: FIELD_2_PREFIX, reason: 'length 16 exceeds the 8 bytes left' });
  });

  it('a truncated fixed field', () => {
    expect(refusal(purchase.slice(0, FIELD_3_START + 3))).toMatchObject({ field: 3, offset: FIELD_3_START });
  });

  it('a non-digit in an n field, at its offset', () => {
    expect(refusal(replaceAt(purchase, FIELD_3_START + 4, 'A'))).toMatchObject({ field: 3, offset: FIELD_3_START + 4 });
  });

  it('a byte that is not printable ASCII in an ans field', () => {
    const at = purchase.indexOf('TERM0001') + 2;
    expect(refusal(replaceAt(purchase, at, '\u00e9'))).toMatchObject({ field: 41, offset: at });
    expect(refusal(replaceAt(purchase, at, '\n'))).toMatchObject({ field: 41, offset: at });
  });

  it('trailing bytes', () => {
    expect(refusal(purchase + '0')).toMatchObject({ offset: purchase.length, reason: '1 trailing bytes after the last field' });
  });

  it('a message above the maximum size', () => {
    expect(refusal(purchase, 100)).toMatchObject({ offset: 0 });
    expect(refusal(Buffer.alloc(5000, 0x30))).toMatchObject({ offset: 0 });
  });

  it('a field 48 whose tag lengths do not add up, or whose known tags are invalid', () => {
    const at = purchase.indexOf('020TI015');
    expect(refusal(replaceAt(purchase, at, '020TI016'))).toMatchObject({ field: 48 });
    expect(refusal(replaceAt(purchase, at, '020TI01512345678901234X'))).toMatchObject({ field: 48, offset: at + 3 });
    expect(refusal(replaceAt(purchase, at, '020ti015'))).toMatchObject({ field: 48 });
  });
});

describe('what a refusal carries for a 30 answer', () => {
  it('MTI, STAN, field 7 and field 32 when they are readable after the fault', () => {
    // A PAN of 20 digits: the field is too long, but the lenient second walk still finds 7, 11, 32.
    const body = purchase.slice(0, FIELD_2_PREFIX) + '20' + '4999990000000001' + '0000' + purchase.slice(FIELD_2_PREFIX + 18);
    const error = refusal(body);
    expect(error.readable).toEqual({ mti: '0100', stan: '000123', transmissionDateTime: '1122101530', acquirerId: '12345678' });
    expect(error.canBeAnswered()).toBe(true);
  });

  it('MTI, STAN, field 7 and field 32 behind a lower-case bitmap (refused, yet readable)', () => {
    const bitmap = purchase.slice(4, 20);
    expect(bitmap).toMatch(/[A-F]/);
    const error = refusal(replaceAt(purchase, 4, bitmap.toLowerCase()));
    expect(error).toMatchObject({ field: 1 });
    expect(error.readable).toEqual({ mti: '0100', stan: '000123', transmissionDateTime: '1122101530', acquirerId: '12345678' });
    expect(error.canBeAnswered()).toBe(true);
  });

  it('no field 7 read from bytes a wrong length prefix shifted (not a date and time): no 30 echoing a stranger', () => {
    // PAN length 19 instead of 16: every later field is read 3 bytes off.
    const error = refusal(replaceAt(purchase, FIELD_2_PREFIX, '19'));
    expect(error.readable.transmissionDateTime).toBeUndefined();
    expect(error.canBeAnswered()).toBe(false);
  });

  it('only the MTI when the bitmap is broken', () => {
    const error = refusal(replaceAt(purchase, 4, 'x'));
    expect(error.readable).toEqual({ mti: '0100' });
    expect(error.canBeAnswered()).toBe(false);
  });

  it('no STAN when field 11 itself is invalid', () => {
    const at = purchase.indexOf('000123');
    const error = refusal(replaceAt(purchase, at, '0001X3'));
    expect(error).toMatchObject({ field: 11, offset: at + 4 });
    expect(error.readable.stan).toBeUndefined();
    expect(error.canBeAnswered()).toBe(false);
  });
});

describe('unpack never throws anything but IsoFormatError', () => {
  it('for odd inputs', () => {
    const inputs: Uint8Array[] = [Buffer.alloc(0), new Uint8Array([0xff, 0xfe]), Buffer.from('0100FFFFFFFFFFFFFFFF'), new Uint8Array(100)];
    for (const input of inputs) expect(() => unpack(input)).toThrow(IsoFormatError);
  });

  it('accepts a plain Uint8Array as well as a Buffer', () => {
    const bytes = new Uint8Array(Buffer.from(purchase, 'latin1'));
    expect(unpack(bytes).get(11)).toBe('000123');
  });
});

describe('error messages', () => {
  it('never contain a field value', () => {
    const pan = '4999990000000001';
    const cases = [replaceAt(purchase, FIELD_2_PREFIX, '20'), replaceAt(purchase, FIELD_3_START + 4, 'A'), purchase + 'X'];
    for (const body of cases) {
      const error = refusal(body);
      expect(error.message).not.toContain(pan);
      expect(error.message).not.toContain('123456789012345');
      expect(JSON.stringify(error)).not.toContain(pan);
    }
  });
});
