import { join } from 'path';
import type Redis from 'ioredis';
import { ManualClock } from '@lib/clock';
import { findRepoRoot } from '@lib/config';
import type { StoredDecisionJson } from '@lib/events';
import { IsoMessage, unpackAdditionalAmounts } from '@lib/iso8583';
import { createRedis } from '@lib/platform';
import { loadProgramCatalogue, ProgramCatalogue } from '@lib/programs';
import { BALANCES_KEY, CardSecrets, HoldRecord, keys, runAtomicStep, StepKeys, walletFields } from '@lib/store';
import { integrationConfig } from '@lib/testing';
import { EngineDeps } from '../engine-deps';
import { NetworkMessageHandler } from '../network-message.handler';
import { PinBlockCodec } from '../pin-block';
import { authorisationRequest, RequestOptions } from './messages';
import { seedAccount, seedCard, SeededCard } from './seed';

/**
 * What the engine's integration tests share: the real Redis, the real program catalogue, a manual
 * clock, the handler every adapter calls, and readers of the state and the outbox. Not exported
 * from the library: test code only.
 */
export const ZONE_KEY = '0123456789ABCDEFFEDCBA9876543210';
// Sunday 22 November 2026, 11:00 Paris.
export const NOW = Date.UTC(2026, 10, 22, 10, 0, 0);
export const DAY_MS = 24 * 3600 * 1000;

let catalogue: ProgramCatalogue | undefined;
function programs(): ProgramCatalogue {
  catalogue ??= loadProgramCatalogue(join(findRepoRoot(), 'config'));
  return catalogue;
}

export class EngineHarness {
  readonly config = integrationConfig();
  readonly clock = new ManualClock(NOW);
  readonly secrets = new CardSecrets(this.config.security.panHmacKey);
  readonly pinBlocks = new PinBlockCodec(ZONE_KEY);
  redis!: Redis;
  deps!: EngineDeps;
  handler!: NetworkMessageHandler;
  private stan = Math.floor(Math.random() * 500_000);

  async start(name: string): Promise<void> {
    this.redis = createRedis(this.config.redis, name);
    await this.redis.connect();
    this.deps = { redis: this.redis, catalogue: programs(), secrets: this.secrets, pinBlocks: this.pinBlocks, clock: this.clock, redisBudgetMs: 2000 };
    this.handler = new NetworkMessageHandler(this.deps);
  }

  async stop(): Promise<void> {
    await this.redis.quit();
  }

  nextStan(): number {
    this.stan = (this.stan + 1) % 1_000_000;
    return this.stan;
  }

  async cardOn(program: string, eurMinor: bigint, card: Partial<Parameters<typeof seedCard>[2]> = {}, accountId?: string): Promise<SeededCard> {
    const account = accountId ?? (await seedAccount(this.redis, { program, balances: { EUR: eurMinor }, nowMs: NOW }));
    return seedCard(this.redis, this.secrets, { accountId: account, nowMs: NOW, ...card });
  }

  request(card: SeededCard, o: Partial<RequestOptions> & { amountMinor: number | bigint }): IsoMessage {
    return authorisationRequest({ pan: card.pan, stan: this.nextStan(), expiry: card.expiry, ...o });
  }

  async send(message: IsoMessage): Promise<IsoMessage> {
    const response = await this.handler.handle(message);
    if (!response) throw new Error('no response');
    return response;
  }

  async wallet(accountId: string, currency = 'EUR'): Promise<{ ledger: bigint; available: bigint }> {
    const fields = walletFields(currency);
    const [ledger, available] = await this.redis.hmget(keys.balances(accountId), fields.ledger, fields.available);
    return { ledger: BigInt(ledger ?? '0'), available: BigInt(available ?? '0') };
  }

  async holds(accountId: string): Promise<HoldRecord[]> {
    return Object.values(await this.redis.hgetall(keys.holds(accountId))).map((raw) => JSON.parse(raw) as HoldRecord);
  }

  /** available = ledger - open holds (spec README invariant 3), for one EUR account. */
  async expectConserved(accountId: string): Promise<void> {
    const { ledger, available } = await this.wallet(accountId);
    const held = (await this.holds(accountId)).reduce((sum, hold) => sum + BigInt(hold.remainingMinor), 0n);
    if (available !== ledger - held) throw new Error(`conservation broken: available ${available} != ledger ${ledger} - holds ${held}`);
  }

  async decisions(accountId: string): Promise<StoredDecisionJson[]> {
    const entries = await this.redis.xrange(keys.outbox(accountId), '-', '+');
    // Decision records of network messages only (a back-office load's record is `{event}`).
    return entries
      .filter(([, f]) => f[1] === 'decision')
      .map(([, f]) => JSON.parse(f[3]) as StoredDecisionJson)
      .filter((stored) => stored.record.approved !== undefined);
  }

  /** The hold.expired outbox entries: the hold JSON of each. */
  async expiredHolds(accountId: string): Promise<HoldRecord[]> {
    const entries = await this.redis.xrange(keys.outbox(accountId), '-', '+');
    return entries.filter(([, f]) => f[1] === 'hold.expired').map(([, f]) => JSON.parse(f[3]) as HoldRecord);
  }

  /**
   * A load as the back office writes it (libs/back-office's load use case is not there yet): one
   * atomic step with a `post` op, its record `{event: {...}}` appended to the outbox.
   */
  async load(accountId: string, minor: number, currency = 'EUR'): Promise<void> {
    const k = new StepKeys(accountId);
    const event = { type: 'funds.loaded', accountId, amount: { minor: String(minor), currency }, occurredAt: new Date(this.clock.nowMs()).toISOString() };
    const result = await runAtomicStep(
      this.redis,
      k,
      { onApprove: [{ type: 'post', currency, by: minor }], report: [{ key: BALANCES_KEY, field: walletFields(currency).ledger }] },
      this.clock.nowMs(),
      JSON.stringify({ event }),
    );
    if (result.status !== 'done') throw new Error(`load: ${result.status}`);
  }
}

export function balancesOf(response: IsoMessage): { ledger: bigint; available: bigint } {
  const blocks = unpackAdditionalAmounts(response.get(54)!);
  const signed = (type: string) => {
    const b = blocks.find((x) => x.amountType === type)!;
    return b.sign === 'D' ? -b.amountMinor : b.amountMinor;
  };
  return { ledger: signed('01'), available: signed('02') };
}
