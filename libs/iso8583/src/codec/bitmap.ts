/**
 * Bitmaps (network-interface.md): a primary bitmap of 16 upper-case ASCII hex characters, then a
 * secondary one of 16 more when bit 1 is set. Bit n (1-based, most significant first) says field
 * n is present. In memory a bitmap is four 32-bit words: bits 1-32, 33-64, 65-96, 97-128.
 */

export const MTI_CHARS = 4;
export const BITMAP_CHARS = 16;
export const WORD_CHARS = 8;
/** Bit 1: a secondary bitmap follows. */
export const SECONDARY_BITMAP_BIT = 0x80000000 | 0;

const HEX_UPPER = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));

/**
 * Which hex letters a bitmap may use: the dialect's upper case (unpack), or either case for the
 * lenient header reader, which only looks for what a `30` answer needs (readable-header.ts): a
 * lower-case bitmap is a format error, but one whose MTI, STAN and field 7 can still be read.
 */
export type HexLetters = 'upper-case' | 'either-case';

const HEX_LOWER = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Hex digit values of hex bytes of the given letters; -1 for anything else. */
function hexValues(letters: HexLetters): Int8Array {
  const values = new Int8Array(256).fill(-1);
  for (let i = 0; i < 16; i++) values[HEX_UPPER[i]] = i;
  if (letters === 'either-case') for (let i = 0; i < 16; i++) values[HEX_LOWER[i]] = i;
  return values;
}

const HEX_VALUES: Readonly<Record<HexLetters, Int8Array>> = {
  'upper-case': hexValues('upper-case'),
  'either-case': hexValues('either-case'),
};

/** Mask of field `field` inside its word. */
export function bitMask(field: number): number {
  return 1 << (31 - ((field - 1) & 31));
}

/** Index of the first byte in [offset, offset + count) that is not a hex digit of `letters`, or -1. */
export function firstNonHex(source: Uint8Array, offset: number, count: number, letters: HexLetters = 'upper-case'): number {
  const values = HEX_VALUES[letters];
  for (let i = offset; i < offset + count; i++) {
    if (values[source[i]] < 0) return i;
  }
  return -1;
}

/**
 * Reads 8 hex characters (checked by firstNonHex with the same `letters`) as a 32-bit word, signed
 * as JavaScript bit operators give it.
 */
export function readWord(source: Uint8Array, offset: number, letters: HexLetters = 'upper-case'): number {
  const values = HEX_VALUES[letters];
  let word = 0;
  for (let i = 0; i < WORD_CHARS; i++) word = (word << 4) | values[source[offset + i]];
  return word;
}

/** Writes a word as 8 upper-case hex characters. */
export function writeWord(word: number, target: Uint8Array, offset: number): void {
  for (let i = WORD_CHARS - 1; i >= 0; i--) {
    target[offset + i] = HEX_UPPER[word & 0xf];
    word >>>= 4;
  }
}

/** Offset (in the message) of the bitmap hex character that holds bit `field`. */
export function bitmapOffsetOf(field: number): number {
  return MTI_CHARS + ((field - 1) >> 2);
}
