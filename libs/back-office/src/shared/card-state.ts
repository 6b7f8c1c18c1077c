import type Redis from 'ioredis';
import { CardRecord, cardFromHash, keys } from '@lib/store';
import { isWellFormedId } from './validation';

/**
 * A card as a back-office write reads it: found through `dir:card:<id>`, then its record, the raw
 * hashes (for `expect`s on stored strings), its account's hash and the request's stored answer,
 * in one pipelined round trip. A directory entry without a card record (an issuance that never
 * committed) is an unknown card.
 */
export interface CardState {
  readonly accountId: string;
  readonly card: CardRecord;
  readonly cardHash: Readonly<Record<string, string>>;
  readonly accountHash: Readonly<Record<string, string>>;
  readonly storedAnswer: string | null;
  /** The value of `extraRevokedMerchant` in the card's revoked-consents hash, when asked. */
  readonly revokedAt: string | null;
}

export async function findCardAccount(redis: Redis, cardId: string): Promise<string | undefined> {
  if (!isWellFormedId(cardId)) return undefined;
  const accountId = await redis.get(keys.cardDirectory(cardId));
  return accountId !== null && isWellFormedId(accountId) ? accountId : undefined;
}

export async function readCardState(
  redis: Redis,
  accountId: string,
  cardId: string,
  idempotencyKey: string | undefined,
  revokedMerchant?: string,
): Promise<CardState | undefined> {
  const pipeline = redis
    .pipeline()
    .hgetall(keys.card(accountId, cardId))
    .hgetall(keys.account(accountId))
    .hget(keys.idempotency(accountId), idempotencyKey ?? '')
    .hget(keys.revokedConsents(accountId, cardId), revokedMerchant ?? '');
  const replies = (await pipeline.exec()) ?? [];
  const failed = replies.find(([error]) => error);
  if (failed) throw failed[0];
  const cardHash = replies[0][1] as Record<string, string>;
  const card = cardFromHash(cardHash);
  if (!card) return undefined;
  return {
    accountId,
    card,
    cardHash,
    accountHash: replies[1][1] as Record<string, string>,
    storedAnswer: idempotencyKey !== undefined ? ((replies[2][1] as string | null) ?? null) : null,
    revokedAt: revokedMerchant !== undefined ? ((replies[3][1] as string | null) ?? null) : null,
  };
}
