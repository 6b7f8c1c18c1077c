import { AdditionalData, isValidTagName } from '../spec/additional-data';
import { MAX_FIELD } from '../spec/dialect';
import { IsoFormatError, NO_OFFSET, ReadableHeader } from '../iso-format-error';
import { ADDITIONAL_DATA_FIELD, IsoMessage } from './iso-message';
import { pack } from './pack';

/**
 * The JSON shape of the HTTP network route (http-and-events.md):
 * `{"mti": "0100", "fields": {"2": "4999990000000001", ..., "48": {"TI": "..."}}}`, field values
 * as wire values. A JSON message passes exactly the checks of the TCP link: it is packed, and
 * packing is the check, so the two entry points cannot drift apart.
 */
export interface IsoMessageJson {
  mti: string;
  fields: Record<string, string | Record<string, string>>;
}

/** The route's JSON for a message, in clear: for the HTTP response body only, never for logs. */
export function messageToJson(message: IsoMessage): IsoMessageJson {
  const fields: Record<string, string | Record<string, string>> = {};
  // Integer-like keys of a JavaScript object iterate in ascending order, so fields come out sorted.
  for (const [field, value] of message.fields) fields[String(field)] = value;
  if (message.field48 !== undefined) fields[String(ADDITIONAL_DATA_FIELD)] = { ...message.field48 };
  return { mti: message.mti, fields };
}

/**
 * A message from the route's JSON (already parsed from text). Throws IsoFormatError naming the
 * field (offset NO_OFFSET), with the readable MTI, 7, 11 and 32 so the route can answer `30`.
 */
export function messageFromJson(input: unknown): IsoMessage {
  const readable = readableFromJson(input);
  try {
    const message = buildMessage(input);
    pack(message);
    return message;
  } catch (error) {
    const reason = error instanceof IsoFormatError ? error.reason : 'not a message';
    const field = error instanceof IsoFormatError ? error.field : undefined;
    throw new IsoFormatError(reason, NO_OFFSET, field, readable);
  }
}

function fail(reason: string, field?: number): never {
  throw new IsoFormatError(reason, NO_OFFSET, field);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function buildMessage(input: unknown): IsoMessage {
  if (!isPlainObject(input)) fail('message must be a JSON object with "mti" and "fields"');
  if (typeof input.mti !== 'string') fail('"mti" must be a string of 4 digits', 0);
  if (!isPlainObject(input.fields)) fail('"fields" must be an object of field number -> value');
  const message = new IsoMessage(input.mti);
  for (const key of Object.keys(input.fields)) {
    const field = fieldNumberOf(key);
    const value = input.fields[key];
    if (field === ADDITIONAL_DATA_FIELD) message.field48 = additionalDataOf(value);
    else if (typeof value === 'string') message.fields.set(field, value);
    else fail('value must be a string', field);
  }
  return message;
}

/** Field keys are canonical decimal numbers 2-128 ("02" and "1" are refused: bit 1 is the bitmap's). */
function fieldNumberOf(key: string): number {
  if (!/^[1-9][0-9]{0,2}$/.test(key)) fail('field keys must be field numbers 2 to 128');
  const field = Number(key);
  if (field < 2 || field > MAX_FIELD) fail('field keys must be field numbers 2 to 128');
  return field;
}

function additionalDataOf(value: unknown): AdditionalData {
  if (!isPlainObject(value)) fail('must be an object of tags', ADDITIONAL_DATA_FIELD);
  const tags: AdditionalData = {};
  for (const tag of Object.keys(value)) {
    // Checked before the assignment: a key such as "__proto__" must be refused, not swallowed.
    if (!isValidTagName(tag)) fail('tag must be an upper-case letter then a letter or digit', ADDITIONAL_DATA_FIELD);
    const tagValue = value[tag];
    if (typeof tagValue !== 'string') fail('tag values must be strings', ADDITIONAL_DATA_FIELD);
    tags[tag] = tagValue;
  }
  return tags;
}

/** MTI, 11, 7 and 32 of raw JSON, each kept only when valid for its field. */
function readableFromJson(input: unknown): ReadableHeader {
  if (!isPlainObject(input)) return {};
  const fields = isPlainObject(input.fields) ? input.fields : {};
  return {
    mti: matching(input.mti, /^[0-9]{4}$/),
    stan: matching(fields['11'], /^[0-9]{6}$/),
    transmissionDateTime: matching(fields['7'], /^[0-9]{10}$/),
    acquirerId: matching(fields['32'], /^[0-9]{1,11}$/),
  };
}

function matching(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}
