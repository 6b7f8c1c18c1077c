import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { ClearingRecord, RejectedLine, SUSPENSE_KEY, parseClearingFile, parseClearingTopicEvent, toClearingRecordEvent } from '@lib/clearing';
import type { Clock } from '@lib/clock';
import { Result, err, ok } from '@lib/money';
import { CardSecrets, keys } from '@lib/store';
import type { ClearingPublisher } from './event-publisher';

/**
 * The clearing ingest (clearing.md), shared by `POST /v1/clearing/files` and
 * `npm run clearing:ingest`: parse the file, find each record's card by the keyed hash of its PAN,
 * and emit one `card.clearing` event per accepted record, keyed by account id.
 *
 * Once only: each record is written to `clearing_records` (keyed by recordId, status pending)
 * before its event is published, and marked emitted once Kafka acknowledged it. Ingesting the same
 * file (or a record) again emits nothing for what was emitted; what a failed publish left pending
 * is published on the next ingest. Only the PAN's keyed hash and first 6 / last 4 are stored.
 *
 * clearing.md: "A file with the same fileId ingested again posts nothing again". The first ingest
 * of a fileId registers the file and its records in one transaction; a later file with that
 * fileId registers nothing: its records that the first one registered are duplicates (or, left
 * pending by a failed publish, published now), and any other record is rejected with its line
 * ("already ingested"), never posted.
 */
export interface IngestAnswer {
  readonly fileId: string;
  /** Valid records of the file (emitted now or by an earlier ingest of the same records). */
  readonly accepted: number;
  readonly rejected: readonly RejectedLine[];
  /** Events published by this request. */
  readonly emitted: number;
  /** Records already emitted by an earlier ingest: not emitted again. */
  readonly duplicates: number;
  /** Records whose PAN no card has: emitted without an account, posted to suspense. */
  readonly unknownCards: number;
  readonly warnings: readonly string[];
}

export interface ClearingIngestDeps {
  readonly redis: Redis;
  readonly pool: Pool;
  readonly publisher: ClearingPublisher;
  readonly secrets: CardSecrets;
  readonly clock: Clock;
  readonly topic: string;
}

/** What registering a file decided: the records to publish now, and the records of a re-sent file that are not posted. */
interface Registration {
  readonly toPublish: ReadonlySet<string>;
  readonly notPosted: readonly Located[];
}

interface Located {
  readonly record: ClearingRecord;
  readonly panHash: string;
  readonly card: { accountId: string; cardId: string } | null;
}

const MAX_FILE_CHARS = 64 * 1024 * 1024;

export class ClearingIngest {
  constructor(private readonly deps: ClearingIngestDeps) {}

  async ingest(text: string): Promise<Result<IngestAnswer, RejectedLine>> {
    if (text.length > MAX_FILE_CHARS) return err({ line: 1, reason: `the file exceeds ${MAX_FILE_CHARS} characters` });
    const parsed = parseClearingFile(text);
    if (!parsed.ok) return parsed;
    const { header, records, rejected, warnings } = parsed.value;
    const located = await this.locate(records);
    const nowMs = this.deps.clock.nowMs();
    const { toPublish, notPosted } = await this.register(header, located, nowMs);
    const events = located
      .filter((l) => toPublish.has(l.record.recordId))
      .map((l) => {
        const event = toClearingRecordEvent(header, l.record, l.card, nowMs);
        // The producer checks its own contract: an event that does not pass is a bug, not input.
        const checked = parseClearingTopicEvent(event);
        if (!checked.ok) throw new Error(`clearing event ${event.eventId} does not match its schema: ${checked.error}`);
        return { key: event.accountId ?? SUSPENSE_KEY, value: JSON.stringify(event), recordId: event.recordId };
      });
    await this.deps.publisher.publish(this.deps.topic, events);
    if (events.length > 0) {
      await this.deps.pool.query(`UPDATE clearing_records SET status = 'emitted', emitted_at = $2 WHERE record_id = ANY($1::text[])`, [
        events.map((e) => e.recordId),
        new Date(this.deps.clock.nowMs()).toISOString(),
      ]);
    }
    const posted = located.filter((l) => !notPosted.includes(l));
    const notPostedLines: RejectedLine[] = notPosted.map((l) => ({
      line: l.record.line,
      reason: `file ${header.fileId} was already ingested: this record was not in it and is not posted (a file id posts once)`,
    }));
    return ok({
      fileId: header.fileId,
      accepted: posted.length,
      rejected: [...rejected, ...notPostedLines].sort((a, b) => a.line - b.line),
      emitted: events.length,
      duplicates: posted.length - events.length,
      unknownCards: posted.filter((l) => l.card === null).length,
      warnings,
    });
  }

