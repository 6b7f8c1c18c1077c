import { readFileSync } from 'fs';
import { join } from 'path';
import type Redis from 'ioredis';
import { keys } from './keys';
import { LuaScript } from './lua-script';

/** What account-read.lua reads for one message, as stored (hashes as objects). */
export interface AccountRead {
  readonly account: Record<string, string>;
  readonly card: Record<string, string>;
  readonly balances: Record<string, string>;
  /** The TI record ({} when the message has no TI or nothing is stored for it). */
  readonly transaction: Record<string, string>;
  readonly storedDecision: string | null;
  readonly consentRevoked: boolean;
  /** The TI's hold as stored (its JSON) while the TI record is `held` and the hold open. */
  readonly holdRaw: string | null;
  /** Counter values by the counter keys asked for (null: no such counter). */
  readonly counters: readonly (string | null)[];
}

export interface AccountReadRequest {
  readonly accountId: string;
  readonly cardId: string;
  readonly transactionId: string | undefined;
  readonly messageKey: string;
  readonly merchantId: string | undefined;
  /** Account-relative counter keys (keys.counter's second argument). */
  readonly counterKeys: readonly string[];
}

const ACCOUNT_READ_LUA = readFileSync(join(__dirname, 'account-read.lua'), 'utf8');

const ACCOUNT_READ = new LuaScript(ACCOUNT_READ_LUA);

type Raw = [string[], string[], string[], string[], string | null, number, string | null, (string | null)[]];

/**
 * The account state a decision is computed from, in one round trip (one script instead of a
 * pipeline of eight commands and a second read for the hold: the gateway's CPU per message went
 * mostly to the Redis client's per-command work).
 */
export async function readAccount(redis: Redis, req: AccountReadRequest): Promise<AccountRead> {
  const { accountId, cardId, transactionId } = req;
  const args = [
    keys.account(accountId),
    keys.card(accountId, cardId),
    keys.balances(accountId),
    keys.holds(accountId),
    keys.message(accountId, req.messageKey),
    keys.revokedConsents(accountId, cardId),
  ];
  if (transactionId !== undefined) args.push(keys.transaction(accountId, transactionId));
  for (const counter of req.counterKeys) args.push(keys.counter(accountId, counter));
  const numKeys = args.length;
  args.push(req.merchantId ?? '', transactionId !== undefined ? '1' : '0');
  const [account, card, balances, transaction, storedDecision, revoked, holdRaw, counters] = await ACCOUNT_READ.run<Raw>(redis, numKeys, args);
  return {
    account: hashOf(account),
    card: hashOf(card),
    balances: hashOf(balances),
    transaction: hashOf(transaction),
    storedDecision,
    consentRevoked: revoked === 1,
    holdRaw,
    counters,
  };
}

function hashOf(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
  return hash;
}
