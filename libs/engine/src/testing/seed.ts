import { randomBytes } from 'crypto';
import type Redis from 'ioredis';
import { AccountRecord, CardForm, CardRecord, CardSecrets, CardState, accountToHash, cardToHash, keys, walletFields } from '@lib/store';

/**
 * Writes accounts and cards straight into the store, as the back office would, for tests and
 * benchmarks of the engine (the back office's own tests go through its HTTP routes).
 */
export interface SeededCard {
  accountId: string;
  cardId: string;
  pan: string;
  pin: string;
  cvv2: string;
  expiry: string;
}

export function luhnComplete(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let digit = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return partial + String((10 - (sum % 10)) % 10);
}

export async function seedAccount(
  redis: Redis,
  options: { program: string; balances?: Record<string, bigint>; nowMs: number; accountId?: string },
): Promise<string> {
  const accountId = options.accountId ?? `acc${randomBytes(6).toString('hex')}`;
  const account: AccountRecord = {
    accountId,
    program: options.program,
    status: 'active',
    version: 0,
    billing: 'none',
    openedAt: options.nowMs,
    homeCurrency: 'EUR',
    holderName: 'Test Holder',
    holderEmail: 'holder@example.test',
    loadCount: 1,
  };
  const balances: Record<string, string> = {};
  for (const [currency, minor] of Object.entries(options.balances ?? { EUR: 0n })) {
    balances[walletFields(currency).ledger] = minor.toString();
    balances[walletFields(currency).available] = minor.toString();
  }
  await redis
    .multi()
    .hset(keys.account(accountId), accountToHash(account))
    .hset(keys.balances(accountId), balances)
    .sadd(keys.accountDirectory(), accountId)
    .exec();
  return accountId;
}

export async function seedCard(
  redis: Redis,
  secrets: CardSecrets,
  options: { accountId: string; form?: CardForm; state?: CardState; expiry?: string; pin?: string; nowMs: number },
): Promise<SeededCard> {
  const pan = luhnComplete(`499999${randomBytes(8).readBigUInt64BE().toString().padStart(20, '0').slice(-9)}`);
  const cardId = `crd${randomBytes(6).toString('hex')}`;
  const expiry = options.expiry ?? '2912';
  const pin = options.pin ?? '123456';
  const cvv2 = String(randomBytes(2).readUInt16BE() % 1000).padStart(3, '0');
  const card: CardRecord = {
    cardId,
    accountId: options.accountId,
    form: options.form ?? 'physical',
    state: options.state ?? 'active',
    expiry,
    panHash: secrets.panHash(pan),
    panFirst6: pan.slice(0, 6),
    panLast4: pan.slice(-4),
    pinCheck: secrets.pinCheck(pan, pin),
    cvv2Check: secrets.cvv2Check(pan, expiry, cvv2),
    pinTries: 0,
    scaExemptCount: 0,
    scaExemptSumMinor: 0,
    version: 0,
    issuedAt: options.nowMs,
  };
  await redis
    .multi()
    .hset(keys.card(options.accountId, cardId), cardToHash(card))
    .sadd(keys.cards(options.accountId), cardId)
    .set(keys.panDirectory(card.panHash), `${options.accountId}:${cardId}`)
    .set(keys.cardDirectory(cardId), options.accountId)
    .exec();
  return { accountId: options.accountId, cardId, pan, pin, cvv2, expiry };
}
