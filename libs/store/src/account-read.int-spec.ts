import { createRedis } from '@lib/platform';
import { integrationConfig, uniqueId } from '@lib/testing';
import { readAccount } from './account-read';
import { keys } from './keys';

/** The one-round-trip read of a message's account state, against the real Redis. */
const redis = createRedis(integrationConfig().redis, 'account-read-test');
beforeAll(() => redis.connect());
afterAll(() => redis.quit());

describe('readAccount (real Redis)', () => {
  it('reads account, card, balances, TI record, stored decision, consent, the held hold and counters', async () => {
    const accountId = uniqueId('acct');
    await redis.hset(keys.account(accountId), 'program', 'eur-standard', 'version', '2');
    await redis.hset(keys.card(accountId, 'c1'), 'state', 'active', 'version', '0');
    await redis.hset(keys.balances(accountId), 'EUR:ledger', '100', 'EUR:avail', '40');
    await redis.hset(keys.transaction(accountId, 'ti1'), 'status', 'held', 'holdId', 'h1', 'version', '1');
    await redis.hset(keys.holds(accountId), 'h1', '{"holdId":"h1","remainingMinor":60}');
    await redis.set(keys.message(accountId, 'm1'), '{"stored":true}');
    await redis.hset(keys.revokedConsents(accountId, 'c1'), 'M1', '1');
    await redis.set(keys.counter(accountId, 'payment.count.day:2026-11-23'), '3');

    const read = await readAccount(redis, {
      accountId,
      cardId: 'c1',
      transactionId: 'ti1',
      messageKey: 'm1',
      merchantId: 'M1',
      counterKeys: ['payment.count.day:2026-11-23', 'payment.amount.day:2026-11-23'],
    });
    expect(read).toEqual({
      account: { program: 'eur-standard', version: '2' },
      card: { state: 'active', version: '0' },
      balances: { 'EUR:ledger': '100', 'EUR:avail': '40' },
      transaction: { status: 'held', holdId: 'h1', version: '1' },
      storedDecision: '{"stored":true}',
      consentRevoked: true,
      holdRaw: '{"holdId":"h1","remainingMinor":60}',
      counters: ['3', null],
    });
  });

  it('reads nothing it was not asked for: no TI, no merchant, a TI not held, missing keys', async () => {
    const accountId = uniqueId('acct');
    const bare = await readAccount(redis, { accountId, cardId: 'c1', transactionId: undefined, messageKey: 'm1', merchantId: undefined, counterKeys: [] });
    expect(bare).toEqual({ account: {}, card: {}, balances: {}, transaction: {}, storedDecision: null, consentRevoked: false, holdRaw: null, counters: [] });
    await redis.hset(keys.transaction(accountId, 'ti2'), 'status', 'declined', 'holdId', 'h2');
    await redis.hset(keys.holds(accountId), 'h2', '{}');
    const declined = await readAccount(redis, { accountId, cardId: 'c1', transactionId: 'ti2', messageKey: 'm2', merchantId: 'M9', counterKeys: ['x'] });
    expect(declined).toMatchObject({ transaction: { status: 'declined', holdId: 'h2' }, holdRaw: null, consentRevoked: false, counters: [null] });
  });
});
