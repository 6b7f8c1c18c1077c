import type { Pool, PoolClient } from 'pg';
import type { Clock } from '@lib/clock';
import { EntryDraft, assertValidEntry, cardholderMovements } from '../journal-entry';

/**
 * The ledger in PostgreSQL (migrations 0002_ledger.sql): journal entries and lines, the record of
 * processed events and the cardholder balance projection, written in ONE transaction per batch.
 *
 * Idempotency (spec invariant 5): `INSERT INTO processed_events ... ON CONFLICT (event_id) DO
 * NOTHING RETURNING event_id` tells which events of the batch are new; only their entries are
 * written, in the same transaction. A batch replayed after a crash (offsets not committed) posts
 * nothing again; `journal_entries.event_id` is UNIQUE as a second guard.
 */
export interface BatchItem {
  readonly eventId: string;
  readonly topic: string;
  /** null: the event records nothing (still marked processed). */
  readonly entry: EntryDraft | null;
}

export interface PostedEntry {
  readonly entryId: string;
  readonly postedAt: string;
  readonly entry: EntryDraft;
}

export interface BatchResult {
  readonly posted: readonly PostedEntry[];
  /** Events of the batch already processed before (or twice in the batch): nothing written for them. */
  readonly duplicates: readonly string[];
  /** New events that record nothing. */
  readonly processedWithoutEntry: number;
}

export interface PostBatchOptions {
  /** Test hook: runs after COMMIT, before the caller commits its offsets (crash tests). */
  readonly afterCommit?: () => void | Promise<void>;
}

const STATEMENT_TIMEOUT_MS = 30_000;

