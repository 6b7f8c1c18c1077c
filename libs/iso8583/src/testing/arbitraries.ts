import * as fc from 'fast-check';
import { AdditionalData, TAG_SPECS } from '../spec/additional-data';
import { DECLARED_FIELDS, FIELD_SPECS } from '../spec/dialect';
import { FieldSpec } from '../spec/field-spec';
import { IsoMessage } from '../codec/iso-message';

/** fast-check generators of valid values and messages of the dialect, field by field from the spec table. */

const DIGIT_CHARS = '0123456789'.split('');
const HEX_CHARS = '0123456789ABCDEFabcdef'.split('');
const AN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '.split('');
const ANS_CHARS = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

function chars(alphabet: readonly string[], minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...alphabet), { minLength, maxLength }).map((list) => list.join(''));
}

export const digits = (length: number): fc.Arbitrary<string> => chars(DIGIT_CHARS, length, length);

const amountBlock = fc
  .tuple(digits(2), fc.constantFrom('01', '02'), digits(3), fc.constantFrom('C', 'D'), digits(12))
  .map((parts) => parts.join(''));

function structuredValue(spec: FieldSpec): fc.Arbitrary<string> | undefined {
  switch (spec.structure) {
    case 'additional-amounts':
      return fc.array(amountBlock, { minLength: 1, maxLength: 6 }).map((blocks) => blocks.join(''));
    case 'original-data':
      return digits(31).map((head) => head + '0'.repeat(11));
    case 'replacement-amounts':
      return digits(24).map((head) => head + '0'.repeat(18));
    default:
      return undefined;
  }
}

export function fieldValue(spec: FieldSpec): fc.Arbitrary<string> {
  const structured = structuredValue(spec);
  if (structured !== undefined) return structured;
  const { minLength, maxLength } = spec;
  switch (spec.format) {
    case 'n':
      return chars(DIGIT_CHARS, minLength, maxLength);
    case 'an':
      return chars(AN_CHARS, minLength, maxLength);
    case 'ans':
      return chars(ANS_CHARS, minLength, maxLength);
    case 'hex':
      return chars(HEX_CHARS, minLength, maxLength);
    case 'x+n':
      return fc.tuple(fc.constantFrom('C', 'D'), digits(maxLength - 1)).map(([sign, rest]) => sign + rest);
  }
}

const KNOWN_TAG_VALUES: Record<string, fc.Arbitrary<string>> = {
  TI: digits(15),
  CV: digits(3),
  SC: fc.constantFrom('Y', 'N'),
  MI: fc.constantFrom('R', 'I', 'C'),
  IA: fc.constant('Y'),
  PA: fc.constant('Y'),
  DV: fc.constant('Y'),
  NP: chars(HEX_CHARS, 16, 16),
};

const unknownTag = fc
  .tuple(fc.constantFrom(...'ABEFGHJKLOQRUWXYZ'.split('')), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('')))
  .map(([a, b]) => a + b)
  .filter((tag) => TAG_SPECS[tag] === undefined);

export const additionalData: fc.Arbitrary<AdditionalData> = fc
  .tuple(
    fc.subarray(Object.keys(KNOWN_TAG_VALUES)),
    fc.uniqueArray(fc.tuple(unknownTag, chars(ANS_CHARS, 0, 60)), { maxLength: 3, selector: ([tag]) => tag }),
  )
  .chain(([known, unknown]) =>
    fc.tuple(...known.map((tag) => KNOWN_TAG_VALUES[tag].map((value) => [tag, value] as const))).map((pairs) => {
      const tags: AdditionalData = {};
      for (const [tag, value] of pairs) tags[tag] = value;
      for (const [tag, value] of unknown) tags[tag] = value;
      return tags;
    }),
  )
  .filter((tags) => Object.keys(tags).length > 0);

const PLAIN_FIELDS = DECLARED_FIELDS.filter((field) => field !== 48);

/** Any valid message: any 4-digit MTI, any subset of the declared fields with valid values. */
export const validMessage: fc.Arbitrary<IsoMessage> = fc
  .tuple(digits(4), fc.subarray(PLAIN_FIELDS), fc.option(additionalData, { nil: undefined }))
  .chain(([mti, fields, field48]) =>
    fc.tuple(...fields.map((field) => fieldValue(FIELD_SPECS[field]!).map((value) => [field, value] as const))).map((pairs) => {
      const message = new IsoMessage(mti, new Map(pairs));
      message.field48 = field48;
      return message;
    }),
  );