  /** The card of each record, from the PAN directory (keyed hash -> `<accountId>:<cardId>`). */
  private async locate(records: readonly ClearingRecord[]): Promise<Located[]> {
    if (records.length === 0) return [];
    const hashes = records.map((r) => this.deps.secrets.panHash(r.pan));
    const found = await this.deps.redis.mget(hashes.map((h) => keys.panDirectory(h)));
    return records.map((record, i) => {
      const entry = found[i];
      const [accountId, cardId] = entry ? entry.split(':') : [];
      return { record, panHash: hashes[i], card: accountId && cardId ? { accountId, cardId } : null };
    });
  }

  /**
   * Writes the file and its records once (the first ingest of the fileId); answers the records
   * whose event is still to publish, and the records of a re-sent file that are not posted. The
   * file row is upserted first: a concurrent ingest of the same fileId waits on its lock, then
   * sees the file as already ingested.
   */
  private async register(header: { fileId: string; processingDate: string; records: number }, located: readonly Located[], nowMs: number): Promise<Registration> {
    const at = new Date(nowMs).toISOString();
    const client = await this.deps.pool.connect();
    try {
      await client.query('BEGIN');
      const file = await client.query<{ first: boolean }>(
        `INSERT INTO clearing_files (file_id, processing_date, header_records, first_received_at, last_received_at, submissions)
         VALUES ($1, $2, $3, $4, $4, 1)
         ON CONFLICT (file_id) DO UPDATE SET last_received_at = EXCLUDED.last_received_at, submissions = clearing_files.submissions + 1
         RETURNING (xmax = 0) AS first`,
        [header.fileId, header.processingDate, header.records, at],
      );
      const firstIngest = file.rows[0].first;
      if (firstIngest && located.length > 0) {
        await client.query(
          `INSERT INTO clearing_records (record_id, file_id, line_no, type, account_id, card_id, transaction_id, pan_hash, pan_first6, pan_last4, amount_minor, currency, status, ingested_at)
           SELECT r.*, 'pending', $13::timestamptz
           FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::text[])
             AS r(record_id, file_id, line_no, type, account_id, card_id, transaction_id, pan_hash, pan_first6, pan_last4, amount_minor, currency)
           ON CONFLICT (record_id) DO NOTHING`,
          [
            located.map((l) => l.record.recordId),
            located.map(() => header.fileId),
            located.map((l) => l.record.line),
            located.map((l) => l.record.type),
            located.map((l) => l.card?.accountId ?? null),
            located.map((l) => l.card?.cardId ?? null),
            located.map((l) => l.record.transactionId),
            located.map((l) => l.panHash),
            located.map((l) => l.record.pan.slice(0, 6)),
            located.map((l) => l.record.pan.slice(-4)),
            located.map((l) => l.record.amount.amountMinor.toString()),
            located.map((l) => l.record.amount.currency),
            at,
          ],
        );
      }
      const registered = await client.query<{ record_id: string; status: string; file_id: string }>(
        'SELECT record_id, status, file_id FROM clearing_records WHERE record_id = ANY($1::text[])',
        [located.map((l) => l.record.recordId)],
      );
      await client.query('COMMIT');
      // New rows, and rows an earlier ingest wrote but could not publish, are (re)published.
      const toPublish = new Set(registered.rows.filter((r) => r.status === 'pending').map((r) => r.record_id));
      // A re-sent file posts nothing of its own: a record the first ingest of this file (or another
      // file) did not register is not posted.
      const known = new Set(registered.rows.map((r) => r.record_id));
      const notPosted = firstIngest ? [] : located.filter((l) => !known.has(l.record.recordId));
      return { toPublish, notPosted };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
