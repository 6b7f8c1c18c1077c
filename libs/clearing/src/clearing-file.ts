import { CurrencyCode, Money, Result, err, isCurrencyCode, money, ok } from '@lib/money';
import { parseDayId } from '@lib/programs';

/**
 * The network's daily clearing file (clearing.md): UTF-8 JSON Lines, line 1 a header, then one
 * record per line. Parsing is pure and never throws on input: a malformed header refuses the file
 * (nothing can be identified without it); a malformed record is reported with its line number and
 * the reason, and the other records are kept. Reasons never quote the PAN (spec invariant 6).
 */
export const CLEARING_RECORD_TYPES = ['presentment', 'refund', 'representment', 'chargeback-reversal'] as const;
export type ClearingRecordType = (typeof CLEARING_RECORD_TYPES)[number];

export interface ClearingHeader {
  readonly fileId: string;
  /** 'YYYY-MM-DD': the day whose reference FX rate the records are converted at. */
  readonly processingDate: string;
  /** Number of records the header announces. */
  readonly records: number;
}

export interface ClearingMerchant {
  readonly id: string;
  readonly name: string;
  readonly country: string;
}

/** One valid record. `pan` is in clear in memory only: the ingest keeps its keyed hash. */
export interface ClearingRecord {
  readonly line: number;
  readonly recordId: string;
  readonly type: ClearingRecordType;
  /** The `TI` being cleared; null = a force post (cleared without an authorisation). */
  readonly transactionId: string | null;
  readonly pan: string;
  readonly authCode: string | null;
  readonly amount: Money;
  readonly mcc: string;
  readonly merchant: ClearingMerchant;
  readonly acquirerId: string;
  /** false: more presentments of this `TI` follow (split shipment); the hold stays. */
  readonly final: boolean;
}

export interface RejectedLine {
  readonly line: number;
  readonly reason: string;
}

export interface ParsedClearingFile {
  readonly header: ClearingHeader;
  readonly records: readonly ClearingRecord[];
  readonly rejected: readonly RejectedLine[];
  /** Facts about the whole file that refuse no line (e.g. a record count unlike the header's). */
  readonly warnings: readonly string[];
}

/** Ids used as event ids and inside Redis keys: the key builders' alphabet. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const TRANSACTION_ID = /^[0-9]{15}$/;
const PAN = /^[0-9]{12,19}$/;
const AUTH_CODE = /^[A-Za-z0-9]{6}$/;
/** At most 15 digits: amounts stay exact integers in the Redis step (doubles, 2^53). */
const MINOR = /^[1-9][0-9]{0,14}$/;
const MCC = /^[0-9]{4}$/;
const COUNTRY = /^[A-Z]{2}$/;
const ACQUIRER_ID = /^[0-9]{1,11}$/;
const MAX_TEXT = 64;

export function parseClearingFile(text: string): Result<ParsedClearingFile, RejectedLine> {
  const lines = text.split(/\r?\n/);
  const header = parseHeader(lines[0] ?? '');
  if (!header.ok) return err({ line: 1, reason: header.error });
  const records: ClearingRecord[] = [];
  const rejected: RejectedLine[] = [];
  const firstLineOf = new Map<string, number>();
  for (let index = 1; index < lines.length; index += 1) {
    const line = index + 1;
    // Blank lines (the final newline, padding) carry no record and are not reported.
    if (lines[index].trim() === '') continue;
    const record = parseRecord(lines[index], line);
    if (!record.ok) {
      rejected.push({ line, reason: record.error });
      continue;
    }
    const earlier = firstLineOf.get(record.value.recordId);
    if (earlier !== undefined) {
      rejected.push({ line, reason: `recordId ${record.value.recordId} already appears on line ${earlier}` });
      continue;
    }
    firstLineOf.set(record.value.recordId, line);
    records.push(record.value);
  }
  const warnings: string[] = [];
  const recordLines = records.length + rejected.length;
  if (recordLines !== header.value.records) {
    warnings.push(`the header announces ${header.value.records} records, the file has ${recordLines} record lines`);
  }
  return ok({ header: header.value, records, rejected, warnings });
}

function parseJsonObject(text: string): Result<Record<string, unknown>, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message may quote the line (and so a PAN): it is not repeated.
    return err('not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return err('must be a JSON object');
  return ok(value as Record<string, unknown>);
}

export function parseHeader(text: string): Result<ClearingHeader, string> {
  const object = parseJsonObject(text);
  if (!object.ok) return err(`header: ${object.error}`);
  const { fileId, processingDate, records } = object.value;
  if (typeof fileId !== 'string' || !ID.test(fileId)) return err('header: fileId must be 1 to 64 characters A-Z a-z 0-9 _ -');
  if (typeof processingDate !== 'string' || parseDayId(processingDate) === undefined) {
    return err('header: processingDate must be a date YYYY-MM-DD');
  }
  if (typeof records !== 'number' || !Number.isSafeInteger(records) || records < 0) return err('header: records must be a non-negative integer');
  return ok({ fileId, processingDate, records });
}

