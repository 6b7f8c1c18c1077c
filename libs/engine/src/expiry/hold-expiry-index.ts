import type Redis from 'ioredis';
import { keys } from '@lib/store';

/**
 * The sweeper's work list: `keys.holdExpiryIndex()`, accountId scored by the earliest expiry of its
 * open holds. It lives outside the accounts' slots, so it is written after the step that opened
 * the hold, best effort (like the relay's pending set); the sweeper's safety scan repairs what a
 * crash between the step and this write leaves out.
 */
export async function indexHoldExpiry(redis: Redis, accountId: string, expiresAtMs: number): Promise<void> {
  // LT: only ever moves an account's entry earlier (or adds it); the sweeper moves it later.
  await redis.zadd(keys.holdExpiryIndex(), 'LT', expiresAtMs, accountId);
}
