import { IsoFormatError, NO_OFFSET } from '../iso-format-error';
import { firstNonDigit } from './digits';
import { FieldProblem } from './field-spec';

/**
 * Field 48, additional data (network-interface.md, "Field 48 tags"): a sequence of tag (2 chars),
 * length (3 digits), value. In a message it is an object of tags, as on the JSON route.
 */
export type AdditionalData = Record<string, string>;

export interface TagSpec {
  readonly tag: string;
  readonly meaning: string;
  /** True for values that must never be shown (CVV2, new PIN block). */
  readonly secret: boolean;
  /** Why the value is refused, or undefined when it is valid. */
  readonly check: (value: string) => string | undefined;
}

const TAG_HEADER_CHARS = 5;
const TAG_VALUE_MAX_CHARS = 999;

function exactDigits(width: number): (value: string) => string | undefined {
  return (value) => (value.length === width && firstNonDigit(value) === -1 ? undefined : `must be ${width} digits`);
}

function oneOf(...allowed: string[]): (value: string) => string | undefined {
  return (value) => (allowed.includes(value) ? undefined : `must be one of ${allowed.join(', ')}`);
}

function hex16(value: string): string | undefined {
  return /^[0-9A-Fa-f]{16}$/.test(value) ? undefined : 'must be 16 hex characters';
}

/** The tags the dialect defines. Other tags are carried through (tag-length-value is extensible). */
export const TAG_SPECS: Readonly<Record<string, TagSpec>> = {
  TI: { tag: 'TI', meaning: 'network transaction id', secret: false, check: exactDigits(15) },
  CV: { tag: 'CV', meaning: 'CVV2', secret: true, check: exactDigits(3) },
  SC: { tag: 'SC', meaning: 'strong customer authentication done', secret: false, check: oneOf('Y', 'N') },
  MI: { tag: 'MI', meaning: 'merchant-initiated: recurring, instalment, stored credentials', secret: false, check: oneOf('R', 'I', 'C') },
  IA: { tag: 'IA', meaning: 'incremental authorisation', secret: false, check: oneOf('Y') },
  PA: { tag: 'PA', meaning: 'terminal accepts partial approval', secret: false, check: oneOf('Y') },
  DV: { tag: 'DV', meaning: 'card in a device wallet', secret: false, check: oneOf('Y') },
  NP: { tag: 'NP', meaning: 'new PIN block (PIN change)', secret: true, check: hex16 },
};

/**
 * Tag names are an upper-case letter then a letter or digit. The dialect's tags all fit; a tag
 * starting with a letter also keeps the object's key order equal to the wire order (JavaScript
 * moves integer-like keys such as "12" to the front), so unpack -> pack gives back the same bytes.
 */
export function isValidTagName(tag: string): boolean {
  if (tag.length !== 2) return false;
  const first = tag.charCodeAt(0);
  const second = tag.charCodeAt(1);
  return first >= 65 && first <= 90 && ((second >= 65 && second <= 90) || (second >= 48 && second <= 57));
}

/** A tag's value is shown in logs only when the dialect defines it as not secret. */
export function isSecretTag(tag: string): boolean {
  const spec = TAG_SPECS[tag];
  // Unknown tags are masked too: what a peer puts in a tag we do not know may be card data.
  return spec === undefined || spec.secret;
}

function checkTag(tag: string, value: string): string | undefined {
  if (!isValidTagName(tag)) return 'tag must be an upper-case letter then a letter or digit';
  if (value.length > TAG_VALUE_MAX_CHARS) return `tag ${tag}: value longer than ${TAG_VALUE_MAX_CHARS}`;
  const spec = TAG_SPECS[tag];
  const problem = spec?.check(value);
  return problem === undefined ? undefined : `tag ${tag}: ${problem}`;
}

/**
 * Parses the wire value of field 48. Returns the tags, or the problem with its offset in the value.
 * The caller has already checked that every character is printable ASCII.
 */
export function parseAdditionalData(value: string): AdditionalData | FieldProblem {
  const tags: AdditionalData = {};
  let offset = 0;
  while (offset < value.length) {
    if (value.length - offset < TAG_HEADER_CHARS) return { offsetInValue: offset, reason: 'truncated tag header' };
    const tag = value.slice(offset, offset + 2);
    if (firstNonDigit(value, offset + 2, offset + TAG_HEADER_CHARS) !== -1) {
      return { offsetInValue: offset + 2, reason: `tag ${printableTag(tag)}: length is not 3 digits` };
    }
    const length = tagLength(value, offset + 2);
    const valueStart = offset + TAG_HEADER_CHARS;
    if (length > value.length - valueStart) {
      return { offsetInValue: offset + 2, reason: `tag ${printableTag(tag)}: length ${length} exceeds the ${value.length - valueStart} characters left` };
    }
    if (Object.prototype.hasOwnProperty.call(tags, tag)) return { offsetInValue: offset, reason: `tag ${tag} repeated` };
    const tagValue = value.slice(valueStart, valueStart + length);
    const problem = checkTag(tag, tagValue);
    if (problem !== undefined) return { offsetInValue: offset, reason: problem };
    tags[tag] = tagValue;
    offset = valueStart + length;
  }
  return tags;
}

function tagLength(value: string, at: number): number {
  return (value.charCodeAt(at) - 48) * 100 + (value.charCodeAt(at + 1) - 48) * 10 + (value.charCodeAt(at + 2) - 48);
}

/** A tag name safe to put in an error message: tag names are never card data, but stay ASCII. */
function printableTag(tag: string): string {
  return isValidTagName(tag) ? tag : '(invalid)';
}

export function isFieldProblem(value: AdditionalData | FieldProblem): value is FieldProblem {
  return typeof (value as FieldProblem).reason === 'string' && typeof (value as FieldProblem).offsetInValue === 'number';
}

/**
 * The wire value of field 48 for a set of tags, in the object's key order. Returns the problem
 * (offset = position of the tag in the packed value) for an invalid tag or value.
 */
export function formatAdditionalData(tags: Readonly<AdditionalData>): string | FieldProblem {
  let packed = '';
  for (const tag of Object.keys(tags)) {
    const value = tags[tag];
    if (typeof value !== 'string') return { offsetInValue: packed.length, reason: `tag ${printableTag(tag)}: value is not a string` };
    const problem = checkTag(tag, value);
    if (problem !== undefined) return { offsetInValue: packed.length, reason: problem };
    packed += tag + String(value.length).padStart(3, '0') + value;
  }
  return packed;
}

/** Like formatAdditionalData, for callers that prefer an exception (message building code). */
export function packAdditionalData(tags: Readonly<AdditionalData>): string {
  const packed = formatAdditionalData(tags);
  if (typeof packed !== 'string') throw new IsoFormatError(packed.reason, NO_OFFSET, 48);
  return packed;
}

/** Like parseAdditionalData, throwing an IsoFormatError for field 48. */
export function unpackAdditionalData(value: string): AdditionalData {
  const parsed = parseAdditionalData(value);
  if (isFieldProblem(parsed)) throw new IsoFormatError(parsed.reason, NO_OFFSET, 48);
  return parsed;
}