type Field<T> = Result<T, string>;

function requiredText(record: Record<string, unknown>, name: string, pattern: RegExp, describe: string): Field<string> {
  const value = record[name];
  if (value === undefined || value === null) return err(`${name} is required`);
  if (typeof value !== 'string' || !pattern.test(value)) return err(`${name} must be ${describe}`);
  return ok(value);
}

function optionalText(record: Record<string, unknown>, name: string, pattern: RegExp, describe: string): Field<string | null> {
  const value = record[name];
  if (value === undefined || value === null || value === '') return ok(null);
  if (typeof value !== 'string' || !pattern.test(value)) return err(`${name} must be ${describe}`);
  return ok(value);
}

function freeText(value: unknown, name: string): Field<string> {
  if (typeof value !== 'string' || value.trim() === '') return err(`${name} must be a non-empty string`);
  if (value.length > MAX_TEXT) return err(`${name} must have at most ${MAX_TEXT} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return err(`${name} must not contain control characters`);
  return ok(value);
}

function parseAmount(value: unknown): Field<Money> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return err('amount must be an object {minor, currency}');
  const { minor, currency } = value as Record<string, unknown>;
  if (typeof currency !== 'string' || !isCurrencyCode(currency)) return err('amount.currency must be a known ISO 4217 alpha code');
  if (typeof minor !== 'string' || !MINOR.test(minor)) return err('amount.minor must be a string of 1 to 15 digits, greater than 0');
  return ok(money(BigInt(minor), currency as CurrencyCode));
}

function parseMerchant(value: unknown): Field<ClearingMerchant> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return err('merchant must be an object {id, name, country}');
  const { id, name, country } = value as Record<string, unknown>;
  const merchantId = freeText(id, 'merchant.id');
  if (!merchantId.ok) return merchantId;
  const merchantName = freeText(name, 'merchant.name');
  if (!merchantName.ok) return merchantName;
  if (typeof country !== 'string' || !COUNTRY.test(country)) return err('merchant.country must be an ISO 3166 alpha-2 code');
  return ok({ id: merchantId.value, name: merchantName.value, country });
}

export function parseRecord(text: string, line: number): Field<ClearingRecord> {
  const object = parseJsonObject(text);
  if (!object.ok) return object;
  const r = object.value;
  const recordId = requiredText(r, 'recordId', ID, '1 to 64 characters A-Z a-z 0-9 _ -');
  if (!recordId.ok) return recordId;
  const type = r.type;
  if (typeof type !== 'string' || !(CLEARING_RECORD_TYPES as readonly string[]).includes(type)) {
    return err(`type must be one of ${CLEARING_RECORD_TYPES.join(', ')}`);
  }
  const transactionId = optionalText(r, 'transactionId', TRANSACTION_ID, '15 digits (the TI of the authorisation)');
  if (!transactionId.ok) return transactionId;
  // clearing.md: "Refunds and representments carry the TI of the purchase they relate to". A
  // representment or a chargeback-reversal takes back a chargeback's credit: without the TI there
  // is no chargeback to name. (A refund without one is credited unmatched, as a force post is.)
  if ((type === 'representment' || type === 'chargeback-reversal') && transactionId.value === null) return err(`transactionId is required on a ${type}`);
  // No Luhn check: the spec's own example PAN fails it; a PAN no card has is posted to suspense.
  if (typeof r.pan !== 'string' || !PAN.test(r.pan)) return err('pan must be 12 to 19 digits');
  const authCode = optionalText(r, 'authCode', AUTH_CODE, '6 letters or digits');
  if (!authCode.ok) return authCode;
  const amount = parseAmount(r.amount);
  if (!amount.ok) return amount;
  const mcc = requiredText(r, 'mcc', MCC, '4 digits');
  if (!mcc.ok) return mcc;
  const merchant = parseMerchant(r.merchant);
  if (!merchant.ok) return merchant;
  const acquirerId = requiredText(r, 'acquirerId', ACQUIRER_ID, '1 to 11 digits');
  if (!acquirerId.ok) return acquirerId;
  // `final` matters for presentments: `false` when more of the same TI follow (split shipment,
  // clearing.md); absent means final, as for every other record.
  if (r.final !== undefined && typeof r.final !== 'boolean') return err('final must be true or false');
  return ok({
    line,
    recordId: recordId.value,
    type: type as ClearingRecordType,
    transactionId: transactionId.value,
    pan: r.pan,
    authCode: authCode.value,
    amount: amount.value,
    mcc: mcc.value,
    merchant: merchant.value,
    acquirerId: acquirerId.value,
    final: r.final === undefined ? true : r.final,
  });
}
