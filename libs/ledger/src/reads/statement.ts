import type { Pool } from 'pg';
import type { MoneyJson } from '@lib/events';

/**
 * `GET /v1/accounts/{id}/statement` (clearing.md "What the account shows"): the account's ledger
 * entries that moved its balance, newest first, read from the journal. From the holder's side:
 * debits negative, credits positive. `amount` is the movement without its fees, `fees` the fee
 * lines (negative: charged), so `amount + fees` is what the balance moved by, and `balanceAfter`
 * the wallet's balance once the entry was posted.
 */
export interface StatementEntry {
  readonly entryId: string;
  readonly postedAt: string;
  readonly type: string;
  readonly transactionId: string | null;
  readonly amount: MoneyJson;
  readonly fees: readonly { readonly type: string; readonly amount: MoneyJson }[];
  readonly balanceAfter: MoneyJson;
}

export interface StatementQuery {
  readonly accountId: string;
  /** Entries older than this entry id (paging); absent: from the newest. */
  readonly beforeEntryId?: string;
  readonly limit: number;
}

interface Row {
  entry_id: string;
  posted_at: Date;
  type: string;
  transaction_id: string | null;
  currency: string;
  delta: string;
  balance_after: string;
  fees: { type: string; minor: string }[] | null;
  fee_total: string | null;
}

const STATEMENT_SQL = `
WITH holder AS (
  SELECT l.entry_id, l.currency, -sum(l.amount_minor) AS delta
  FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.entry_id
  WHERE e.account_id = $1 AND l.ledger_account = 'cardholder:' || $1 || ':' || l.currency
  GROUP BY l.entry_id, l.currency
), running AS (
  SELECT h.entry_id, h.currency, h.delta, sum(h.delta) OVER (PARTITION BY h.currency ORDER BY h.entry_id) AS balance_after
  FROM holder h
), fees AS (
  SELECT l.entry_id, l.currency,
         json_agg(json_build_object('type', substr(l.role, 5), 'minor', l.amount_minor::text) ORDER BY l.line_no) AS fees,
         sum(l.amount_minor) AS fee_total
  FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.entry_id
  WHERE e.account_id = $1 AND l.role LIKE 'fee:%' AND l.ledger_account NOT LIKE 'cardholder:%'
  GROUP BY l.entry_id, l.currency
)
SELECT r.entry_id::text, e.posted_at, e.type, e.transaction_id, r.currency, r.delta::text, r.balance_after::text, f.fees, f.fee_total::text
FROM running r
JOIN journal_entries e ON e.entry_id = r.entry_id
LEFT JOIN fees f ON f.entry_id = r.entry_id AND f.currency = r.currency
WHERE ($2::bigint IS NULL OR r.entry_id < $2::bigint)
ORDER BY r.entry_id DESC, r.currency
LIMIT $3`;

export async function readStatement(pool: Pool, query: StatementQuery): Promise<{ entries: StatementEntry[] }> {
  const result = await pool.query<Row>(STATEMENT_SQL, [query.accountId, query.beforeEntryId ?? null, query.limit]);
  return {
    entries: result.rows.map((row) => {
      const feeTotal = BigInt(row.fee_total ?? '0');
      return {
        entryId: row.entry_id,
        postedAt: row.posted_at.toISOString(),
        type: row.type,
        transactionId: row.transaction_id,
        amount: { minor: (BigInt(row.delta) - feeTotal).toString(), currency: row.currency },
        fees: (row.fees ?? []).map((f) => ({ type: f.type, amount: { minor: f.minor, currency: row.currency } })),
        balanceAfter: { minor: row.balance_after, currency: row.currency },
      };
    }),
  };
}
