import { EncodeFailureStage, redactCardData } from '@lib/events';
import type { OutboxEntry } from './relay-batch';

/**
 * An outbox entry that cannot become a valid event is a bug of its writer. It is never dropped
 * silently: it goes to `card.authorizations.dlq` (or, while Kafka is down, to the `outbox:dead`
 * stream) with the reason, so that ops can repair and replay it. Its content is kept, with card
 * data masked: the reason an entry failed may be the very PAN it should not carry.
 */
export const DEAD_LETTER_SCHEMA_VERSION = 1;

export interface DeadLetter {
  accountId: string;
  entryId: string;
  /** The message value produced to the DLQ topic (JSON, card data redacted). */
  payload: string;
}

export interface DeadLetterContext {
  /** The topic the entry was meant for. */
  topic: string;
  relayId: string;
  nowMs: number;
}

export interface DeadLetterCause {
  stage: EncodeFailureStage;
  reason: string;
  eventId: string | null;
}

export function deadLetter(
  accountId: string,
  entry: OutboxEntry,
  cause: DeadLetterCause,
  context: DeadLetterContext,
): DeadLetter {
  const value = {
    schemaVersion: DEAD_LETTER_SCHEMA_VERSION,
    topic: context.topic,
    accountId,
    entryId: entry.id,
    eventId: cause.eventId,
    stage: cause.stage,
    reason: cause.reason,
    deadAt: new Date(context.nowMs).toISOString(),
    relayId: context.relayId,
    entry: redactCardData(readableFields(entry.fields)),
  };
  return { accountId, entryId: entry.id, payload: JSON.stringify(value) };
}

/** Fields holding JSON (decision, hold) parsed, so that redaction sees their keys. */
function readableFields(fields: Readonly<Record<string, string>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, parseJsonOrText(value)]));
}

function parseJsonOrText(value: string): unknown {
  if (!value.startsWith('{') && !value.startsWith('[')) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
