import type Redis from 'ioredis';

/**
 * Test support: every key matching a pattern with all the strings it holds (key name, values,
 * hash fields and values, members, stream fields and values), read with SCAN, so a test can
 * assert what is (not) stored anywhere.
 */
export async function dumpKeys(redis: Redis, pattern = '*'): Promise<Map<string, string[]>> {
  const dump = new Map<string, string[]>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 10_000);
    cursor = next;
    for (const key of batch) dump.set(key, [key, ...(await contentOf(redis, key))]);
  } while (cursor !== '0');
  return dump;
}

async function contentOf(redis: Redis, key: string): Promise<string[]> {
  switch (await redis.type(key)) {
    case 'string':
      return [(await redis.get(key)) ?? ''];
    case 'hash':
      return Object.entries(await redis.hgetall(key)).flat();
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, 0, -1, 'WITHSCORES');
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'stream':
      return (await redis.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
    default:
      return [];
  }
}

/**
 * Every all-digit token of the strings, tokens being split on anything but letters and digits: a
 * PIN or CVV2 stored as a value, a field or inside JSON shows up as one whole token, while the
 * digits inside a hex id or a UUID ("...-947e8611-...") do not.
 */
export function numericTokens(strings: readonly string[]): Set<string> {
  return new Set(strings.flatMap((s) => s.split(/[^0-9A-Za-z]+/).filter((token) => /^[0-9]+$/.test(token))));
}
