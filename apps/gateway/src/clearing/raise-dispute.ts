import { randomBytes } from 'crypto';
import type Redis from 'ioredis';
import type { Pool, PoolClient } from 'pg';
import { IDEMPOTENCY_CONFLICT_REASON_TEXT, IDEMPOTENCY_TTL_MS, IdempotencyRequest, encodeStoredAnswer, idempotencyRequest, judgeStored, parseIdempotencyKey } from '@lib/back-office';
import { CLEARING_EVENT_SCHEMA_VERSION, DisputeRaisedEvent, parseClearingTopicEvent, parseDisputeCommand } from '@lib/clearing';
import type { Clock } from '@lib/clock';
import { keys } from '@lib/store';
import type { ClearingPublisher } from './event-publisher';

/**
 * `POST /v1/accounts/{id}/disputes` (clearing.md): the issuer raises a chargeback on a cleared
 * transaction. The dispute is recorded (PostgreSQL), then a `dispute.raised` event goes to
 * `card.clearing` keyed by the account: settlement credits the holder, charges the tariff's
 * chargeback fee, and moves the cache, like any clearing record.
 *
 * What can be disputed: the net amount the ledger debited the holder for that TI (presentments,
 * posted authorisations, representments, less refunds and earlier chargebacks), in the wallet
 * currency it was debited in.
 *
 * Idempotency-Key (http-and-events.md; docs/back-office.md "Idempotency"): the same key and body
 * answer the first result again, same status and body (`201` for a raised dispute, the `409` of a
 * refusal), with `replayed` set; another body is `409 idempotency-conflict`. The raised dispute's
 * row carries its key and fingerprint (written in the transaction that raises it: a retry can never
 * raise twice); a refusal, and a copy of the raised answer, go to the account's idempotency hash
 * (`keys.idempotency(accountId)`, the store of the account's other writes, so one key cannot serve
 * a load and a dispute). Requests with one key are serialised by an advisory lock. A 400 or 404 is
 * not kept for the key.
 */
export type DisputeAnswer =
  | { readonly status: 201; readonly body: { disputeId: string; status: string }; readonly replayed: boolean }
  | { readonly status: 400 | 404 | 409; readonly body: { error: Record<string, unknown> }; readonly replayed: boolean };

export interface RaiseDisputeDeps {
  readonly redis: Redis;
  readonly pool: Pool;
  readonly publisher: ClearingPublisher;
  readonly clock: Clock;
  readonly topic: string;
  readonly newId?: () => string;
}

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;

const refuse = (status: 400 | 404 | 409, error: Record<string, unknown>): DisputeAnswer => ({ status, body: { error }, replayed: false });
const raised = (disputeId: string, replayed: boolean): DisputeAnswer => ({ status: 201, body: { disputeId, status: 'raised' }, replayed });

/** The answer kept for a key: status and body, replayed as they were. */
interface KeptAnswer {
  readonly status: DisputeAnswer['status'];
  readonly body: DisputeAnswer['body'];
}

interface DisputeRow {
  dispute_id: string;
  account_id: string;
  transaction_id: string;
  amount_minor: string;
  currency: string;
  reason: string;
  status: string;
  fingerprint: string | null;
  created_at: Date;
  published_at: Date | null;
}

export class RaiseDispute {
  constructor(private readonly deps: RaiseDisputeDeps) {}

