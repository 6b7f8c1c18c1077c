import type Redis from 'ioredis';
import type { CardForm, Program } from '@lib/programs';
import { AccountRecord, accountFromHash, keys } from '@lib/store';

/**
 * The account as a back-office write reads it before its atomic step: the record, every balance
 * field, the raw account hash (for `expect`s on the exact stored strings) and the stored answer of
 * the request's Idempotency-Key, in one pipelined round trip.
 */
export interface AccountState {
  readonly account: AccountRecord;
  readonly accountHash: Readonly<Record<string, string>>;
  /** `<CUR>:ledger` / `<CUR>:avail` -> the stored string. */
  readonly balances: Readonly<Record<string, string>>;
  readonly storedAnswer: string | null;
}

export async function readAccountState(
  redis: Redis,
  accountId: string,
  idempotencyKey: string | undefined,
): Promise<AccountState | undefined> {
  const pipeline = redis.pipeline().hgetall(keys.account(accountId)).hgetall(keys.balances(accountId));
  if (idempotencyKey !== undefined) pipeline.hget(keys.idempotency(accountId), idempotencyKey);
  const replies = (await pipeline.exec()) ?? [];
  const failed = replies.find(([error]) => error);
  if (failed) throw failed[0];
  const accountHash = replies[0][1] as Record<string, string>;
  const account = accountFromHash(accountHash);
  if (!account) return undefined;
  return {
    account,
    accountHash,
    balances: replies[1][1] as Record<string, string>,
    storedAnswer: idempotencyKey !== undefined ? ((replies[2][1] as string | null) ?? null) : null,
  };
}

export function balanceOf(balances: Readonly<Record<string, string>>, field: string): bigint {
  return BigInt(balances[field] ?? '0');
}

/**
 * Account hash field naming the live card of a form (one of each form per account: seed 004 clause
 * 3.2 / card-programs.md). A field rather than a scan of the cards so the atomic step can check it.
 */
export const liveCardField = (form: CardForm): string => `liveCard:${form}`;

/** Account statuses under which the holder can neither load nor get a new card (seed 004 clause 4.5.2). */
export const CLOSED_STATUSES: readonly string[] = ['blocked', 'closed'];

/** The account's program; an account on a program missing from config is broken data, not a refusal. */
export function programOf(programs: ReadonlyMap<string, Program>, account: AccountRecord): Program {
  const program = programs.get(account.program);
  if (!program)
    throw new Error(`account ${account.accountId}: program ${account.program} is not in the catalogue`);
  return program;
}
