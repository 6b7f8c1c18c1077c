import { ManualClock } from '@lib/clock';
import { createPgPool } from '@lib/platform';
import { integrationConfig, uniqueId } from '@lib/testing';
import type { Pool } from 'pg';
import { EntryDraft, LineBuilder } from '../journal-entry';
import { ledgerAccounts } from '../ledger-accounts';
import { LedgerRepository } from './ledger-repository';

/** The ledger's tables against the real PostgreSQL (migrations 0001-0003 applied by infra.sh). */
const config = integrationConfig();
let pool: Pool;
const clock = new ManualClock(Date.UTC(2026, 10, 22, 10, 0, 0));

beforeAll(() => {
  pool = createPgPool({ ...config.postgres, poolSize: 4 });
});
afterAll(() => pool.end());

function debit(accountId: string, eventId: string, minor: bigint): EntryDraft {
  return {
    eventId,
    topic: 'card.authorizations',
    type: 'authorization.approved',
    accountId,
    transactionId: null,
    occurredAt: '2026-11-22T10:00:00.000Z',
    businessDate: '2026-11-22',
    memo: false,
    lines: new LineBuilder().add(ledgerAccounts.cardholder(accountId, 'EUR'), 'EUR', minor, 'cardholder').add(ledgerAccounts.networkSettlement('EUR'), 'EUR', -minor, 'principal').lines,
    details: {},
  };
}

describe('ledger repository (PostgreSQL)', () => {
  it('posts each event once: the same batch again is all duplicates and writes nothing', async () => {
    const repository = new LedgerRepository(pool, clock);
    const account = uniqueId('acc');
    const items = [1, 2, 3].map((n) => ({ eventId: `${account}-e${n}`, topic: 'card.authorizations', entry: debit(account, `${account}-e${n}`, BigInt(n * 100)) }));
    const first = await repository.postBatch([...items, items[0]]);
    expect(first.posted.map((p) => p.entry.eventId)).toEqual(items.map((i) => i.eventId));
    expect(first.duplicates).toEqual([items[0].eventId]);
    expect(first.posted[0].postedAt).toBe('2026-11-22T10:00:00.000Z');
    const again = await repository.postBatch(items);
    expect(again.posted).toEqual([]);
    expect([...again.duplicates].sort()).toEqual(items.map((i) => i.eventId).sort());
    for (const item of items) expect(await repository.entriesOfEvent(item.eventId)).toBe(1);
    // The balance projection follows the journal exactly.
    expect(await repository.journalBalance(account, 'EUR')).toBe(-600n);
    expect(await repository.cardholderBalances([account])).toEqual([{ accountId: account, currency: 'EUR', balanceMinor: -600n }]);
    const replayed = await repository.postedEntriesOf([items[1].eventId]);
    expect(replayed[0].entry.lines.map((l) => l.amountMinor)).toEqual([200n, -200n]);
  });

  it('marks an event that posts nothing as processed, once', async () => {
    const repository = new LedgerRepository(pool, clock);
    const eventId = uniqueId('nothing');
    expect((await repository.postBatch([{ eventId, topic: 'card.authorizations', entry: null }])).processedWithoutEntry).toBe(1);
    expect((await repository.postBatch([{ eventId, topic: 'card.authorizations', entry: null }])).duplicates).toEqual([eventId]);
  });

  it('refuses an unbalanced entry before writing, and the database refuses one written by hand', async () => {
    const repository = new LedgerRepository(pool, clock);
    const account = uniqueId('acc');
    const unbalanced = { ...debit(account, `${account}-bad`, 100n), lines: [{ ledgerAccount: ledgerAccounts.cardholder(account, 'EUR'), currency: 'EUR', amountMinor: 100n, role: 'cardholder' }] };
    await expect(repository.postBatch([{ eventId: unbalanced.eventId, topic: 't', entry: unbalanced }])).rejects.toThrow(/does not balance: EUR 100/);
    expect(await repository.entriesOfEvent(unbalanced.eventId)).toBe(0);

    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ entry_id: string }>(
        `INSERT INTO journal_entries (event_id, topic, type, account_id, posted_at, occurred_at, business_date, memo)
         VALUES ($1, 't', 'test', $2, now(), now(), current_date, false) RETURNING entry_id`,
        [uniqueId('raw'), account],
      );
      await expect(
        client.query(`INSERT INTO journal_lines (entry_id, line_no, ledger_account, currency, amount_minor, role) VALUES ($1, 1, $2, 'EUR', 100, 'x'), ($1, 2, 'network-settlement:EUR', 'EUR', -99, 'x')`, [
          rows[0].entry_id,
          `cardholder:${account}:EUR`,
        ]),
      ).rejects.toThrow(/does not balance in EUR: lines sum to 1/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('keeps the journal append-only: no UPDATE, DELETE or TRUNCATE', async () => {
    const repository = new LedgerRepository(pool, clock);
    const account = uniqueId('acc');
    const { posted } = await repository.postBatch([{ eventId: `${account}-e`, topic: 't', entry: debit(account, `${account}-e`, 100n) }]);
    const entryId = posted[0].entryId;
    await expect(pool.query('UPDATE journal_lines SET amount_minor = 1 WHERE entry_id = $1', [entryId])).rejects.toThrow(/journal_lines is append-only: UPDATE refused/);
    await expect(pool.query('DELETE FROM journal_entries WHERE entry_id = $1', [entryId])).rejects.toThrow(/journal_entries is append-only: DELETE refused/);
    await expect(pool.query('DELETE FROM processed_events WHERE event_id = $1', [`${account}-e`])).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE journal_lines')).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await repository.entriesOfEvent(`${account}-e`)).toBe(1);
  });

  it('stores amounts beyond 2^53 exactly (BIGINT, never a float)', async () => {
    const repository = new LedgerRepository(pool, clock);
    const account = uniqueId('acc');
    const huge = 9_007_199_254_740_993n; // 2^53 + 1
    await repository.postBatch([{ eventId: `${account}-h`, topic: 't', entry: debit(account, `${account}-h`, huge) }]);
    expect(await repository.journalBalance(account, 'EUR')).toBe(-huge);
  });
});
