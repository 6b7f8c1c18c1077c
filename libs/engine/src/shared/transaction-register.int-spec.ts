import { join } from 'path';
import type Redis from 'ioredis';
import { ManualClock } from '@lib/clock';
import { findRepoRoot } from '@lib/config';
import { IsoMessage } from '@lib/iso8583';
import { createRedis } from '@lib/platform';
import { loadProgramCatalogue } from '@lib/programs';
import { CardSecrets, keys } from '@lib/store';
import { integrationConfig } from '@lib/testing';
import { EngineDeps } from '../engine-deps';
import { NetworkMessageHandler } from '../network-message.handler';
import { PinBlockCodec } from '../pin-block';
import { authorisationRequest, freshTransactionId, incrementalRequest, RequestOptions } from '../testing/messages';
import { seedAccount, seedCard, SeededCard } from '../testing/seed';

/**
 * A TI is the network's: a new original reusing a TI another card's original carried is a 94
 * (network-interface.md, ahead of 14 in the order of checks), with no second effect anywhere.
 */
const config = integrationConfig();
const NOW = Date.UTC(2026, 10, 22, 10, 0, 0);
const clock = new ManualClock(NOW);
const secrets = new CardSecrets(config.security.panHmacKey);
let redis: Redis;
let handler: NetworkMessageHandler;
let stan = 400_000;

beforeAll(async () => {
  redis = createRedis(config.redis, 'ti-register-test');
  await redis.connect();
  const deps: EngineDeps = {
    redis,
    catalogue: loadProgramCatalogue(join(findRepoRoot(), 'config')),
    secrets,
    pinBlocks: new PinBlockCodec('0123456789ABCDEFFEDCBA9876543210'),
    clock,
    redisBudgetMs: 2000,
  };
  handler = new NetworkMessageHandler(deps);
});
afterAll(() => redis.quit());

async function card(): Promise<SeededCard> {
  const accountId = await seedAccount(redis, { program: 'eur-standard', balances: { EUR: 100_000n }, nowMs: NOW });
  return seedCard(redis, secrets, { accountId, nowMs: NOW });
}

function purchase(on: SeededCard, transactionId: string, o: Partial<RequestOptions> = {}): IsoMessage {
  stan += 1;
  return authorisationRequest({ pan: on.pan, stan, expiry: on.expiry, amountMinor: 2_000, tags: { TI: transactionId }, ...o });
}

async function send(message: IsoMessage): Promise<string> {
  const response = await handler.handle(message);
  return response!.get(39)!;
}

async function available(on: SeededCard): Promise<string | null> {
  return redis.hget(keys.balances(on.accountId), 'EUR:avail');
}

describe('transaction ids across accounts', () => {
  it('answers 94 to another card reusing a TI, changes nothing on its account, and repeats the answer to a retry', async () => {
    const [first, second] = [await card(), await card()];
    const ti = freshTransactionId();
    expect(await send(purchase(first, ti))).toBe('00');

    const reuse = purchase(second, ti);
    expect(await send(reuse)).toBe('94');
    expect(await send(reuse)).toBe('94');
    expect(await available(second)).toBe('100000');
    expect(await redis.exists(keys.transaction(second.accountId, ti))).toBe(0);
    // The first original keeps its TI: an increment on it still finds its hold.
    stan += 1;
    expect(await send(incrementalRequest(purchase(first, ti), { stan, amountMinor: 500 }))).toBe('00');
    expect((await redis.get(keys.transactionRegister(ti)))!.startsWith(`${first.accountId}|`)).toBe(true);
  });

  it('answers 94 before 14: an unknown card with a reused TI', async () => {
    const first = await card();
    const ti = freshTransactionId();
    expect(await send(purchase(first, ti))).toBe('00');
    const unknown = { ...first, pan: '4999990000000008' };
    expect(await send(purchase(unknown, ti))).toBe('94');
    expect(await send(purchase(unknown, freshTransactionId()))).toBe('14');
  });

  it('lets one of two originals racing on one TI from two accounts through', async () => {
    const cards = await Promise.all(Array.from({ length: 6 }, () => card()));
    const ti = freshTransactionId();
    const codes = await Promise.all(cards.map((c) => send(purchase(c, ti))));
    expect(codes.filter((code) => code === '00')).toHaveLength(1);
    expect(codes.filter((code) => code === '94')).toHaveLength(5);
  });

  it('still answers a retry of the first original from its stored decision', async () => {
    const first = await card();
    const ti = freshTransactionId();
    const original = purchase(first, ti);
    expect(await send(original)).toBe('00');
    expect(await send(original)).toBe('00');
    expect(await available(first)).toBe(String(100_000 - 2_000));
  });
});
