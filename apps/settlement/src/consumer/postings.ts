import type { Message } from 'kafkajs';
import { PostedEntry, entryToJson } from '@lib/ledger';

/**
 * A `ledger.postings` event: one journal entry as posted (http-and-events.md: "each journal
 * entry posted, for ops"), keyed by account id (house-only entries under `house`). Consumers
 * dedupe on `entryId` (the topic is at-least-once).
 */
export function postingEvent(posted: PostedEntry) {
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

export function postingMessages(entries: readonly PostedEntry[]): Message[] {
  return entries.map((posted) => ({ key: posted.entry.accountId ?? 'house', value: JSON.stringify(postingEvent(posted)) }));
}
