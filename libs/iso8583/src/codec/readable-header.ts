import { ReadableHeader } from '../iso-format-error';
import { BITMAP_CHARS, MTI_CHARS, SECONDARY_BITMAP_BIT, firstNonHex, readWord } from './bitmap';
import { ENCODERS, FIELD_CODECS, firstInvalidByte } from './field-codec';
import { asciiSlice } from './ascii';

/**
 * After a message failed to unpack, a second, lenient walk finds what can still be read of the
 * MTI and fields 7, 11 and 32, so that the server can answer `30` (network-interface.md: "when
 * MTI, STAN and field 7 can be read"). Lenient: a field's characters and upper bound are not
 * checked, only the lengths needed to step over it; the walk stops at the first thing it cannot
 * step over (bad length digits, a length beyond the bytes left, an undeclared bit). Each value it
 * keeps must itself be valid for its field, so a `30` never echoes garbage.
 */

const STAN = 11;
const TRANSMISSION_DATE_TIME = 7;
const ACQUIRER_ID = 32;
/** Past field 32 nothing readable is left to find. */
const LAST_FIELD_OF_INTEREST = ACQUIRER_ID;

interface Found {
  mti?: string;
  stan?: string;
  transmissionDateTime?: string;
  acquirerId?: string;
}

export function readHeaderLeniently(source: Buffer): ReadableHeader {
  const found: Found = {};
  if (source.length < MTI_CHARS || firstInvalidByte(ENCODERS.n, source, 0, MTI_CHARS) !== -1) return found;
  found.mti = asciiSlice(source, 0, MTI_CHARS);
  const bitmapEnd = MTI_CHARS + BITMAP_CHARS;
  // Either case: a lower-case bitmap is refused by unpack, yet says which fields follow.
  if (source.length < bitmapEnd || firstNonHex(source, MTI_CHARS, BITMAP_CHARS, 'either-case') !== -1) return found;
  const w0 = readWord(source, MTI_CHARS, 'either-case');
  const secondary = (w0 & SECONDARY_BITMAP_BIT) !== 0;
  walkFields(source, w0, secondary ? bitmapEnd + BITMAP_CHARS : bitmapEnd, found);
  return found;
}

function walkFields(source: Buffer, w0: number, start: number, found: Found): void {
  let offset = start;
  for (let field = 2; field <= LAST_FIELD_OF_INTEREST; field++) {
    if ((w0 & (1 << (32 - field))) === 0) continue;
    const codec = FIELD_CODECS[field];
    if (codec === undefined) return;
    const digits = codec.prefixer.digits;
    let length = codec.spec.maxLength;
    if (digits !== 0) {
      if (source.length - offset < digits || firstInvalidByte(ENCODERS.n, source, offset, offset + digits) !== -1) return;
      length = Number(asciiSlice(source, offset, offset + digits));
    }
    const valueStart = offset + digits;
    if (length > source.length - valueStart) return;
    keepIfValid(field, source, valueStart, length, found);
    offset = valueStart + length;
  }
}

function keepIfValid(field: number, source: Buffer, start: number, length: number, found: Found): void {
  if (field !== STAN && field !== TRANSMISSION_DATE_TIME && field !== ACQUIRER_ID) return;
  const spec = FIELD_CODECS[field]!.spec;
  if (length < spec.minLength || length > spec.maxLength) return;
  if (firstInvalidByte(ENCODERS.n, source, start, start + length) !== -1) return;
  const value = asciiSlice(source, start, start + length);
  // A bitmap or a length prefix that is wrong shifts every later field: digits read from the
  // wrong place would be echoed as the message's own. Field 7 must at least be a date and time.
  if (field === TRANSMISSION_DATE_TIME && !isTransmissionDateTime(value)) return;
  if (field === STAN) found.stan = value;
  else if (field === TRANSMISSION_DATE_TIME) found.transmissionDateTime = value;
  else found.acquirerId = value;
}

/** MMDDhhmmss with a month, day, hour, minute and second that exist. */
export function isTransmissionDateTime(value: string): boolean {
  const [month, day, hour, minute, second] = [0, 2, 4, 6, 8].map((at) => Number(value.slice(at, at + 2)));
  return value.length === 10 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59;
}
