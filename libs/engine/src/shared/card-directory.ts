import type Redis from 'ioredis';
import { CardSecrets, keys } from '@lib/store';

const CARD_DIRECTORY_CACHE_SIZE = 200_000;

export interface CardLocation {
  readonly accountId: string;
  readonly cardId: string;
}

/**
 * PAN -> account and card. A card never moves to another account, so a found entry is cached in
 * memory (bounded); an unknown PAN is asked again next time (it may be issued since).
 */
export class CardDirectory {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    private readonly secrets: CardSecrets,
  ) {}

  async locate(pan: string): Promise<CardLocation | undefined> {
    const panHash = this.secrets.panHash(pan);
    let found = this.cache.get(panHash);
    if (found === undefined) {
      found = (await this.redis.get(keys.panDirectory(panHash))) ?? undefined;
      if (found === undefined) return undefined;
      if (this.cache.size >= CARD_DIRECTORY_CACHE_SIZE) this.cache.clear();
      this.cache.set(panHash, found);
    }
    const [accountId, cardId] = found.split(':');
    return { accountId, cardId };
  }
}
