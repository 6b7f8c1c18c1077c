import type { Message } from 'kafkajs';
import { validateLedgerPostingEvent } from '@lib/events';
import { JournalLineJson, PostedEntry, entryToJson } from '@lib/ledger';

/**
 * A `ledger.postings` event: one journal entry as posted (http-and-events.md: "each journal
 * entry posted, for ops"), keyed by account id (house-only entries under `house`). Consumers
 * dedupe on `entryId` (the topic is at-least-once). Its contract is
 * libs/events/schemas/ledger.postings.v1.schema.json.
 */
export interface LedgerPostingEvent {
  readonly schemaVersion: 1;
  readonly eventId: string;
  readonly type: 'ledger.posted';
  readonly entryId: string;
  readonly postedAt: string;
  readonly sourceEventId: string;
  readonly sourceTopic: string;
  readonly entryType: string;
  readonly accountId: string | null;
  readonly transactionId: string | null;
  readonly occurredAt: string;
  readonly businessDate: string;
  readonly memo: boolean;
  readonly lines: readonly JournalLineJson[];
  readonly summary: Readonly<Record<string, unknown>>;
}

export const HOUSE_KEY = 'house';

export function postingEvent(posted: PostedEntry): LedgerPostingEvent {
  const entry = entryToJson(posted.entry);
  return {
    schemaVersion: 1,
    eventId: `posting-${posted.entryId}`,
    type: 'ledger.posted',
    entryId: posted.entryId,
    postedAt: posted.postedAt,
    sourceEventId: entry.eventId,
    sourceTopic: entry.topic,
    entryType: entry.type,
    accountId: entry.accountId,
    transactionId: entry.transactionId,
    occurredAt: entry.occurredAt,
    businessDate: entry.businessDate,
    memo: entry.memo,
    lines: entry.lines,
    // What ops filter on; the entry's full details stay in the ledger (journal_entries.details).
    summary: summaryOf(entry.details),
  };
}

const SUMMARY_FIELDS = ['match', 'fileId', 'recordId', 'processingDate', 'panMasked', 'mcc', 'differenceMinor', 'declineReason', 'disputeId', 'loadId', 'postedUnknown'];

function summaryOf(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const field of SUMMARY_FIELDS) if (details[field] !== undefined && details[field] !== null) summary[field] = details[field];
  return summary;
}

/** A posting that does not match its schema: a bug of `postingEvent` or of a posting rule. */
export interface InvalidPosting {
  readonly posted: PostedEntry;
  readonly eventId: string;
  readonly reason: string;
}

export interface EncodedPostings {
  readonly messages: Message[];
  readonly invalid: InvalidPosting[];
}

/**
 * The messages to produce, each validated against the schema first (spec: events are validated
 * against the JSON Schemas kept in the repo). The headers are those of every topic (docs/events.md):
 * consumers can dedupe without parsing the value.
 */
export function encodePostings(entries: readonly PostedEntry[]): EncodedPostings {
  const messages: Message[] = [];
  const invalid: InvalidPosting[] = [];
  for (const posted of entries) {
    const event = postingEvent(posted);
    const validation = validateLedgerPostingEvent(event);
    if (!validation.valid) {
      invalid.push({ posted, eventId: event.eventId, reason: `schema ledger.postings v1: ${validation.errors.join('; ')}` });
      continue;
    }
    messages.push({
      key: posted.entry.accountId ?? HOUSE_KEY,
      value: JSON.stringify(event),
      headers: { eventId: event.eventId, type: event.type, schemaVersion: String(event.schemaVersion) },
    });
  }
  return { messages, invalid };
}
