import Redis from 'ioredis';
import { ManualClock } from '@lib/clock';
import { findCardData, toAuthorizationEvent, validateEvent } from '@lib/events';
import { CardSecrets, keys } from '@lib/store';
import { integrationConfig } from '@lib/testing';
import { BackOfficeDeps, RandomSource, cryptoRandom } from './shared/back-office-deps';
import { fingerprintOf } from './shared/idempotency';
import { numericTokens, dumpKeys } from './shared/redis-dump';
import { specCatalogue } from './shared/spec-catalogue';
import { OpenAccountUseCase } from './open-account/open-account.usecase';
import { LoadFundsUseCase } from './load-funds/load-funds.usecase';
import { IssueCardUseCase } from './issue-card/issue-card.usecase';
import { ChangeCardStateUseCase } from './change-card-state/change-card-state.usecase';
import { GetAccountUseCase } from './get-account/get-account.usecase';
import { IssuedCard } from './issue-card/plan-issue';

/**
 * The use cases against the real Redis of infra/, with a manual clock (day and month windows in
 * Europe/Paris, the 24 h idempotency window) and, where it matters, scripted card numbers.
 *
 * This file works in its own logical database (SPEC_DB), emptied before it runs, so that "every
 * key in Redis" means the keys these use cases wrote (database 0 is shared with the other suites
 * and holds about a million keys of theirs). The manual clock starts in the future: counters and
 * idempotency entries get Redis TTLs from the business clock (as with the simulated clock), and a
 * window that ended in real time would expire its counter at once.
 */
const SPEC_DB = 11;
const START = Date.parse('2027-01-15T20:00:00Z'); // Friday 15 January 2027, 21:00 in Paris
const config = integrationConfig();
const redis = new Redis({
  host: config.redis.host,
  port: config.redis.port,
  db: SPEC_DB,
  connectionName: 'back-office-int',
  maxRetriesPerRequest: 1,
});
const secrets = new CardSecrets(config.security.panHmacKey);
const clock = new ManualClock(START);

function depsWith(random: RandomSource = cryptoRandom): BackOfficeDeps {
  return { redis, catalogue: specCatalogue(), secrets, clock, random };
}

const deps = depsWith();
const open = new OpenAccountUseCase(deps);
const loads = new LoadFundsUseCase(deps);
const cards = new IssueCardUseCase(deps);
const states = new ChangeCardStateUseCase(deps);
const view = new GetAccountUseCase(deps);

const eur = (minor: number) => ({ minor: String(minor), currency: 'EUR' });
const holder = { name: 'Int Test', email: 'int@example.org' };

async function newAccount(program = 'eur-standard', firstLoadMinor?: number): Promise<string> {
  const answer = await open.execute({ program, holder }, undefined);
  if (!answer.outcome.ok) throw new Error(JSON.stringify(answer.outcome.error));
  const accountId = answer.outcome.value.accountId;
  if (firstLoadMinor !== undefined) await mustLoad(accountId, firstLoadMinor, 'sepa-transfer');
  return accountId;
}

async function load(
  accountId: string,
  minor: number,
  method: 'sepa-transfer' | 'card' | 'p2p' = 'p2p',
  idempotencyKey?: string,
) {
  const body = { amount: eur(minor), method };
  const request = idempotencyKey
    ? { key: idempotencyKey, fingerprint: fingerprintOf('POST', `/v1/accounts/${accountId}/loads`, body) }
    : undefined;
  return loads.execute(accountId, body, request);
}

async function mustLoad(accountId: string, minor: number, method: 'sepa-transfer' | 'card' | 'p2p' = 'p2p') {
  const answer = await load(accountId, minor, method);
  if (!answer.outcome.ok) throw new Error(JSON.stringify(answer.outcome.error));
  return answer.outcome.value;
}

function reasonOf(answer: Awaited<ReturnType<typeof load>>): string {
  return answer.outcome.ok
    ? 'ok'
    : answer.outcome.error.code === 'load-limit'
      ? answer.outcome.error.reason
      : answer.outcome.error.code;
}

