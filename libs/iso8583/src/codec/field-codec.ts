import { ContentFormat, FieldProblem, FieldSpec, LengthType, Padding } from '../spec/field-spec';
import { FIELD_SPECS, MAX_FIELD } from '../spec/dialect';
import { checkAdditionalAmounts } from '../spec/additional-amounts';
import { checkOriginalDataElements } from '../spec/original-data-elements';
import { checkReplacementAmounts } from '../spec/replacement-amounts';

/**
 * Field codecs composed from three small parts, as in moov-io/iso8583: an encoder (which ASCII
 * characters the content format allows), a length prefixer (fixed, LL, LLL ASCII digits) and a
 * padder. Each declared field is compiled once into FIELD_CODECS, an array indexed by field
 * number, so the pack and unpack loops do one array read per field and no lookups by name.
 */

/** Characters allowed by a content format, as lookup tables over byte values. */
export interface AsciiEncoder {
  readonly format: ContentFormat;
  /** Allowed bytes for the first character (differs only for `x+n`, whose first is C/D). */
  readonly firstTable: Uint8Array;
  /** Allowed bytes for the other characters. */
  readonly restTable: Uint8Array;
}

export interface LengthPrefixer {
  readonly lengthType: LengthType;
  /** ASCII digits before the value: 0 (fixed), 2 (LLVAR) or 3 (LLLVAR). */
  readonly digits: 0 | 2 | 3;
}

export type Padder = (value: string, length: number) => string;

export interface FieldCodec {
  readonly spec: FieldSpec;
  readonly encoder: AsciiEncoder;
  readonly prefixer: LengthPrefixer;
  readonly pad: Padder;
  /** Checks inside the value beyond its characters (fields 54, 90, 95); field 48 is parsed apart. */
  readonly checkStructure?: (value: string) => FieldProblem | undefined;
}

function table(accept: (code: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let code = 0; code < 128; code++) t[code] = accept(code) ? 1 : 0;
  return t;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLower = (c: number): boolean => c >= 97 && c <= 122;

const DIGITS = table(isDigit);
/** `an`: letters and digits, plus the space that pads it (network-interface.md). */
const ALPHANUMERIC = table((c) => isDigit(c) || isUpper(c) || isLower(c) || c === 32);
/** `ans`: printable ASCII. Bytes above 127 are refused, so one byte is always one character. */
const PRINTABLE = table((c) => c >= 32 && c <= 126);
const HEX = table((c) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102));
const SIGN = table((c) => c === 67 || c === 68);

export const ENCODERS: Readonly<Record<ContentFormat, AsciiEncoder>> = {
  n: { format: 'n', firstTable: DIGITS, restTable: DIGITS },
  an: { format: 'an', firstTable: ALPHANUMERIC, restTable: ALPHANUMERIC },
  ans: { format: 'ans', firstTable: PRINTABLE, restTable: PRINTABLE },
  hex: { format: 'hex', firstTable: HEX, restTable: HEX },
  'x+n': { format: 'x+n', firstTable: SIGN, restTable: DIGITS },
};

export const PREFIXERS: Readonly<Record<LengthType, LengthPrefixer>> = {
  fixed: { lengthType: 'fixed', digits: 0 },
  LLVAR: { lengthType: 'LLVAR', digits: 2 },
  LLLVAR: { lengthType: 'LLLVAR', digits: 3 },
};

export const PADDERS: Readonly<Record<Padding, Padder>> = {
  'zero-left': (value, length) => value.padStart(length, '0'),
  'space-right': (value, length) => value.padEnd(length, ' '),
  none: (value) => value,
};

const STRUCTURE_CHECKS: Partial<Record<NonNullable<FieldSpec['structure']>, (value: string) => FieldProblem | undefined>> = {
  'additional-amounts': checkAdditionalAmounts,
  'original-data': checkOriginalDataElements,
  'replacement-amounts': checkReplacementAmounts,
};

function compile(spec: FieldSpec): FieldCodec {
  return {
    spec,
    encoder: ENCODERS[spec.format],
    prefixer: PREFIXERS[spec.lengthType],
    pad: PADDERS[spec.padding],
    checkStructure: spec.structure === undefined ? undefined : STRUCTURE_CHECKS[spec.structure],
  };
}

/** Codecs indexed by field number; undefined where the dialect declares no field. */
export const FIELD_CODECS: ReadonlyArray<FieldCodec | undefined> = FIELD_SPECS.map((spec) => (spec === undefined ? undefined : compile(spec)));

if (FIELD_CODECS.length !== MAX_FIELD + 1) throw new Error('field codec table must cover fields 0-128');

/** Index of the first byte in [start, end) the encoder refuses, or -1. */
export function firstInvalidByte(encoder: AsciiEncoder, source: Uint8Array, start: number, end: number): number {
  if (start < end && encoder.firstTable[source[start]] === 0) return start;
  const rest = encoder.restTable;
  for (let i = start + 1; i < end; i++) {
    if (rest[source[i]] === 0) return i;
  }
  return -1;
}

/**
 * Writes `value` as ASCII at `offset`, checking each character on the way (one pass). Returns -1,
 * or the index in `value` of the first refused character (the bytes written so far are garbage).
 */
export function encodeAscii(encoder: AsciiEncoder, value: string, target: Uint8Array, offset: number): number {
  const length = value.length;
  let allowed = encoder.firstTable;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code > 127 || allowed[code] === 0) return i;
    target[offset + i] = code;
    allowed = encoder.restTable;
  }
  return -1;
}

/** Index in `value` of the first character the encoder refuses, or -1. */
export function firstInvalidChar(encoder: AsciiEncoder, value: string): number {
  let allowed = encoder.firstTable;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 127 || allowed[code] === 0) return i;
    allowed = encoder.restTable;
  }
  return -1;
}
