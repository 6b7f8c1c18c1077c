import { encodeAuthorizationEvent } from '@lib/events';
import { DeadLetter, deadLetter, DeadLetterContext } from './dead-letter';
import { streamIdMs } from './stream-ids';

/**
 * What one turn does with the entries read from one account's outbox, decided without I/O.
 *
 * Entries leave the outbox only as a prefix (XTRIM MINID), so a turn handles the leading run of
 * one kind: either valid events to produce (up to a byte budget) or entries to dead-letter. A
 * dead entry behind valid ones waits for the next turn, when it leads; per account, events stay
 * in outbox order and each entry is either acknowledged by Kafka or dead-lettered before it goes.
 */
export interface OutboxEntry {
  id: string;
  fields: Record<string, string>;
}

export interface EventMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

interface AccountWorkBase {
  accountId: string;
  /** Last entry this work covers: the outbox is trimmed up to it once the work is done. */
  lastEntryId: string;
}

export type AccountWork =
  | (AccountWorkBase & { kind: 'deliver'; messages: EventMessage[]; bytes: number; oldestEntryMs: number })
  | (AccountWorkBase & { kind: 'dead-letter'; deadLetters: DeadLetter[] });

export function planAccountWork(
  accountId: string,
  entries: readonly OutboxEntry[],
  maxBytes: number,
  context: DeadLetterContext,
): AccountWork | null {
  const messages: EventMessage[] = [];
  const deadLetters: DeadLetter[] = [];
  let bytes = 0;
  let lastEntryId = '';
  for (const entry of entries) {
    const encoded = encodeAuthorizationEvent(accountId, entry.fields);
    if (!encoded.ok) {
      if (messages.length > 0) break;
      deadLetters.push(deadLetter(accountId, entry, encoded, context));
    } else {
      const messageBytes = Buffer.byteLength(encoded.json) + accountId.length;
      if (deadLetters.length > 0 || (messages.length > 0 && bytes + messageBytes > maxBytes)) break;
      messages.push({
        key: accountId,
        value: encoded.json,
        headers: {
          eventId: encoded.event.eventId,
          type: encoded.event.type,
          schemaVersion: String(encoded.event.schemaVersion),
        },
      });
      bytes += messageBytes;
    }
    lastEntryId = entry.id;
  }
  if (deadLetters.length > 0) return { kind: 'dead-letter', accountId, lastEntryId, deadLetters };
  if (messages.length > 0)
    return {
      kind: 'deliver',
      accountId,
      lastEntryId,
      messages,
      bytes,
      oldestEntryMs: streamIdMs(entries[0].id),
    };
  return null;
}

type DeliverWork = Extract<AccountWork, { kind: 'deliver' }>;

/**
 * Groups accounts into producer sends of at most `maxBytes` (an account's work is never split, so
 * its events stay in one request, in order). The broker refuses a record batch larger than its
 * message.max.bytes (1 MiB by default): an unbounded send would fail forever.
 */
export function chunkBySize(works: readonly DeliverWork[], maxBytes: number): DeliverWork[][] {
  const chunks: DeliverWork[][] = [];
  let current: DeliverWork[] = [];
  let bytes = 0;
  for (const work of works) {
    if (current.length > 0 && bytes + work.bytes > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(work);
    bytes += work.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
