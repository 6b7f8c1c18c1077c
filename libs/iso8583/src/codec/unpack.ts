import { AdditionalData, isFieldProblem, parseAdditionalData } from '../spec/additional-data';
import { IsoFormatError } from '../iso-format-error';
import { BITMAP_CHARS, MTI_CHARS, SECONDARY_BITMAP_BIT, WORD_CHARS, bitmapOffsetOf, firstNonHex, readWord } from './bitmap';
import { CodecOptions, resolveCodecOptions } from './codec-options';
import { FieldCodec, FIELD_CODECS, ENCODERS, firstInvalidByte } from './field-codec';
import { ADDITIONAL_DATA_FIELD, IsoMessage } from './iso-message';
import { readHeaderLeniently } from './readable-header';
import { asciiSlice } from './ascii';

/**
 * Unpacking, with hard bounds (network-interface.md: "Anything that does not parse ... gets a
 * response with code 30"): length digits must be digits and never exceed the field's maximum or
 * the bytes left; a bit without a declared field, a non-digit in an `n` field, a byte that is not
 * printable ASCII and any trailing byte are refused. Every refusal is an IsoFormatError naming
 * the field and the offset, and carrying what could be read for a `30` answer.
 */

export type UnpackResult = { readonly ok: true; readonly message: IsoMessage } | { readonly ok: false; readonly error: IsoFormatError };

/** Parses one message body (after the frame's length prefix). Throws only IsoFormatError. */
export function unpack(body: Uint8Array, options?: Partial<CodecOptions>): IsoMessage {
  try {
    return parseMessage(asBuffer(body), resolveCodecOptions(options).maxMessageBytes);
  } catch (error) {
    throw toFormatError(error, body);
  }
}

/** unpack as a value: never throws. */
export function tryUnpack(body: Uint8Array, options?: Partial<CodecOptions>): UnpackResult {
  try {
    return { ok: true, message: unpack(body, options) };
  } catch (error) {
    return { ok: false, error: error instanceof IsoFormatError ? error : toFormatError(error, body) };
  }
}

/** Where the parser is: read by toFormatError when something unexpected is thrown. */
let cursorOffset = 0;
let cursorField: number | undefined;

/**
 * Anything thrown while parsing becomes an IsoFormatError carrying what is readable. An error
 * that is not an IsoFormatError is a bug in this file; it is still converted (STYLE: no malformed
 * input may crash the process) and its message, which could quote input, is not kept.
 */
function toFormatError(error: unknown, body: Uint8Array): IsoFormatError {
  const base =
    error instanceof IsoFormatError
      ? error
      : new IsoFormatError(`unexpected ${error instanceof Error ? error.name : typeof error} while parsing`, cursorOffset, cursorField);
  try {
    return base.withReadable(readHeaderLeniently(asBuffer(body)));
  } catch {
    return base;
  }
}

function asBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function fail(reason: string, offset: number, field?: number): never {
  throw new IsoFormatError(reason, offset, field);
}

function parseMessage(source: Buffer, maxMessageBytes: number): IsoMessage {
  const end = source.length;
  cursorOffset = 0;
  cursorField = 0;
  if (end > maxMessageBytes) fail(`message of ${end} bytes exceeds the maximum of ${maxMessageBytes}`, 0);
  if (end < MTI_CHARS) fail(`truncated: ${end} bytes, the MTI needs ${MTI_CHARS}`, 0, 0);
  const badMti = firstInvalidByte(ENCODERS.n, source, 0, MTI_CHARS);
  if (badMti !== -1) fail('MTI must be 4 digits', badMti, 0);
  // One native decode of the whole body; fields are then JavaScript substrings of it, much cheaper
  // than a native call per field. Bytes are checked per field below, so a byte above 127 (which
  // latin1 would decode) never reaches a value.
  const text = asciiSlice(source, 0, end);
  const mti = text.slice(0, MTI_CHARS);

  cursorField = 1;
  const w0 = readBitmapWord(source, MTI_CHARS, end);
  const w1 = readBitmapWord(source, MTI_CHARS + WORD_CHARS, end);
  let offset = MTI_CHARS + BITMAP_CHARS;
  let w2 = 0;
  let w3 = 0;
  if ((w0 & SECONDARY_BITMAP_BIT) !== 0) {
    w2 = readBitmapWord(source, offset, end);
    w3 = readBitmapWord(source, offset + WORD_CHARS, end);
    // An empty secondary bitmap would not be sent by a packer (bit 1 is set only "when any field
    // 65-128 is present"); refusing it keeps one encoding per message, so unpack -> pack is exact.
    if ((w2 | w3) === 0) fail('secondary bitmap announced by bit 1 but empty', offset, 1);
    offset += BITMAP_CHARS;
  }

  const message = new IsoMessage(mti);
  offset = readWordFields(message, source, text, w0 & ~SECONDARY_BITMAP_BIT, 0, offset, end);
  offset = readWordFields(message, source, text, w1, 32, offset, end);
  if (w2 !== 0) offset = readWordFields(message, source, text, w2, 64, offset, end);
  if (w3 !== 0) offset = readWordFields(message, source, text, w3, 96, offset, end);
  if (offset !== end) fail(`${end - offset} trailing bytes after the last field`, offset);
  return message;
}

