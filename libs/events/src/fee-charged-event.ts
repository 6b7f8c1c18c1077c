import type { FeeJson, MoneyJson } from './decision-record';
import { AUTHORIZATION_SCHEMA_VERSION } from './authorization-event';

/**
 * `fee.charged`: the periodic fees of one period of an account (settlement's periodic-fee job,
 * docs/settlement.md "Periodic fees"), appended to the account's outbox by the same atomic step
 * that debits the balance, like the back office's `account.loaded` and `card.issued`. Schema:
 * `$defs/feeCharged` of card.authorizations.v1.schema.json.
 */
export interface FeeChargedEvent {
  readonly schemaVersion: typeof AUTHORIZATION_SCHEMA_VERSION;
  readonly eventId: string;
  readonly type: 'fee.charged';
  readonly occurredAt: string;
  readonly accountId: string;
  readonly period: { readonly index: number; readonly chargeDate: string; readonly billing: 'monthly' | 'yearly' | 'none' };
  /** The tariff's lines for the period. */
  readonly due: readonly FeeJson[];
  /** What was taken: the due lines in order, as far as the available balance covered them (no zero line). */
  readonly fees: readonly FeeJson[];
  /** Due minus taken: not collected, never a negative balance. */
  readonly shortfall: MoneyJson;
  /** The account-currency wallet right after the step. */
  readonly balances: { readonly ledger: MoneyJson; readonly available: MoneyJson };
}

/** eventId of a period's fees: one per account and period, so a replay or a second job instance dedupes downstream. */
export function feeChargedEventId(accountId: string, periodIndex: number): string {
  return `fee-charged:${accountId}:${periodIndex}`;
}

export interface FeeChargedInput {
  readonly accountId: string;
  readonly occurredAt: string;
  readonly period: FeeChargedEvent['period'];
  readonly due: readonly FeeJson[];
  readonly fees: readonly FeeJson[];
  readonly shortfall: MoneyJson;
  readonly balances: FeeChargedEvent['balances'];
}

/** Builds the event (validated by the relay against the schema before it is sent). */
export function buildFeeChargedEvent(input: FeeChargedInput): FeeChargedEvent {
  return {
    schemaVersion: AUTHORIZATION_SCHEMA_VERSION,
    eventId: feeChargedEventId(input.accountId, input.period.index),
    type: 'fee.charged',
    occurredAt: input.occurredAt,
    accountId: input.accountId,
    period: input.period,
    due: input.due,
    fees: input.fees,
    shortfall: input.shortfall,
    balances: input.balances,
  };
}
