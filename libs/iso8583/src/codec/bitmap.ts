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

/** Hex digit values of upper-case hex bytes; -1 for anything else (lower case included). */
const HEX_VALUE: Int8Array = (() => {
  const values = new Int8Array(256).fill(-1);
  for (let i = 0; i < 16; i++) values[HEX_UPPER[i]] = i;
  return values;
})();

/** Mask of field `field` inside its word. */
export function bitMask(field: number): number {
  return 1 << (31 - ((field - 1) & 31));
}

/** Index of the first byte in [offset, offset + count) that is not an upper-case hex digit, or -1. */
export function firstNonHex(source: Uint8Array, offset: number, count: number): number {
  for (let i = offset; i < offset + count; i++) {
    if (HEX_VALUE[source[i]] < 0) return i;
  }
  return -1;
}

/** Reads 8 hex characters (checked by firstNonHex) as a 32-bit word, signed as JavaScript bit operators give it. */
export function readWord(source: Uint8Array, offset: number): number {
  let word = 0;
  for (let i = 0; i < WORD_CHARS; i++) word = (word << 4) | HEX_VALUE[source[offset + i]];
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