export class LedgerRepository {
  constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
  ) {}

  async postBatch(items: readonly BatchItem[], options: PostBatchOptions = {}): Promise<BatchResult> {
    const unique = new Map<string, BatchItem>();
    const duplicates: string[] = [];
    for (const item of items) {
      if (unique.has(item.eventId)) duplicates.push(item.eventId);
      else unique.set(item.eventId, item);
      if (item.entry) {
        if (item.entry.eventId !== item.eventId) throw new Error(`entry of event ${item.entry.eventId} filed under event ${item.eventId}`);
        assertValidEntry(item.entry);
      }
    }
    if (unique.size === 0) return { posted: [], duplicates, processedWithoutEntry: 0 };
    const postedAt = new Date(this.clock.nowMs()).toISOString();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
      const ids = [...unique.keys()];
      const claimed = await client.query<{ event_id: string }>(
        `INSERT INTO processed_events (event_id, topic)
         SELECT * FROM unnest($1::text[], $2::text[])
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [ids, ids.map((id) => unique.get(id)!.topic)],
      );
      const fresh = new Set(claimed.rows.map((r) => r.event_id));
      for (const id of ids) if (!fresh.has(id)) duplicates.push(id);
      const entries = ids.filter((id) => fresh.has(id)).map((id) => unique.get(id)!.entry).filter((e): e is EntryDraft => e !== null);
      const posted = await this.insertEntries(client, entries, postedAt);
      await this.projectBalances(client, posted, postedAt);
      await this.followDisputes(client, posted);
      await client.query('COMMIT');
      if (options.afterCommit) await options.afterCommit();
      return { posted, duplicates, processedWithoutEntry: fresh.size - entries.length };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Entries and their lines in one statement: the batch goes as one JSON document (parsed once by
   * PostgreSQL, no per-element array escaping), entries are inserted, and their lines joined to the
   * new entry ids; the balance trigger sees every line of the batch in that one statement.
   */
  private async insertEntries(client: PoolClient, entries: readonly EntryDraft[], postedAt: string): Promise<PostedEntry[]> {
    if (entries.length === 0) return [];
    const document = JSON.stringify(
      entries.map((e) => ({
        event_id: e.eventId,
        topic: e.topic,
        type: e.type,
        account_id: e.accountId,
        transaction_id: e.transactionId,
        occurred_at: e.occurredAt,
        business_date: e.businessDate,
        memo: e.memo,
        details: e.details,
        lines: e.lines.map((l, index) => ({ n: index + 1, a: l.ledgerAccount, c: l.currency, m: l.amountMinor.toString(), r: l.role })),
      })),
    );
    const inserted = await client.query<{ entry_id: string; event_id: string }>(
      `WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(event_id text, topic text, type text, account_id text, transaction_id text,
                                                          occurred_at timestamptz, business_date date, memo boolean, details jsonb, lines jsonb)
       ), entries AS (
         INSERT INTO journal_entries (event_id, topic, type, account_id, transaction_id, posted_at, occurred_at, business_date, memo, details)
         SELECT event_id, topic, type, account_id, transaction_id, $2::timestamptz, occurred_at, business_date, memo, details FROM input
         RETURNING entry_id, event_id
       ), lines AS (
         INSERT INTO journal_lines (entry_id, line_no, ledger_account, currency, amount_minor, role)
         SELECT entries.entry_id, l.n, l.a, l.c, l.m, l.r
         FROM entries JOIN input ON input.event_id = entries.event_id
         CROSS JOIN LATERAL jsonb_to_recordset(input.lines) AS l(n smallint, a text, c char(3), m bigint, r text)
       )
       SELECT entry_id::text, event_id FROM entries`,
      [document, postedAt],
    );
    const entryIdOf = new Map(inserted.rows.map((r) => [r.event_id, r.entry_id]));
    return entries.map((entry) => ({ entryId: entryIdOf.get(entry.eventId)!, postedAt, entry }));
  }

  private async projectBalances(client: PoolClient, posted: readonly PostedEntry[], postedAt: string): Promise<void> {
    const totals = new Map<string, { accountId: string; currency: string; deltaMinor: bigint }>();
    for (const { entry } of posted) {
      for (const [code, move] of cardholderMovements(entry)) {
        const current = totals.get(code) ?? { accountId: move.accountId, currency: move.currency, deltaMinor: 0n };
        current.deltaMinor += move.deltaMinor;
        totals.set(code, current);
      }
    }
    // Sorted: concurrent batches lock the rows in one order (no deadlock).
    const rows = [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO cardholder_balances (account_id, currency, balance_minor, updated_at)
       SELECT a, c, d, $4::timestamptz FROM unnest($1::text[], $2::char(3)[], $3::bigint[]) AS t(a, c, d)
       ON CONFLICT (account_id, currency) DO UPDATE
         SET balance_minor = cardholder_balances.balance_minor + EXCLUDED.balance_minor, updated_at = EXCLUDED.updated_at`,
      [rows.map((r) => r.accountId), rows.map((r) => r.currency), rows.map((r) => r.deltaMinor.toString()), postedAt],
    );
  }

  /** A representment or a chargeback-reversal closes the open dispute of its TI. */
  private async followDisputes(client: PoolClient, posted: readonly PostedEntry[]): Promise<void> {
    for (const { entry } of posted) {
      if ((entry.type !== 'representment' && entry.type !== 'chargeback-reversal') || !entry.accountId || !entry.transactionId) continue;
      await client.query(
        `UPDATE disputes SET status = $3
         WHERE dispute_id = (SELECT dispute_id FROM disputes WHERE account_id = $1 AND transaction_id = $2 AND status = 'raised' ORDER BY created_at LIMIT 1)`,
        [entry.accountId, entry.transactionId, entry.type === 'representment' ? 'represented' : 'reversed'],
      );
    }
  }

  // ---- reads ----

  /** The oldest chargeback still open (raised) on this account and TI: what a representment may take back. */
  async openDispute(accountId: string, transactionId: string): Promise<OpenDispute | undefined> {
    const result = await this.pool.query<{ dispute_id: string; amount_minor: string; currency: string }>(
      `SELECT dispute_id, amount_minor, currency FROM disputes WHERE account_id = $1 AND transaction_id = $2 AND status = 'raised' ORDER BY created_at LIMIT 1`,
      [accountId, transactionId],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : { disputeId: row.dispute_id, amountMinor: BigInt(row.amount_minor), currency: row.currency.trim() };
  }

  /** Which of these events were processed already. */
  async processedAmong(eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const result = await this.pool.query<{ event_id: string }>('SELECT event_id FROM processed_events WHERE event_id = ANY($1::text[])', [eventIds]);
    return new Set(result.rows.map((r) => r.event_id));
  }

  /** The entries posted for these events, as written (to publish them again). */
  async postedEntriesOf(eventIds: readonly string[]): Promise<PostedEntry[]> {
    if (eventIds.length === 0) return [];
    const result = await this.pool.query<EntryRow>(`${ENTRY_SELECT} WHERE e.event_id = ANY($1::text[]) GROUP BY e.entry_id ORDER BY e.entry_id`, [eventIds]);
    return result.rows.map(postedEntryOf);
  }

  /** Ledger balance per wallet of the given accounts (all cardholder wallets when absent). */
  async cardholderBalances(accountIds?: readonly string[]): Promise<{ accountId: string; currency: string; balanceMinor: bigint }[]> {
    const result = accountIds
      ? await this.pool.query<{ account_id: string; currency: string; balance_minor: string }>(
          'SELECT account_id, currency, balance_minor::text FROM cardholder_balances WHERE account_id = ANY($1::text[])',
          [accountIds],
        )
      : await this.pool.query<{ account_id: string; currency: string; balance_minor: string }>('SELECT account_id, currency, balance_minor::text FROM cardholder_balances');
    return result.rows.map((r) => ({ accountId: r.account_id, currency: r.currency, balanceMinor: BigInt(r.balance_minor) }));
  }

  /** The same balances summed from the journal itself (tests check the projection against it). */
  async journalBalance(accountId: string, currency: string): Promise<bigint> {
    const result = await this.pool.query<{ total: string | null }>('SELECT sum(amount_minor)::text AS total FROM journal_lines WHERE ledger_account = $1', [
      `cardholder:${accountId}:${currency}`,
    ]);
    return -BigInt(result.rows[0].total ?? '0');
  }

  /**
   * The account's transactions as the periodic fees count them (docs/settlement.md "Periodic
   * fees"): approved card payments and withdrawals (authorisations and stand-in advices with
   * processing code 00, 01 or 09, one per network transaction id, so increments and completions
   * are not new transactions) and loads. Counted by the event's instant: those in
   * [windowFromMs, beforeMs), and the instant of the last one before `beforeMs`.
   */
  async transactionActivity(accountId: string, windowFromMs: number, beforeMs: number): Promise<{ transactionsInWindow: number; lastTransactionMs: number | null }> {
    const result = await this.pool.query<{ in_window: string; last_at: Date | null }>(
      `SELECT count(DISTINCT coalesce(transaction_id, event_id)) FILTER (WHERE occurred_at >= $2)::text AS in_window, max(occurred_at) AS last_at
         FROM journal_entries
        WHERE account_id = $1 AND occurred_at < $3
          AND (type = 'account.loaded'
               OR (type IN ('authorization.approved', 'advice.applied') AND left(details->>'processingCode', 2) IN ('00', '01', '09')))`,
      [accountId, new Date(windowFromMs).toISOString(), new Date(beforeMs).toISOString()],
    );
    const row = result.rows[0];
    return { transactionsInWindow: Number(row.in_window), lastTransactionMs: row.last_at === null ? null : row.last_at.getTime() };
  }

  async entriesOfEvent(eventId: string): Promise<number> {
    const result = await this.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM journal_entries WHERE event_id = $1', [eventId]);
    return Number(result.rows[0].n);
  }
}

