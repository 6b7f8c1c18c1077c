import { AdditionalData, isSecretTag } from '../spec/additional-data';
import { fieldSpec } from '../spec/dialect';

/**
 * Card data never leaves the process in clear in a log line (network-interface.md, security;
 * README invariant 6). Every string form of a message goes through here: the PAN is shown as
 * first 6 + last 4, secret fields and tags (PIN block, CVV2, new PIN block) not at all.
 */

/** A masked copy of a message, safe for logs and JSON.stringify. */
export interface MaskedMessageView {
  readonly mti: string;
  readonly fields: Readonly<Record<string, string | Readonly<Record<string, string>>>>;
}

/** Shortest PAN shown as first 6 + last 4; a shorter one would show most of its digits. */
const SHORTEST_PARTLY_SHOWN_PAN = 13;

/** `4999990000000001` -> `499999******0001`; a PAN shorter than 13 digits is masked entirely. */
export function maskPan(pan: string): string {
  if (pan.length < SHORTEST_PARTLY_SHOWN_PAN) return '*'.repeat(pan.length);
  return pan.slice(0, 6) + '*'.repeat(pan.length - 10) + pan.slice(-4);
}

function maskSecret(value: string): string {
  return '*'.repeat(value.length);
}

/** The value of a field as it may be shown; fields the dialect does not declare are masked. */
export function maskFieldValue(field: number, value: string): string {
  const spec = fieldSpec(field);
  if (spec === undefined) return maskSecret(String(value));
  if (spec.sensitivity === 'pan') return maskPan(value);
  if (spec.sensitivity === 'secret') return maskSecret(value);
  return value;
}

export function maskAdditionalData(tags: Readonly<AdditionalData>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const tag of Object.keys(tags)) {
    const value = String(tags[tag]);
    masked[tag] = isSecretTag(tag) ? maskSecret(value) : value;
  }
  return masked;
}

export function maskedParts(
  mti: string,
  fields: ReadonlyMap<number, string>,
  field48: Readonly<AdditionalData> | undefined,
): MaskedMessageView {
  const out: Record<string, string | Record<string, string>> = {};
  for (const [field, value] of fields) out[String(field)] = maskFieldValue(field, value);
  if (field48 !== undefined) out['48'] = maskAdditionalData(field48);
  return { mti, fields: out };
}

/** One line: `0100 2=499999******0001 3=000000 ... 48={TI=123456789012345 CV=***}`. */
export function maskedLine(view: MaskedMessageView): string {
  const parts = [view.mti];
  for (const key of Object.keys(view.fields)) {
    const value = view.fields[key];
    parts.push(typeof value === 'string' ? `${key}=${value}` : `${key}={${tagLine(value)}}`);
  }
  return parts.join(' ');
}

function tagLine(tags: Readonly<Record<string, string>>): string {
  return Object.keys(tags)
    .map((tag) => `${tag}=${tags[tag]}`)
    .join(' ');
}