function readBitmapWord(source: Buffer, offset: number, end: number): number {
  if (end - offset < WORD_CHARS) fail(`truncated bitmap: ${Math.max(0, end - offset)} of ${WORD_CHARS} characters left`, Math.min(offset, end), 1);
  const bad = firstNonHex(source, offset, WORD_CHARS);
  if (bad !== -1) fail('bitmap must be upper-case hex characters', bad, 1);
  return readWord(source, offset);
}

function readWordFields(message: IsoMessage, source: Buffer, text: string, word: number, base: number, offset: number, end: number): number {
  let remaining = word;
  while (remaining !== 0) {
    const leadingZeros = Math.clz32(remaining);
    remaining &= ~(1 << (31 - leadingZeros));
    const field = base + leadingZeros + 1;
    const codec = FIELD_CODECS[field];
    if (codec === undefined) fail(`bit ${field} is set but the dialect has no field ${field}`, bitmapOffsetOf(field), field);
    cursorOffset = offset;
    cursorField = field;
    const value = readField(codec, source, text, offset, end);
    offset += codec.prefixer.digits + value.length;
    if (field === ADDITIONAL_DATA_FIELD) message.field48 = readAdditionalData(value, offset - value.length);
    else message.fields.set(field, value);
  }
  return offset;
}

function readField(codec: FieldCodec, source: Buffer, text: string, offset: number, end: number): string {
  const spec = codec.spec;
  const digits = codec.prefixer.digits;
  let length = spec.maxLength;
  if (digits !== 0) {
    if (end - offset < digits) fail(`truncated: the length prefix needs ${digits} digits, ${end - offset} bytes left`, offset, spec.field);
    length = 0;
    for (let i = 0; i < digits; i++) {
      const byte = source[offset + i];
      if (byte < 48 || byte > 57) fail(`length prefix must be ${digits} digits`, offset + i, spec.field);
      length = length * 10 + (byte - 48);
    }
    if (length > spec.maxLength) fail(`length ${length} exceeds the maximum of ${spec.maxLength}`, offset, spec.field);
    if (length < spec.minLength) fail(`length ${length} is below the minimum of ${spec.minLength}`, offset, spec.field);
  }
  const valueStart = offset + digits;
  if (length > end - valueStart) fail(`length ${length} exceeds the ${end - valueStart} bytes left`, offset, spec.field);
  const valueEnd = valueStart + length;
  const bad = firstInvalidByte(codec.encoder, source, valueStart, valueEnd);
  if (bad !== -1) fail(`character ${bad - valueStart + 1} is not allowed in format ${spec.format}`, bad, spec.field);
  const value = text.slice(valueStart, valueEnd);
  const problem = codec.checkStructure?.(value);
  if (problem !== undefined) fail(problem.reason, valueStart + problem.offsetInValue, spec.field);
  return value;
}

function readAdditionalData(value: string, valueStart: number): AdditionalData {
  const parsed = parseAdditionalData(value);
  if (isFieldProblem(parsed)) fail(parsed.reason, valueStart + parsed.offsetInValue, ADDITIONAL_DATA_FIELD);
  return parsed;
}