interface EntryRow {
  entry_id: string;
  event_id: string;
  topic: string;
  type: string;
  account_id: string | null;
  transaction_id: string | null;
  posted_at: Date;
  occurred_at: Date;
  business_date: string;
  memo: boolean;
  details: Record<string, unknown>;
  lines: { ledger_account: string; currency: string; amount_minor: string; role: string }[] | null;
}

const ENTRY_SELECT = `
  SELECT e.entry_id::text, e.event_id, e.topic, e.type, e.account_id, e.transaction_id, e.posted_at, e.occurred_at,
         to_char(e.business_date, 'YYYY-MM-DD') AS business_date, e.memo, e.details,
         json_agg(json_build_object('ledger_account', l.ledger_account, 'currency', l.currency, 'amount_minor', l.amount_minor::text, 'role', l.role)
                  ORDER BY l.line_no) FILTER (WHERE l.entry_id IS NOT NULL) AS lines
  FROM journal_entries e LEFT JOIN journal_lines l ON l.entry_id = e.entry_id`;

function postedEntryOf(row: EntryRow): PostedEntry {
  return {
    entryId: row.entry_id,
    postedAt: row.posted_at.toISOString(),
    entry: {
      eventId: row.event_id,
      topic: row.topic,
      type: row.type,
      accountId: row.account_id,
      transactionId: row.transaction_id,
      occurredAt: row.occurred_at.toISOString(),
      businessDate: row.business_date,
      memo: row.memo,
      details: row.details,
      lines: (row.lines ?? []).map((l) => ({ ledgerAccount: l.ledger_account, currency: l.currency, amountMinor: BigInt(l.amount_minor), role: l.role })),
    },
  };
}

/** A raised chargeback's credit, in the wallet currency it was credited in. */
export interface OpenDispute {
  readonly disputeId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
}
