import type Redis from 'ioredis';
import { keys } from '@lib/store';
import { WorkLists } from './work-lists';

describe('WorkLists', () => {
  it('writes the additions of one tick once: one SADD, one ZADD keeping the earliest expiry per account', async () => {
    const calls: unknown[][] = [];
    const redis = {
      sadd: (...args: unknown[]) => (calls.push(['sadd', ...args]), Promise.resolve(1)),
      zadd: (...args: unknown[]) => (calls.push(['zadd', ...args]), Promise.resolve(1)),
    } as unknown as Redis;
    const lists = new WorkLists(redis);
    lists.outboxPending('a1');
    lists.outboxPending('a2');
    lists.outboxPending('a1');
    lists.holdExpiry('a1', 300);
    lists.holdExpiry('a1', 200);
    lists.holdExpiry('a2', 500);
    expect(calls).toEqual([]);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(calls).toEqual([
      ['sadd', keys.outboxPending(), 'a1', 'a2'],
      ['zadd', keys.holdExpiryIndex(), 'LT', 200, 'a1', 500, 'a2'],
    ]);
    lists.outboxPending('a3');
    await new Promise((resolve) => process.nextTick(resolve));
    expect(calls[2]).toEqual(['sadd', keys.outboxPending(), 'a3']);
    expect(calls).toHaveLength(3);
  });
});