/** Plays back the given digit strings, then falls back to real randomness. */
function scriptedDigits(...draws: string[]): RandomSource {
  return {
    ...cryptoRandom,
    digits: (count) => (draws.length > 0 ? draws.shift()! : cryptoRandom.digits(count)),
  };
}

beforeAll(() => redis.flushdb());
afterAll(() => redis.quit());

describe('loads against Redis', () => {
  beforeEach(() => clock.set(START));

  it('counts loads per Paris day: the 6th of the day is refused until local midnight, not UTC midnight', async () => {
    const accountId = await newAccount('eur-standard', 1000);
    for (let i = 0; i < 4; i += 1) await mustLoad(accountId, 100);
    expect(reasonOf(await load(accountId, 100))).toBe('load-count-per-day-exceeded');
    clock.set(Date.parse('2027-01-15T22:59:59Z')); // 23:59:59 in Paris
    expect(reasonOf(await load(accountId, 100))).toBe('load-count-per-day-exceeded');
    clock.set(Date.parse('2027-01-15T23:00:00Z')); // midnight in Paris, still 15 January in UTC
    expect(reasonOf(await load(accountId, 100))).toBe('ok');
    // Each day has its own counter, which expires at the end of its window.
    expect(await redis.get(keys.counter(accountId, 'loads.count.day:2027-01-15'))).toBe('5');
    expect(await redis.get(keys.counter(accountId, 'loads.count.day:2027-01-16'))).toBe('1');
    expect(await redis.pexpiretime(keys.counter(accountId, 'loads.count.day:2027-01-15'))).toBe(
      Date.parse('2027-01-15T23:00:00Z'),
    );
  });

  it('counts the month in Paris time: 3,000.00 a month on eur-standard', async () => {
    clock.set(Date.parse('2027-01-30T09:00:00Z'));
    const accountId = await newAccount('eur-standard', 150000);
    clock.set(Date.parse('2027-01-31T09:00:00Z'));
    await mustLoad(accountId, 150000, 'sepa-transfer'); // 3,000.00 this month, balance 3,000.00
    await redis.hset(keys.balances(accountId), 'EUR:ledger', '0', 'EUR:avail', '0'); // as if spent
    expect(reasonOf(await load(accountId, 1))).toBe('load-amount-per-month-exceeded');
    clock.set(Date.parse('2027-01-31T23:00:00Z')); // 1 February, 00:00 in Paris
    expect(reasonOf(await load(accountId, 1))).toBe('ok');
  });

  it('never lets concurrent loads pass a limit: 10 at once after the first load, exactly 4 pass the 5-a-day count', async () => {
    const accountId = await newAccount('eur-standard', 1000);
    // One connection per request, as from separate gateway instances: the reads, decisions and
    // steps of the ten loads really interleave.
    const connections = Array.from(
      { length: 10 },
      () => new Redis({ host: config.redis.host, port: config.redis.port, db: SPEC_DB }),
    );
    const body = { amount: eur(10000), method: 'p2p' };
    const answers = await Promise.all(
      connections.map((connection) =>
        new LoadFundsUseCase({ ...deps, redis: connection }).execute(accountId, body, undefined),
      ),
    );
    await Promise.all(connections.map((connection) => connection.quit()));
    expect(answers.map(reasonOf).sort()).toEqual(
      [...Array(4).fill('ok'), ...Array(6).fill('load-count-per-day-exceeded')].sort(),
    );
    expect(await redis.hmget(keys.balances(accountId), 'EUR:ledger', 'EUR:avail')).toEqual([
      '41000',
      '41000',
    ]);
    expect(await redis.hget(keys.account(accountId), 'loadCount')).toBe('5');
  });

  it('applies a load once for concurrent requests with one Idempotency-Key, and again after 24 h', async () => {
    const accountId = await newAccount('eur-standard', 1000);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => load(accountId, 2500, 'p2p', 'same-key')),
    );
    const loadIds = new Set(answers.map((a) => (a.outcome.ok ? a.outcome.value.loadId : 'refused')));
    expect(loadIds.size).toBe(1);
    expect(answers.filter((a) => a.replayed)).toHaveLength(5);
    expect(await redis.hget(keys.balances(accountId), 'EUR:ledger')).toBe('3500');
    clock.advance(24 * 3600 * 1000 - 1);
    expect((await load(accountId, 2500, 'p2p', 'same-key')).replayed).toBe(true);
    clock.advance(1);
    const later = await load(accountId, 2500, 'p2p', 'same-key');
    expect(later.replayed).toBe(false);
    expect(await redis.hget(keys.balances(accountId), 'EUR:ledger')).toBe('6000');
  });

  it('appends account.loaded to the account outbox in the same step, and puts the account on the relay work list', async () => {
    const accountId = await newAccount('eur-standard');
    const receipt = await mustLoad(accountId, 1000, 'sepa-transfer');
    const entries = await redis.xrange(keys.outbox(accountId), '-', '+');
    expect(entries).toHaveLength(1);
    const fields = Object.fromEntries(chunk(entries[0][1]));
    expect(fields.kind).toBe('decision');
    const stored = JSON.parse(fields.decision);
    expect(stored.outcome.declined).toBe(false);
    expect(stored.record.event).toEqual(
      expect.objectContaining({
        schemaVersion: 1,
        type: 'account.loaded',
        accountId,
        loadId: receipt.loadId,
        amount: eur(1000),
        method: 'sepa-transfer',
      }),
    );
    expect(stored.record.event.balances).toEqual({ ledger: eur(1000), available: eur(1000) });
    expect(await redis.sismember(keys.outboxPending(), accountId)).toBe(1);
    // A refused load publishes nothing.
    expect(reasonOf(await load(accountId, 200001))).toBe('above-maximum-load');
    expect(await redis.xlen(keys.outbox(accountId))).toBe(1);
  });

  it('funds a new wallet of a multi-currency account lazily, and shows it', async () => {
    const accountId = await newAccount('travel-multicurrency');
    const usd = await loads.execute(
      accountId,
      { amount: { minor: '5000', currency: 'USD' }, method: 'card' },
      undefined,
    );
    expect(usd.outcome.ok).toBe(true);
    expect(await redis.hgetall(keys.balances(accountId))).toEqual({
      'EUR:ledger': '0',
      'EUR:avail': '0',
      'USD:ledger': '5000',
      'USD:avail': '5000',
    });
    const shown = await view.execute(accountId);
    expect(shown.ok && shown.value.wallets.map((w) => [w.currency, w.ledger.minor])).toEqual([
      ['EUR', '0'],
      ['USD', '5000'],
    ]);
  });
});

