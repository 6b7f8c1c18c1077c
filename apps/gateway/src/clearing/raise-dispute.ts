import { createHash, randomBytes } from 'crypto';
import type Redis from 'ioredis';
import type { Pool, PoolClient } from 'pg';
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
 * currency it was debited in. An Idempotency-Key replays the first answer (409 with another body).
 */
export type DisputeAnswer =
  | { readonly status: 200 | 201; readonly body: { disputeId: string; status: string }; readonly replayed: boolean }
  | { readonly status: 400 | 404 | 409; readonly body: { error: Record<string, unknown> }; readonly replayed: false };

export interface RaiseDisputeDeps {
  readonly redis: Redis;
  readonly pool: Pool;
  readonly publisher: ClearingPublisher;
  readonly clock: Clock;
  readonly topic: string;
  readonly newId?: () => string;
}

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const refuse = (status: 400 | 404 | 409, error: Record<string, unknown>): DisputeAnswer => ({ status, body: { error }, replayed: false });

function fingerprint(accountId: string, body: unknown): string {
  const canonical = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
    if (value !== null && typeof value === 'object') {
      return `{${Object.keys(value as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    return JSON.stringify(value ?? null);
  };
  return createHash('sha256').update(`POST /v1/accounts/${accountId}/disputes\n${canonical(body)}`).digest('hex');
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

  async execute(accountId: string, body: unknown, idempotencyKey: string | undefined): Promise<DisputeAnswer> {
    if (!ACCOUNT_ID.test(accountId) || (await this.deps.redis.exists(keys.account(accountId))) === 0) {
      return refuse(404, { code: 'not-found', reason: 'unknown account' });
    }
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      return refuse(400, { code: 'validation', field: 'headers.idempotency-key', reason: 'must be one value of 1 to 255 visible ASCII characters' });
    }
    const parsed = parseDisputeCommand(body);
    if (!parsed.ok) return refuse(400, { code: 'validation', ...parsed.error });
    const command = parsed.value;
    const print = fingerprint(accountId, body);
    const client = await this.deps.pool.connect();
    let row: DisputeRow;
    let replayed = false;
    try {
      await client.query('BEGIN');
      // One dispute decision per account and TI at a time: the disputable amount cannot be spent twice.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`dispute:${accountId}:${command.transactionId}`]);
      const earlier = idempotencyKey === undefined ? undefined : await this.byIdempotencyKey(client, accountId, idempotencyKey);
      if (earlier !== undefined) {
        await client.query('COMMIT');
        if (earlier.fingerprint !== print) return refuse(409, { code: 'idempotency-conflict', reason: 'this Idempotency-Key was used with another request (method, route or body)' });
        row = earlier;
        replayed = true;
      } else {
        const refusal = await this.checkDisputable(client, accountId, command.transactionId, command.amount.currency, command.amount.amountMinor);
        if (refusal !== undefined) {
          await client.query('ROLLBACK');
          return refusal;
        }
        const disputeId = this.deps.newId?.() ?? `dsp_${randomBytes(12).toString('hex')}`;
        const inserted = await client.query<DisputeRow>(
          `INSERT INTO disputes (dispute_id, account_id, transaction_id, amount_minor, currency, reason, status, idempotency_key, fingerprint, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'raised', $7, $8, $9) RETURNING *`,
          [disputeId, accountId, command.transactionId, command.amount.amountMinor.toString(), command.amount.currency, command.reason, idempotencyKey ?? null, print, new Date(this.deps.clock.nowMs()).toISOString()],
        );
        await client.query('COMMIT');
        row = inserted.rows[0];
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    // A dispute whose event Kafka has not acknowledged yet (this request, or an earlier one that failed) is published.
    if (row.published_at === null) await this.publish(row);
    return { status: replayed ? 200 : 201, body: { disputeId: row.dispute_id, status: row.status }, replayed };
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
