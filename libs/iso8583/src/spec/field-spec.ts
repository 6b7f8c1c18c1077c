/**
 * The vocabulary a field is declared with. A field is data (moov-io/iso8583 style): content
 * format x length type x padding, plus a name, a bound and a sensitivity. The codec compiles each
 * declaration once into a field codec (codec/field-codec.ts).
 */

/**
 * Content formats of network-interface.md: `n` digits, `an` letters, digits and space, `ans`
 * printable ASCII, `hex` 0-9 A-F (either case), `x+n` a `C`/`D` sign then digits (field 28).
 */
export type ContentFormat = 'n' | 'an' | 'ans' | 'hex' | 'x+n';

/** `fixed`: exactly maxLength characters; `LLVAR` / `LLLVAR`: 2 / 3 ASCII digits of length first. */
export type LengthType = 'fixed' | 'LLVAR' | 'LLLVAR';

/**
 * How a short value is brought to a fixed length by `padFieldValue` (network-interface.md: `n`
 * right-aligned zero-padded, `an`/`ans` left-aligned space-padded). Packing itself never pads:
 * values are wire values (http-and-events.md), so a short fixed value is a format error.
 */
export type Padding = 'zero-left' | 'space-right' | 'none';

/** `pan`: shown as first 6 + last 4; `secret`: never shown at all (PIN block, CVV2). */
export type Sensitivity = 'none' | 'pan' | 'secret';

/** A sub-structure the codec checks inside a field after the character check. */
export type FieldStructure = 'tlv' | 'additional-amounts' | 'original-data' | 'replacement-amounts';

export interface FieldSpec {
  readonly field: number;
  readonly name: string;
  readonly format: ContentFormat;
  readonly lengthType: LengthType;
  /** Exact length of a fixed field; maximum length of a variable one (characters = bytes). */
  readonly maxLength: number;
  /** Minimum length of a variable field; equal to maxLength for a fixed one. */
  readonly minLength: number;
  readonly padding: Padding;
  readonly sensitivity: Sensitivity;
  readonly structure?: FieldStructure;
  readonly description: string;
}

/** A problem found inside one field's value, relative to the first character of the value. */
export interface FieldProblem {
  readonly offsetInValue: number;
  readonly reason: string;
}
