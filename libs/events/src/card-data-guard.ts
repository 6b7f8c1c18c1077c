/**
 * Spec invariant 6: no PAN, PIN, PIN block or CVV2 in clear in Kafka (nor in logs). The relay
 * runs every event through `assertNoCardData` before producing it, after schema validation: the
 * schema fixes the shape, this guard catches card data that slipped into a free-text value
 * (merchant name, context) or a field that should not exist.
 *
 * What counts as a PAN: a run of 13 to 19 digits (plain, or in groups of 4 split by a space or a
 * dash) that passes the Luhn check and does not start with 0 (ISO/IEC 7812: no card number does).
 * Digits of a decimal number (an FX rate) are not a PAN.
 *
 * Identifiers whose format the schema fixes (`eventId`, `transactionId`, `holdId`, money `minor`)
 * may legitimately hold such runs: a network TI is 15 digits and one in ten passes Luhn. In those
 * keys a run is card data only if it is the card's own PAN, i.e. it matches a `panMasked` found
 * in the same value (same first 6 and last 4; the mask does not keep the length). A PAN hidden in a longer digit run is not
 * detected; the schemas' patterns bound the identifiers instead.
 */
export const PAN_MIN_DIGITS = 13;
export const PAN_MAX_DIGITS = 19;

/** Keys whose values are identifiers or amounts with a schema-fixed format (see above). */
export const IDENTIFIER_KEYS: readonly string[] = [
  'eventId',
  'transactionId',
  'holdId',
  'minor',
  // The issuer's own generated ids (random hex): a digit run in them can pass Luhn by chance
  // (8 accounts of 400 in a simulator run), and none can hold a PAN.
  'accountId',
  'cardId',
  'loadId',
  'disputeId',
  'recordId',
  'fileId',
];

/** Field names that only ever hold secret card data, compared lower-case without `_`, `-`, spaces. */
const SENSITIVE_FIELD_NAMES = new Set([
  'pin',
  'pinblock',
  'cvv',
  'cvv2',
  'cvc',
  'cvc2',
  'track1',
  'track2',
  'trackdata',
  'pan',
  'cardnumber',
]);

const REDACTED = '[redacted]';

export interface CardDataFinding {
  /** Where: `/merchant/name`, `/context/pinBlock` (the value itself is never reported). */
  path: string;
  kind: 'pan' | 'sensitive-field';
}

export interface CardDataScanOptions {
  identifierKeys?: readonly string[];
}

export class CardDataError extends Error {
  constructor(readonly findings: readonly CardDataFinding[]) {
    super(`card data found at ${findings.map((f) => `${f.path} (${f.kind})`).join(', ')}`);
    this.name = 'CardDataError';
  }
}

/** ISO/IEC 7812 check digit (mod 10). */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** First 6 and last 4 digits, the rest as `*` (the only form of a PAN allowed outside the HSM). */
export function maskPan(pan: string): string {
  return pan.slice(0, 6) + '*'.repeat(Math.max(pan.length - 10, 0)) + pan.slice(-4);
}

interface PanCandidate {
  start: number;
  end: number;
  digits: string;
}

const PLAIN_RUN = /[0-9]+/g;
const GROUPED_RUN = /\b[0-9]{4}(?:[ -][0-9]{4}){2}[ -][0-9]{1,7}\b/g;

/** Cheap pre-check: most strings hold no 13-digit run and no 4-4-4 group, and need no closer look. */
const MAYBE_PAN = /[0-9]{13}|[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}/;

/** Substrings of `text` that are PANs by the rule above. */
function panCandidates(text: string): PanCandidate[] {
  if (!MAYBE_PAN.test(text)) return [];
  const found: PanCandidate[] = [];
  for (const match of text.matchAll(PLAIN_RUN)) {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    if (!isDecimalPart(text, start, end)) found.push({ start, end, digits: match[0] });
  }
  for (const match of text.matchAll(GROUPED_RUN)) {
    const start = match.index ?? 0;
    found.push({ start, end: start + match[0].length, digits: match[0].replace(/[ -]/g, '') });
  }
  return found.filter(
    (c) =>
      c.digits.length >= PAN_MIN_DIGITS &&
      c.digits.length <= PAN_MAX_DIGITS &&
      c.digits[0] !== '0' &&
      luhnValid(c.digits),
  );
}

/** Digits right after `<digit>.` or right before `.<digit>` belong to a decimal number. */
function isDecimalPart(text: string, start: number, end: number): boolean {
  const isDigit = (i: number) =>
    i >= 0 && i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57;
  return (text[start - 1] === '.' && isDigit(start - 2)) || (text[end] === '.' && isDigit(end + 1));
}

function isSensitiveFieldName(key: string): boolean {
  if (key.length > 24) return false;
  const lower = key.toLowerCase();
  if (SENSITIVE_FIELD_NAMES.has(lower)) return true;
  return /[-_ ]/.test(lower) && SENSITIVE_FIELD_NAMES.has(lower.replace(/[-_ ]/g, ''));
}

