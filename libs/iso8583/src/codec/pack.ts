import { formatAdditionalData } from '../spec/additional-data';
import { IsoFormatError } from '../iso-format-error';
import { BITMAP_CHARS, MTI_CHARS, SECONDARY_BITMAP_BIT, WORD_CHARS, bitMask, writeWord } from './bitmap';
import { CodecOptions, resolveCodecOptions } from './codec-options';
import { ENCODERS, FieldCodec, FIELD_CODECS, encodeAscii } from './field-codec';
import { ADDITIONAL_DATA_FIELD, IsoMessage } from './iso-message';

/**
 * Packing: MTI, bitmap(s), then the present fields in field order (network-interface.md,
 * "Framing and encoding"). Values are written straight into one reusable scratch buffer, each
 * character checked as it is written, and the result is copied out once: no per-field buffers
 * and no string concatenation.
 */

/** Scratch for one message; packing is synchronous, so one buffer serves every call. */
const scratch = Buffer.allocUnsafe(0xffff + 16);

/** The message body (no frame length prefix). Throws IsoFormatError naming the field. */
export function pack(message: IsoMessage, options?: Partial<CodecOptions>): Buffer {
  return packWithHeadroom(message, 0, options);
}

/**
 * The message body preceded by `headroomBytes` unwritten bytes, for a caller that puts a header
 * there (framing/frame-encoder.ts writes the 2-byte length) without copying the body again.
 */
export function packWithHeadroom(message: IsoMessage, headroomBytes: number, options?: Partial<CodecOptions>): Buffer {
  const { maxMessageBytes } = resolveCodecOptions(options);
  const bodyEnd = packIntoScratch(message, headroomBytes, headroomBytes + maxMessageBytes);
  const out = Buffer.allocUnsafe(bodyEnd);
  scratch.copy(out, 0, 0, bodyEnd);
  return out;
}

/** Writes the body at scratch[start...]; returns its end. Offsets in errors are relative to start. */
function packIntoScratch(message: IsoMessage, start: number, limit: number): number {
  const mti = message.mti;
  if (typeof mti !== 'string' || mti.length !== MTI_CHARS || encodeAscii(ENCODERS.n, mti, scratch, start) !== -1) {
    throw new IsoFormatError('MTI must be 4 digits', 0, 0);
  }
  // Bitmap words as locals rather than an array: nothing allocated per message.
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  let w3 = 0;
  for (const field of message.fields.keys()) {
    checkPackableField(field);
    const mask = bitMask(field);
    if (field <= 32) w0 |= mask;
    else if (field <= 64) w1 |= mask;
    else if (field <= 96) w2 |= mask;
    else w3 |= mask;
  }
  if (message.field48 !== undefined) w1 |= bitMask(ADDITIONAL_DATA_FIELD);
  const secondary = (w2 | w3) !== 0;
  if (secondary) w0 |= SECONDARY_BITMAP_BIT;

  let offset = start + MTI_CHARS;
  writeWord(w0, scratch, offset);
  writeWord(w1, scratch, offset + WORD_CHARS);
  offset += BITMAP_CHARS;
  if (secondary) {
    writeWord(w2, scratch, offset);
    writeWord(w3, scratch, offset + WORD_CHARS);
    offset += BITMAP_CHARS;
  }
  offset = writeWordFields(message, w0 & ~SECONDARY_BITMAP_BIT, 0, offset, start, limit);
  offset = writeWordFields(message, w1, 32, offset, start, limit);
  if (secondary) {
    offset = writeWordFields(message, w2, 64, offset, start, limit);
    offset = writeWordFields(message, w3, 96, offset, start, limit);
  }
  return offset;
}

function checkPackableField(field: number): void {
  if (field === ADDITIONAL_DATA_FIELD) {
    throw new IsoFormatError('field 48 belongs in message.field48 (an object of tags), not in fields', 0, field);
  }
  if (FIELD_CODECS[field] === undefined) {
    throw new IsoFormatError('field is not used by this dialect', 0, typeof field === 'number' ? field : undefined);
  }
}

/** Writes the fields of one bitmap word in ascending order; `base` is the field number of bit 0 minus 1. */
function writeWordFields(message: IsoMessage, word: number, base: number, offset: number, start: number, limit: number): number {
  let remaining = word;
  while (remaining !== 0) {
    const leadingZeros = Math.clz32(remaining);
    remaining &= ~(1 << (31 - leadingZeros));
    const field = base + leadingZeros + 1;
    const value = field === ADDITIONAL_DATA_FIELD ? additionalDataValue(message, offset - start) : message.fields.get(field);
    offset = writeField(FIELD_CODECS[field]!, value, offset, start, limit);
  }
  return offset;
}

function additionalDataValue(message: IsoMessage, offset: number): string {
  const tags = message.field48;
  if (tags === null || typeof tags !== 'object') throw new IsoFormatError('must be an object of tags', offset, ADDITIONAL_DATA_FIELD);
  const packed = formatAdditionalData(tags);
  if (typeof packed !== 'string') throw new IsoFormatError(packed.reason, offset, ADDITIONAL_DATA_FIELD);
  if (packed.length === 0) throw new IsoFormatError('has no tags: leave field48 undefined instead', offset, ADDITIONAL_DATA_FIELD);
  return packed;
}

function writeField(codec: FieldCodec, value: string | undefined, offset: number, start: number, limit: number): number {
  const spec = codec.spec;
  const at = offset - start;
  if (typeof value !== 'string') throw new IsoFormatError('value is not a string', at, spec.field);
  const length = value.length;
  const digits = codec.prefixer.digits;
  if (digits === 0) {
    if (length !== spec.maxLength) {
      throw new IsoFormatError(`length ${length}, the field is fixed at ${spec.maxLength} (padFieldValue pads it)`, at, spec.field);
    }
  } else if (length > spec.maxLength || length < spec.minLength) {
    throw new IsoFormatError(`length ${length} outside ${spec.minLength}..${spec.maxLength}`, at, spec.field);
  }
  if (digits + length > limit - offset) throw new IsoFormatError(`message would exceed ${limit - start} bytes`, at, spec.field);
  writeLengthDigits(length, digits, offset);
  const valueOffset = offset + digits;
  const bad = encodeAscii(codec.encoder, value, scratch, valueOffset);
  if (bad !== -1) {
    throw new IsoFormatError(`character ${bad + 1} is not allowed in format ${spec.format}`, valueOffset - start + bad, spec.field);
  }
  const problem = codec.checkStructure?.(value);
  if (problem !== undefined) throw new IsoFormatError(problem.reason, valueOffset - start + problem.offsetInValue, spec.field);
  return valueOffset + length;
}

function writeLengthDigits(length: number, digits: number, offset: number): void {
  if (digits === 3) {
    scratch[offset] = 48 + ((length / 100) | 0);
    scratch[offset + 1] = 48 + (((length / 10) | 0) % 10);
    scratch[offset + 2] = 48 + (length % 10);
  } else if (digits === 2) {
    scratch[offset] = 48 + ((length / 10) | 0);
    scratch[offset + 1] = 48 + (length % 10);
  }
}