describe('account opening against Redis', () => {
  it('creates one account for concurrent requests with one Idempotency-Key', async () => {
    const body = { program: 'eur-premium', holder, billing: 'yearly' };
    const request = {
      key: `open-${Date.now()}-${Math.random()}`,
      fingerprint: fingerprintOf('POST', '/v1/accounts', body),
    };
    const answers = await Promise.all(Array.from({ length: 5 }, () => open.execute(body, request)));
    const ids = new Set(answers.map((a) => (a.outcome.ok ? a.outcome.value.accountId : 'refused')));
    expect(ids.size).toBe(1);
    const [accountId] = [...ids];
    expect(await redis.hget(keys.account(accountId), 'billing')).toBe('yearly');
    expect(await redis.sismember(keys.accountDirectory(), accountId)).toBe(1);
    expect(await redis.pttl(keys.globalIdempotency(request.key))).toBeGreaterThan(23 * 3600 * 1000);
  });
});

describe('card issuance against Redis', () => {
  beforeEach(() => clock.set(START));

  it('draws another PAN when the first collides with an existing card', async () => {
    const first = new IssueCardUseCase(depsWith(scriptedDigits('246813579')));
    const a = await newAccount('travel-multicurrency');
    const b = await newAccount('travel-multicurrency');
    const collidingPan = '499999246813579';
    const cardA = await first.execute(a, { form: 'physical' }, undefined);
    expect(cardA.outcome.ok && (cardA.outcome.value as IssuedCard).pan.slice(0, 15)).toBe(collidingPan);
    const second = new IssueCardUseCase(depsWith(scriptedDigits('246813579')));
    const cardB = await second.execute(b, { form: 'physical' }, undefined);
    const panB = cardB.outcome.ok ? (cardB.outcome.value as IssuedCard).pan : '';
    expect(panB).toMatch(/^499999[0-9]{10}$/);
    expect(panB.slice(0, 15)).not.toBe(collidingPan);
    if (!cardA.outcome.ok) throw new Error('expected a card');
    const issuedA = cardA.outcome.value as IssuedCard;
    expect(await redis.get(keys.panDirectory(secrets.panHash(issuedA.pan)))).toBe(`${a}:${issuedA.cardId}`);
  });

  it('keeps no PAN, CVV2 or PIN in clear in Redis: not in any key anywhere, not in the account or directory values', async () => {
    const accountId = await newAccount('eur-standard', 50000);
    const issuer = new IssueCardUseCase(depsWith(scriptedDigits('975318642', '947', '824613')));
    const request = {
      key: 'issue-once',
      fingerprint: fingerprintOf('POST', `/v1/accounts/${accountId}/cards`, { form: 'physical' }),
    };
    const issued = await issuer.execute(accountId, { form: 'physical' }, request);
    if (!issued.outcome.ok || issued.outcome.value.kind !== 'issued') throw new Error('expected a card');
    const { pan, cvv2, pin, cardId } = issued.outcome.value;
    expect([cvv2, pin]).toEqual(['947', '824613']);
    // Every key of the database, with every string it holds (names, values, fields, members, stream entries).
    const everything = [...(await dumpKeys(redis)).values()].flat();
    expect(everything).toEqual(
      expect.arrayContaining([
        keys.card(accountId, cardId),
        keys.panDirectory(secrets.panHash(pan)),
        keys.outbox(accountId),
      ]),
    );
    expect(everything.filter((s) => s.includes(pan))).toEqual([]);
    const runs = numericTokens(everything);
    expect(runs.has(pan.slice(6, 15))).toBe(false);
    expect(runs.has(pin)).toBe(false);
    expect(runs.has(cvv2)).toBe(false);
    // The replay answers the card, never its numbers.
    const replay = await issuer.execute(accountId, { form: 'physical' }, request);
    expect(replay.replayed).toBe(true);
    expect(replay.outcome).toEqual({
      ok: true,
      value: {
        kind: 'issued-earlier',
        cardId,
        panMasked: `499999******${pan.slice(-4)}`,
        expiry: '3001',
        form: 'physical',
        state: 'inactive',
      },
    });
  });

  it('issues one card of a form for concurrent requests, charges one fee, and cleans up after the others', async () => {
    const accountId = await newAccount('eur-standard', 5000);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => cards.execute(accountId, { form: 'physical' }, undefined)),
    );
    const winners = answers.filter((a) => a.outcome.ok);
    expect(winners).toHaveLength(1);
    const cardId = winners[0].outcome.ok ? winners[0].outcome.value.cardId : '';
    expect(answers.filter((a) => !a.outcome.ok).map((a) => !a.outcome.ok && a.outcome.error)).toEqual(
      Array(4).fill(expect.objectContaining({ code: 'card-limit', cardId })),
    );
    expect(await redis.hmget(keys.balances(accountId), 'EUR:ledger', 'EUR:avail')).toEqual(['4000', '4000']);
    expect(await redis.smembers(keys.cards(accountId))).toEqual([cardId]);
    const directories = [
      ...(await dumpKeys(redis, 'dir:pan:*')).values(),
      ...(await dumpKeys(redis, 'dir:card:*')).values(),
    ].flat();
    expect(directories.filter((s) => s === accountId || s.startsWith(`${accountId}:`)).sort()).toEqual(
      [accountId, `${accountId}:${cardId}`].sort(),
    );
  });

  it('leaves no directory entry behind when the creation fee is refused', async () => {
    const accountId = await newAccount('eur-standard', 1000);
    await redis.hset(keys.balances(accountId), 'EUR:avail', '999');
    const refused = await cards.execute(accountId, { form: 'physical' }, undefined);
    expect(refused.outcome).toMatchObject({ ok: false, error: { code: 'insufficient-funds' } });
    expect(await redis.scard(keys.cards(accountId))).toBe(0);
    const directories = [
      ...(await dumpKeys(redis, 'dir:pan:*')).values(),
      ...(await dumpKeys(redis, 'dir:card:*')).values(),
    ].flat();
    expect(directories.filter((s) => s === accountId || s.startsWith(`${accountId}:`))).toEqual([]);
    expect(await redis.hmget(keys.balances(accountId), 'EUR:ledger', 'EUR:avail')).toEqual(['1000', '999']);
  });

  it('bumps the card version on each change, and frees the form for a new card once the card is lost', async () => {
    const accountId = await newAccount('eur-standard', 5000);
    const issued = await cards.execute(accountId, { form: 'virtual' }, undefined);
    const cardId = issued.outcome.ok ? issued.outcome.value.cardId : '';
    expect(await redis.hget(keys.card(accountId, cardId), 'version')).toBe('1');
    expect((await cards.execute(accountId, { form: 'virtual' }, undefined)).outcome).toMatchObject({
      ok: false,
      error: { code: 'card-limit', cardId },
    });
    await redis.hset(keys.card(accountId, cardId), 'pinTries', '3');
    expect(
      (await states.execute(cardId, { ok: true, value: { kind: 'pin-unblock' } }, undefined)).outcome,
    ).toEqual({ ok: true, value: { cardId, state: 'active' } });
    expect(await redis.hmget(keys.card(accountId, cardId), 'pinTries', 'version')).toEqual(['0', '2']);
    expect(
      (await states.execute(cardId, { ok: true, value: { kind: 'block', mode: 'lost' } }, undefined)).outcome,
    ).toEqual({ ok: true, value: { cardId, state: 'lost' } });
    expect(await redis.hget(keys.card(accountId, cardId), 'version')).toBe('3');
    expect(await redis.hget(keys.account(accountId), 'liveCard:virtual')).toBeNull();
    const replacement = await cards.execute(accountId, { form: 'virtual' }, undefined);
    expect(replacement.outcome.ok).toBe(true);
    expect(await redis.scard(keys.cards(accountId))).toBe(2);
    expect(await redis.hmget(keys.balances(accountId), 'EUR:ledger', 'EUR:avail')).toEqual(['4600', '4600']);
  });
});