function matchesMaskedPan(digits: string, maskedPans: readonly string[]): boolean {
  return maskedPans.some(
    (masked) => masked.slice(0, 6) === digits.slice(0, 6) && masked.slice(-4) === digits.slice(-4),
  );
}

/** Every `panMasked` string in the value: the card a value is about. */
function collectMaskedPans(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => collectMaskedPans(item, into));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'panMasked' && typeof item === 'string') into.push(item);
      else collectMaskedPans(item, into);
    }
  }
  return into;
}

type Visitor = (path: readonly string[], key: string | null, text: string) => void;

/**
 * Calls `onText` for every string (and integer) and `onKey` for every object key. The path is a
 * stack of segments, joined only when something is found (the common case finds nothing).
 */
function walk(
  value: unknown,
  path: string[],
  key: string | null,
  onText: Visitor,
  onKey: (path: readonly string[], key: string) => void,
): void {
  if (typeof value === 'string') onText(path, key, value);
  else if (typeof value === 'number' && Number.isInteger(value)) onText(path, key, String(value));
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      walk(value[i], path, key, onText, onKey);
      path.pop();
    }
  } else if (value !== null && typeof value === 'object') {
    for (const childKey of Object.keys(value)) {
      path.push(childKey);
      onKey(path, childKey);
      walk((value as Record<string, unknown>)[childKey], path, childKey, onText, onKey);
      path.pop();
    }
  }
}

const pathText = (path: readonly string[]) => (path.length === 0 ? '/' : `/${path.join('/')}`);

/** The PAN candidates of one text that count as card data at this key. */
function cardDataIn(
  text: string,
  key: string | null,
  maskedPans: () => readonly string[],
  identifierKeys: readonly string[],
): PanCandidate[] {
  const candidates = panCandidates(text);
  if (candidates.length === 0) return candidates;
  if (key !== null && identifierKeys.includes(key))
    return candidates.filter((c) => matchesMaskedPan(c.digits, maskedPans()));
  return candidates;
}

/** The value's masked PANs, collected on first use (only an identifier with a PAN-like run needs them). */
function lazyMaskedPans(value: unknown): () => readonly string[] {
  let collected: string[] | undefined;
  return () => (collected ??= collectMaskedPans(value));
}

export function findCardData(value: unknown, options: CardDataScanOptions = {}): CardDataFinding[] {
  const identifierKeys = options.identifierKeys ?? IDENTIFIER_KEYS;
  const maskedPans = lazyMaskedPans(value);
  const findings: CardDataFinding[] = [];
  walk(
    value,
    [],
    null,
    (path, key, text) => {
      if (cardDataIn(text, key, maskedPans, identifierKeys).length > 0)
        findings.push({ path: pathText(path), kind: 'pan' });
    },
    (path, key) => {
      if (isSensitiveFieldName(key)) findings.push({ path: pathText(path), kind: 'sensitive-field' });
    },
  );
  return findings;
}

/**
 * Throws CardDataError (naming paths, never values) if the value holds card data. A string is
 * read as JSON when it parses (an event as produced), as plain text otherwise.
 */
export function assertNoCardData(jsonOrValue: unknown, options: CardDataScanOptions = {}): void {
  const findings = findCardData(
    typeof jsonOrValue === 'string' ? parseOrText(jsonOrValue) : jsonOrValue,
    options,
  );
  if (findings.length > 0) throw new CardDataError(findings);
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * A copy with card data made harmless: PANs masked (first 6 / last 4), values of sensitive
 * fields replaced. For dead letters and logs, where the rest of the value must stay readable.
 */
export function redactCardData<T>(value: T, options: CardDataScanOptions = {}): T {
  const identifierKeys = options.identifierKeys ?? IDENTIFIER_KEYS;
  return redactValue(value, null, lazyMaskedPans(value), identifierKeys) as T;
}

function redactValue(
  value: unknown,
  key: string | null,
  maskedPans: () => readonly string[],
  identifierKeys: readonly string[],
): unknown {
  if (key !== null && isSensitiveFieldName(key)) return REDACTED;
  if (typeof value === 'string') return redactText(value, key, maskedPans, identifierKeys);
  if (typeof value === 'number' && Number.isInteger(value)) {
    return cardDataIn(String(value), key, maskedPans, identifierKeys).length > 0
      ? maskPan(String(value))
      : value;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, key, maskedPans, identifierKeys));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([childKey, item]) => [
        childKey,
        redactValue(item, childKey, maskedPans, identifierKeys),
      ]),
    );
  }
  return value;
}

function redactText(
  text: string,
  key: string | null,
  maskedPans: () => readonly string[],
  identifierKeys: readonly string[],
): string {
  const found = cardDataIn(text, key, maskedPans, identifierKeys).sort((a, b) => b.start - a.start);
  let result = text;
  for (const c of found) result = result.slice(0, c.start) + maskPan(c.digits) + result.slice(c.end);
  return result;
}
