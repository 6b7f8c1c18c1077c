import { ContentFormat, FieldSpec, FieldStructure, LengthType, Padding, Sensitivity } from './field-spec';

/**
 * The dialect of network-interface.md ("Fields used"), every field declared once. Nothing else in
 * the library knows a field's format: the codec, the masking and the JSON conversion read this
 * table. A bit set in a bitmap for a field that is not here is a format error.
 */

interface Declaration {
  readonly name: string;
  readonly format: ContentFormat;
  readonly lengthType: LengthType;
  readonly maxLength: number;
  readonly description: string;
  readonly sensitivity?: Sensitivity;
  readonly structure?: FieldStructure;
}

function fixed(name: string, format: ContentFormat, length: number, description: string, extra: Partial<Declaration> = {}): Declaration {
  return { name, format, lengthType: 'fixed', maxLength: length, description, ...extra };
}

function variable(
  name: string,
  format: ContentFormat,
  lengthType: 'LLVAR' | 'LLLVAR',
  maxLength: number,
  description: string,
  extra: Partial<Declaration> = {},
): Declaration {
  return { name, format, lengthType, maxLength, description, ...extra };
}

const DECLARATIONS: Readonly<Record<number, Declaration>> = {
  2: variable('PAN', 'n', 'LLVAR', 19, 'primary account number; never logged in clear', { sensitivity: 'pan' }),
  3: fixed('processing code', 'n', 6, 'digits 1-2 transaction type (00, 01, 09, 20, 30, 31, 92), digits 3-6 0000'),
  4: fixed('amount, transaction', 'n', 12, "minor units of field 49's currency"),
  6: fixed('amount, cardholder billing', 'n', 12, 'response: field 4 converted at the rate of field 10'),
  7: fixed('transmission date and time', 'n', 10, 'MMDDhhmmss, UTC'),
  10: fixed('conversion rate, cardholder billing', 'n', 8, 'first digit = number of decimals, then 7 digits'),
  11: fixed('STAN', 'n', 6, 'system trace audit number'),
  12: fixed('local transaction time', 'n', 6, 'hhmmss at the terminal'),
  13: fixed('local transaction date', 'n', 4, 'MMDD at the terminal'),
  14: fixed('expiration date', 'n', 4, 'YYMM'),
  18: fixed('merchant category code', 'n', 4, 'MCC'),
  19: fixed('acquiring institution country', 'n', 3, 'ISO 3166 numeric'),
  22: fixed('POS entry mode', 'n', 3, '05x chip, 07x contactless, 01x manual / e-commerce, 90x stripe; 3rd digit 1 = PIN capable'),
  25: fixed('POS condition code', 'n', 2, '00 normal, 06 pre-authorisation, 08 mail/phone order, 59 e-commerce'),
  28: fixed('fee amount', 'x+n', 9, 'response: D/C + 8 digits, total fees in account currency minor units'),
  32: variable('acquiring institution id', 'n', 'LLVAR', 11, 'part of the matching key with fields 7 and 11'),
  37: fixed('retrieval reference number', 'an', 12, 'RRN'),
  38: fixed('authorisation id response', 'an', 6, 'response, on approval'),
  39: fixed('response code', 'an', 2, 'see "Response codes"'),
  41: fixed('terminal id', 'ans', 8, 'card acceptor terminal id'),
  42: fixed('merchant id', 'ans', 15, 'card acceptor id'),
  43: fixed('merchant name / location', 'ans', 40, 'name 25, city 13, country 2 (alpha)'),
  48: variable('additional data', 'ans', 'LLLVAR', 999, 'TLV: tag 2 chars, length 3 digits, value', { structure: 'tlv' }),
  49: fixed('currency code, transaction', 'n', 3, 'ISO 4217 numeric'),
  51: fixed('currency code, cardholder billing', 'n', 3, 'response, ISO 4217 numeric'),
  52: fixed('PIN data', 'hex', 16, 'ISO 9564 format-0 PIN block, encrypted; never shown', { sensitivity: 'secret' }),
  54: variable('additional amounts', 'ans', 'LLLVAR', 120, 'response: balance blocks of 20', { structure: 'additional-amounts' }),
  70: fixed('network management code', 'n', 3, '001 sign-on, 002 sign-off, 301 echo'),
  90: fixed('original data elements', 'n', 42, 'original MTI, STAN, field 7, acquirer id (11), 11 zeros', { structure: 'original-data' }),
  95: fixed('replacement amounts', 'an', 42, 'actual amount n12, actual billing amount n12, 18 zeros', { structure: 'replacement-amounts' }),
};

function paddingOf(format: ContentFormat): Padding {
  if (format === 'n') return 'zero-left';
  if (format === 'an' || format === 'ans') return 'space-right';
  return 'none';
}

function toSpec(field: number, d: Declaration): FieldSpec {
  return {
    field,
    name: d.name,
    format: d.format,
    lengthType: d.lengthType,
    maxLength: d.maxLength,
    // An empty variable field says nothing: a sender leaves the field out instead.
    minLength: d.lengthType === 'fixed' ? d.maxLength : 1,
    padding: paddingOf(d.format),
    sensitivity: d.sensitivity ?? 'none',
    structure: d.structure,
    description: d.description,
  };
}

/** Highest field number of the dialect (bit 128 of the secondary bitmap). */
export const MAX_FIELD = 128;

/** Field specs indexed by field number; undefined for a field the dialect does not use. */
export const FIELD_SPECS: ReadonlyArray<FieldSpec | undefined> = buildTable();

function buildTable(): Array<FieldSpec | undefined> {
  const table = new Array<FieldSpec | undefined>(MAX_FIELD + 1).fill(undefined);
  for (const [key, declaration] of Object.entries(DECLARATIONS)) {
    const field = Number(key);
    table[field] = toSpec(field, declaration);
  }
  return table;
}

/** The spec of a field, or undefined when the dialect does not declare it. */
export function fieldSpec(field: number): FieldSpec | undefined {
  return Number.isInteger(field) && field >= 0 && field <= MAX_FIELD ? FIELD_SPECS[field] : undefined;
}

/** Field numbers the dialect declares, ascending. */
export const DECLARED_FIELDS: readonly number[] = FIELD_SPECS.flatMap((spec) => (spec === undefined ? [] : [spec.field]));
