import type { MoneyJson } from '@lib/events';
import { KeyRef, Op, TRANSACTION_RECORD_TTL_MS, TransactionRecord } from '@lib/store';

/**
 * Writes of the TI record, always as an `hset` op of the step that decides them, with the record's
 * version bumped: the plan `expect`s the version it read (see transactionExpectation), so two
 * steps computed from the same record never both apply.
 */
export function transactionWrite(key: KeyRef, read: TransactionRecord | undefined, values: Record<string, string | number>, nowMs: number): Op {
  return transactionWriteOf(key, read, { ...values }, nowMs);
}

/**
 * transactionWrite of a values object built for this one write (not shared with anyone): the
 * version is added to it in place instead of copying it, with the same result.
 */
export function transactionWriteOf(key: KeyRef, read: TransactionRecord | undefined, ownValues: Record<string, string | number>, nowMs: number): Op {
  ownValues.version = (read?.version ?? 0) + 1;
  return { type: 'hset', key, values: ownValues, expireAt: nowMs + TRANSACTION_RECORD_TTL_MS };
}

/** The `expect` entry pinning the TI record's version ('' when it does not exist yet). */
export function transactionExpectation(key: KeyRef, read: TransactionRecord | undefined): { key: KeyRef; field: string; value: string } {
  return { key, field: 'version', value: read && read.version > 0 ? String(read.version) : '' };
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Integer minor units in a plan (Lua numbers are doubles: exact up to 2^53). */
export function num(value: bigint): number {
  if (value > MAX_EXACT || value < -MAX_EXACT) throw new Error('amount beyond exact range');
  return Number(value);
}

/**
 * `part / whole` of `amount`, rounded half-up: the wallet amount of part of a transaction amount,
 * at the rate the whole was converted at (a partial reversal of a converted purchase).
 */
export function proportionalMinor(amount: number, part: number, whole: number): number {
  if (whole <= 0 || part >= whole) return amount;
  if (part <= 0) return 0;
  const a = BigInt(amount);
  const p = BigInt(part);
  const w = BigInt(whole);
  return num((2n * a * p + w) / (2n * w));
}

export function moneyJson(minor: number | bigint, currency: string): MoneyJson {
  return { minor: minor.toString(), currency };
}
