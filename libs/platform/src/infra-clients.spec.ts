import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { findRepoRoot, RedisConfig } from '@lib/config';
import { redisAddress } from './infra-clients';

const base: RedisConfig = { host: '127.0.0.1', port: 16379, db: 1, commandTimeoutMs: 50, socket: '' };

describe('redisAddress', () => {
  it('uses host and port when no socket is configured', () => {
    expect(redisAddress(base)).toEqual({ host: '127.0.0.1', port: 16379 });
  });

  it('uses the socket when it exists, an absolute path as given', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'redis-address-')), 'redis.sock');
    writeFileSync(path, '');
    expect(redisAddress({ ...base, socket: path })).toEqual({ path });
  });

  it('reads a relative socket path from the repository root', () => {
    const dir = mkdtempSync(join(findRepoRoot(), '.redis-address-'));
    try {
      writeFileSync(join(dir, 'redis.sock'), '');
      const relative = join(dir.slice(findRepoRoot().length + 1), 'redis.sock');
      expect(redisAddress({ ...base, socket: relative })).toEqual({ path: join(dir, 'redis.sock') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to TCP when the socket is absent (a Redis elsewhere, or not started by infra.sh)', () => {
    expect(redisAddress({ ...base, socket: '/nonexistent/redis.sock' })).toEqual({ host: '127.0.0.1', port: 16379 });
  });
});
