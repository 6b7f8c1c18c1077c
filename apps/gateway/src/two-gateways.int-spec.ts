import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import type Redis from 'ioredis';
import { findRepoRoot } from '@lib/config';
import { authorisationRequest, seedAccount, seedCard } from '@lib/engine';
import { IsoClient } from '@lib/iso8583';
import { createRedis } from '@lib/platform';
import { CardSecrets, keys } from '@lib/store';
import { integrationConfig } from '@lib/testing';

/**
 * No double spend with several gateway instances on one Redis (spec invariant 2): two built
 * gateway processes, 1,000 concurrent purchases on one account that can afford exactly k of them,
 * split across both over their TCP links. Exactly k approved, available exact to the cent.
 */
const DB = '5';
const PORTS = [[28583, 28584], [28593, 28594]] as const;
const config = integrationConfig({ ...process.env, REDIS_DB: DB });

function startGateway(tcpPort: number, httpPort: number): Promise<ChildProcess> {
  const main = join(findRepoRoot(), 'dist', 'apps', 'gateway', 'src', 'main.js');
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      REDIS_DB: DB,
      GATEWAY_TCP_PORT: String(tcpPort),
      GATEWAY_HTTP_PORT: String(httpPort),
      GATEWAY_OUTBOX_RELAY: 'false',
      GATEWAY_HOLD_EXPIRY_SWEEPER: 'false',
      GATEWAY_REDIS_BUDGET_MS: '10000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${output}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on http')) resolve(child);
    });
  });
}

describe('two gateway processes on one Redis', () => {
  let gateways: ChildProcess[] = [];
  let redis: Redis;

  beforeAll(async () => {
    redis = createRedis(config.redis, 'two-gateways-test');
    await redis.connect();
    gateways = await Promise.all(PORTS.map(([tcp, http]) => startGateway(tcp, http)));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(
      gateways.map((g) => new Promise((resolve) => (g.exitCode !== null ? resolve(null) : (g.once('exit', resolve), g.kill('SIGTERM'))))),
    );
    await redis.quit();
  });

  it('approves exactly k of 1,000 concurrent purchases across both', async () => {
    const k = 19; // below eur-premium's 20 payments a day: only the funds check declines
    const secrets = new CardSecrets(config.security.panHmacKey);
    const accountId = await seedAccount(redis, { program: 'eur-premium', balances: { EUR: BigInt(k * 1_000 + 999) }, nowMs: Date.now() });
    const card = await seedCard(redis, secrets, { accountId, nowMs: Date.now() });
    const clients = PORTS.map(([tcp], i) => new IsoClient({ host: '127.0.0.1', port: tcp, reconnect: false, maxInFlight: 1000, acquirerId: `7700${i}` }));
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const responses = await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          clients[i % 2].send(
            authorisationRequest({ pan: card.pan, amountMinor: 1_000, stan: i + 1, expiry: card.expiry, mcc: '5999', entryMode: '071', acquirerId: `7700${i % 2}` }),
            { timeoutMs: 30_000 },
          ),
        ),
      );
      const codes = responses.map((r) => r.get(39));
      expect(codes.filter((c) => c === '00')).toHaveLength(k);
      expect(codes.filter((c) => c === '51')).toHaveLength(1000 - k);
      // Each process decided its half (field 32 echoes the acquirer of the link it came on).
      expect(responses.filter((r) => r.get(32) === '77000')).toHaveLength(500);
      expect(responses.filter((r) => r.get(32) === '77001')).toHaveLength(500);
      // 9.99 left after k approvals, then the 0.15 decline fee while covered (66 times): 0.09.
      expect(await redis.hget(keys.balances(accountId), 'EUR:avail')).toBe('9');
      expect(await redis.hlen(keys.holds(accountId))).toBe(k);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  }, 90_000);
});