  async execute(accountId: string, body: unknown, idempotencyKey: string | string[] | undefined): Promise<DisputeAnswer> {
    if (!ACCOUNT_ID.test(accountId) || (await this.deps.redis.exists(keys.account(accountId))) === 0) {
      return refuse(404, { code: 'not-found', reason: 'unknown account' });
    }
    const key = parseIdempotencyKey(idempotencyKey);
    if (!key.ok) return refuse(400, { code: 'validation', ...key.error });
    const parsed = parseDisputeCommand(body);
    if (!parsed.ok) return refuse(400, { code: 'validation', ...parsed.error });
    const command = parsed.value;
    const request = idempotencyRequest(key.value, 'POST', `/v1/accounts/${accountId}/disputes`, body);
    const client = await this.deps.pool.connect();
    let row: DisputeRow;
    try {
      await client.query('BEGIN');
      // One request per key at a time (the answer kept for it is read and written under the lock),
      // then one dispute decision per account and TI at a time: the disputable amount cannot be spent twice.
      if (request !== undefined) await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`dispute-key:${accountId}:${request.key}`]);
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`dispute:${accountId}:${command.transactionId}`]);
      const earlier = request === undefined ? undefined : await this.earlierAnswer(client, accountId, request);
      if (earlier !== undefined) {
        await client.query('COMMIT');
        if (earlier.row !== undefined && earlier.row.published_at === null) await this.publish(earlier.row);
        return earlier.answer;
      }
      const refusal = await this.checkDisputable(client, accountId, command.transactionId, command.amount.currency, command.amount.amountMinor);
      if (refusal !== undefined) {
        // A refusal on the account's state (409) is the first result of the key; a 400 is not kept.
        if (request !== undefined && refusal.status === 409) await this.keep(accountId, request, refusal);
        await client.query('ROLLBACK');
        return refusal;
      }
      const disputeId = this.deps.newId?.() ?? `dsp_${randomBytes(12).toString('hex')}`;
      const inserted = await client.query<DisputeRow>(
        `INSERT INTO disputes (dispute_id, account_id, transaction_id, amount_minor, currency, reason, status, idempotency_key, fingerprint, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'raised', $7, $8, $9) RETURNING *`,
        [disputeId, accountId, command.transactionId, command.amount.amountMinor.toString(), command.amount.currency, command.reason, request?.key ?? null, request?.fingerprint ?? null, new Date(this.deps.clock.nowMs()).toISOString()],
      );
      await client.query('COMMIT');
      row = inserted.rows[0];
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    // The row is the record of the key; the copy in the account's hash makes the key used for the account's other writes too.
    if (request !== undefined) await this.keep(accountId, request, raised(row.dispute_id, false));
    // A dispute whose event Kafka has not acknowledged yet (this request, or an earlier one that failed) is published.
    if (row.published_at === null) await this.publish(row);
    return raised(row.dispute_id, false);
  }

  /**
   * The first answer of this key on this account, if any: the dispute it raised (the row; always
   * answered `201 raised`, the status the dispute had when raised), or the answer kept in the
   * account's idempotency hash (a refusal, or another write's answer: a conflict).
   */
  private async earlierAnswer(client: PoolClient, accountId: string, request: IdempotencyRequest): Promise<{ answer: DisputeAnswer; row?: DisputeRow } | undefined> {
    const conflict = refuse(409, { code: 'idempotency-conflict', reason: IDEMPOTENCY_CONFLICT_REASON_TEXT });
    const row = await this.byIdempotencyKey(client, accountId, request.key);
    if (row !== undefined) return row.fingerprint === request.fingerprint ? { answer: raised(row.dispute_id, true), row } : { answer: conflict };
    const stored = judgeStored<KeptAnswer>(await this.deps.redis.hget(keys.idempotency(accountId), request.key), request, this.deps.clock.nowMs());
    if (stored.kind === 'conflict') return { answer: conflict };
    if (stored.kind === 'replay') return { answer: { ...stored.outcome, replayed: true } as DisputeAnswer };
    return undefined;
  }

  /** Keeps an answer for the key in the account's idempotency hash (24 h, as the account's other writes). */
  private async keep(accountId: string, request: IdempotencyRequest, answer: DisputeAnswer): Promise<void> {
    const nowMs = this.deps.clock.nowMs();
    const kept: KeptAnswer = { status: answer.status, body: answer.body };
    await this.deps.redis
      .multi()
      .hset(keys.idempotency(accountId), request.key, encodeStoredAnswer(request, nowMs, kept))
      .pexpireat(keys.idempotency(accountId), nowMs + IDEMPOTENCY_TTL_MS)
      .exec();
  }

  private async byIdempotencyKey(client: PoolClient, accountId: string, key: string): Promise<DisputeRow | undefined> {
    const found = await client.query<DisputeRow>('SELECT * FROM disputes WHERE account_id = $1 AND idempotency_key = $2', [accountId, key]);
    return found.rows[0];
  }

  private async checkDisputable(client: PoolClient, accountId: string, transactionId: string, currency: string, amountMinor: bigint): Promise<DisputeAnswer | undefined> {
    const debited = await client.query<{ currency: string; net_debit: string }>(
      `SELECT l.currency, sum(l.amount_minor)::text AS net_debit
       FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.entry_id
       WHERE e.account_id = $1 AND e.transaction_id = $2 AND l.ledger_account = 'cardholder:' || $1 || ':' || l.currency AND l.role NOT LIKE 'fee:%'
       GROUP BY l.currency`,
      [accountId, transactionId],
    );
    if (debited.rows.length === 0) return refuse(409, { code: 'not-cleared', reason: 'nothing was debited for this transaction on this account: nothing to dispute' });
    const wallet = debited.rows.find((r) => r.currency === currency);
    if (wallet === undefined) {
      return refuse(400, { code: 'validation', field: 'amount.currency', reason: `must be the currency the transaction was debited in (${debited.rows.map((r) => r.currency).join(', ')})` });
    }
    // Disputes raised but not yet posted by settlement count already.
    const pending = await client.query<{ total: string | null }>(
      `SELECT sum(d.amount_minor)::text AS total FROM disputes d
       WHERE d.account_id = $1 AND d.transaction_id = $2 AND d.currency = $3
         AND NOT EXISTS (SELECT 1 FROM processed_events p WHERE p.event_id = d.dispute_id)`,
      [accountId, transactionId, currency],
    );
    const disputable = BigInt(wallet.net_debit) - BigInt(pending.rows[0].total ?? '0');
    if (amountMinor > disputable) {
      return refuse(409, { code: 'exceeds-disputable', reason: 'the amount exceeds what was debited for this transaction, less refunds and earlier chargebacks', disputable: { minor: (disputable > 0n ? disputable : 0n).toString(), currency } });
    }
    return undefined;
  }

  private async publish(row: DisputeRow): Promise<void> {
    const event: DisputeRaisedEvent = {
      schemaVersion: CLEARING_EVENT_SCHEMA_VERSION,
      eventId: row.dispute_id,
      type: 'dispute.raised',
      occurredAt: row.created_at.toISOString(),
      disputeId: row.dispute_id,
      accountId: row.account_id,
      transactionId: row.transaction_id,
      amount: { minor: row.amount_minor, currency: row.currency },
      reason: row.reason,
    };
    const checked = parseClearingTopicEvent(event);
    if (!checked.ok) throw new Error(`dispute event ${row.dispute_id} does not match its schema: ${checked.error}`);
    await this.deps.publisher.publish(this.deps.topic, [{ key: row.account_id, value: JSON.stringify(event) }]);
    await this.deps.pool.query('UPDATE disputes SET published_at = $2 WHERE dispute_id = $1', [row.dispute_id, new Date(this.deps.clock.nowMs()).toISOString()]);
  }
}