describe('outbox contract', () => {
  beforeEach(() => clock.set(START));

  it('publishes account.loaded and card.issued as the relay reads them: valid against the topic schema, no card data', async () => {
    const accountId = await newAccount('eur-standard', 5000);
    await mustLoad(accountId, 2000, 'card');
    const issued = await cards.execute(accountId, { form: 'physical' }, undefined);
    if (!issued.outcome.ok || issued.outcome.value.kind !== 'issued') throw new Error('expected a card');
    const entries = await redis.xrange(keys.outbox(accountId), '-', '+');
    const events = entries.map(([, fields]) => {
      const built = toAuthorizationEvent(accountId, Object.fromEntries(chunk(fields)));
      if (!built.ok) throw new Error(built.reason);
      expect(validateEvent(built.event)).toEqual({ valid: true });
      expect(findCardData(built.event)).toEqual([]);
      return built.event;
    });
    expect(events.map((event) => [event.type, (event as { balances?: unknown }).balances])).toEqual([
      ['account.loaded', { ledger: eur(5000), available: eur(5000) }],
      ['account.loaded', { ledger: eur(6950), available: eur(6950) }],
      ['card.issued', { ledger: eur(5950), available: eur(5950) }],
    ]);
    expect(JSON.stringify(events)).not.toContain(issued.outcome.value.pan);
  });
});

function chunk(fields: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < fields.length; i += 2) pairs.push([fields[i], fields[i + 1]]);
  return pairs;
}
