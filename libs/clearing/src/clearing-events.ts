import Ajv, { ValidateFunction } from 'ajv';
import type { MoneyJson } from '@lib/events';
import { Result, err, ok } from '@lib/money';
import type { ClearingHeader, ClearingMerchant, ClearingRecord, ClearingRecordType } from './clearing-file';
import { CLEARING_RECORD_TYPES } from './clearing-file';

/**
 * The events of the `card.clearing` topic (http-and-events.md), keyed by account id: one per
 * accepted clearing record (eventId = recordId, so a record ingested twice is one event), and one
 * `dispute.raised` per chargeback raised by the back office (eventId = disputeId). They carry the
 * masked PAN, never the PAN. Validated against the JSON Schemas below on both sides (producer
 * tests, consumer parse).
 */
export const CLEARING_EVENT_SCHEMA_VERSION = 1;

export interface ClearingRecordEvent {
  readonly schemaVersion: 1;
  readonly eventId: string;
  readonly type: ClearingRecordType;
  /** When the ingest accepted the record (ISO 8601 UTC). */
  readonly occurredAt: string;
  readonly fileId: string;
  readonly recordId: string;
  readonly line: number;
  /** The file's processing date: its reference FX rate re-rates the record. */
  readonly processingDate: string;
  /** null: no card has this PAN (the record is posted to suspense, never to a cardholder). */
  readonly accountId: string | null;
  readonly cardId: string | null;
  readonly panMasked: string;
  readonly transactionId: string | null;
  readonly authCode: string | null;
  readonly amount: MoneyJson;
  readonly mcc: string;
  readonly merchant: ClearingMerchant;
  readonly acquirerId: string;
  readonly final: boolean;
}

export interface DisputeRaisedEvent {
  readonly schemaVersion: 1;
  readonly eventId: string;
  readonly type: 'dispute.raised';
  readonly occurredAt: string;
  readonly disputeId: string;
  readonly accountId: string;
  readonly transactionId: string;
  /** The amount disputed, in the wallet currency the purchase was debited from. */
  readonly amount: MoneyJson;
  readonly reason: string;
}

export type ClearingTopicEvent = ClearingRecordEvent | DisputeRaisedEvent;

/** The Kafka key of events that have no account (unknown PAN): they still keep one order. */
export const SUSPENSE_KEY = 'suspense';

export function maskedPan(pan: string): string {
  return `${pan.slice(0, 6)}******${pan.slice(-4)}`;
}

export function toClearingRecordEvent(
  header: ClearingHeader,
  record: ClearingRecord,
  card: { accountId: string; cardId: string } | null,
  occurredAtMs: number,
): ClearingRecordEvent {
  return {
    schemaVersion: CLEARING_EVENT_SCHEMA_VERSION,
    eventId: record.recordId,
    type: record.type,
    occurredAt: new Date(occurredAtMs).toISOString(),
    fileId: header.fileId,
    recordId: record.recordId,
    line: record.line,
    processingDate: header.processingDate,
    accountId: card?.accountId ?? null,
    cardId: card?.cardId ?? null,
    panMasked: maskedPan(record.pan),
    transactionId: record.transactionId,
    authCode: record.authCode,
    amount: { minor: record.amount.amountMinor.toString(), currency: record.amount.currency },
    mcc: record.mcc,
    merchant: record.merchant,
    acquirerId: record.acquirerId,
    final: record.final,
  };
}

const money = {
  type: 'object',
  required: ['minor', 'currency'],
  additionalProperties: false,
  properties: { minor: { type: 'string', pattern: '^-?(0|[1-9][0-9]{0,17})$' }, currency: { type: 'string', pattern: '^[A-Z]{3}$' } },
} as const;
const id = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
const instant = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' } as const;

export const clearingRecordEventSchema = {
  $id: 'card.clearing/clearing-record.v1',
  type: 'object',
  additionalProperties: false,
  required: [
    'schemaVersion', 'eventId', 'type', 'occurredAt', 'fileId', 'recordId', 'line', 'processingDate', 'accountId', 'cardId',
    'panMasked', 'transactionId', 'authCode', 'amount', 'mcc', 'merchant', 'acquirerId', 'final',
  ],
  properties: {
    schemaVersion: { const: 1 },
    eventId: id,
    type: { enum: [...CLEARING_RECORD_TYPES] },
    occurredAt: instant,
    fileId: id,
    recordId: id,
    line: { type: 'integer', minimum: 2 },
    processingDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    accountId: { anyOf: [id, { type: 'null' }] },
    cardId: { anyOf: [id, { type: 'null' }] },
    // First 6 and last 4 only: a schema that could carry a full PAN would not pass this.
    panMasked: { type: 'string', pattern: '^[0-9]{6}\\*{2,9}[0-9]{4}$' },
    transactionId: { anyOf: [{ type: 'string', pattern: '^[0-9]{15}$' }, { type: 'null' }] },
    authCode: { anyOf: [{ type: 'string', pattern: '^[A-Za-z0-9]{6}$' }, { type: 'null' }] },
    amount: money,
    mcc: { type: 'string', pattern: '^[0-9]{4}$' },
    merchant: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'name', 'country'],
      properties: { id: { type: 'string' }, name: { type: 'string' }, country: { type: 'string', pattern: '^[A-Z]{2}$' } },
    },
    acquirerId: { type: 'string', pattern: '^[0-9]{1,11}$' },
    final: { type: 'boolean' },
  },
} as const;

export const disputeRaisedEventSchema = {
  $id: 'card.clearing/dispute-raised.v1',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'eventId', 'type', 'occurredAt', 'disputeId', 'accountId', 'transactionId', 'amount', 'reason'],
  properties: {
    schemaVersion: { const: 1 },
    eventId: id,
    type: { const: 'dispute.raised' },
    occurredAt: instant,
    disputeId: id,
    accountId: id,
    transactionId: { type: 'string', pattern: '^[0-9]{15}$' },
    amount: money,
    reason: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

let validators: { record: ValidateFunction; dispute: ValidateFunction } | undefined;

function compiled() {
  if (validators === undefined) {
    const ajv = new Ajv({ allErrors: false, strict: true });
    validators = { record: ajv.compile(clearingRecordEventSchema), dispute: ajv.compile(disputeRaisedEventSchema) };
  }
  return validators;
}

/** A `card.clearing` value, validated against its schema; the error names the path and the rule. */
export function parseClearingTopicEvent(value: unknown): Result<ClearingTopicEvent, string> {
  if (typeof value !== 'object' || value === null) return err('the event is not a JSON object');
  const type = (value as { type?: unknown }).type;
  const validate = type === 'dispute.raised' ? compiled().dispute : compiled().record;
  if (!validate(value)) {
    const first = validate.errors?.[0];
    return err(`schema ${String(validate.schema && (validate.schema as { $id?: string }).$id)}: ${first?.instancePath || '/'} ${first?.message ?? 'invalid'}`);
  }
  return ok(value as ClearingTopicEvent);
}
