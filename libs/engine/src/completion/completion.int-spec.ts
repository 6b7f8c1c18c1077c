import { unpackFeeAmount } from '@lib/iso8583';
import { keys } from '@lib/store';
import { balancesOf, DAY_MS, EngineHarness, NOW } from '../testing/engine-harness';
import { completionAdvice, incrementalRequest, reversalRequest } from '../testing/messages';

/**
 * The pre-authorisation lifecycle against the real Redis: field 25 = 06 holds for 15 x 24 h,
 * incremental authorisations grow the original's hold (not a new transaction for the count
 * limits), the completion 0220 posts the final amount and fees and releases the rest of the hold.
 */
const h = new EngineHarness();
beforeAll(() => h.start('completion-test'));
afterAll(() => h.stop());
beforeEach(() => h.clock.set(NOW));

const completionsOf = async (accountId: string) => (await h.decisions(accountId)).filter((d) => d.record.approved.type === 'completion.applied');

describe('pre-authorisation, increments and completion (real Redis)', () => {
  it('holds a pre-authorisation for 15 x 24 h from the authorisation', async () => {
    const card = await h.cardOn('eur-standard', 50_000n);
    const response = await h.send(h.request(card, { amountMinor: 30_000, condition: '06', mcc: '7011' }));
    expect(response.get(39)).toBe('00');
    const [hold] = await h.holds(card.accountId);
    expect(hold).toMatchObject({ kind: 'pre-authorisation', amountMinor: 30_000, remainingMinor: 30_000, expiresAt: NOW + 15 * DAY_MS });
    expect(await h.redis.zscore(keys.holdExpiryIndex(), card.accountId)).toBe(String(NOW + 15 * DAY_MS));
    const [decision] = await h.decisions(card.accountId);
    expect(decision.record.approved.hold).toEqual({ holdId: hold.holdId, expiresAt: new Date(NOW + 15 * DAY_MS).toISOString() });
    expect(decision.record.approved.holdEffect).toMatchObject({ effect: 'opened', amountMinor: '30000' });
  });

  it('grows the original hold by each increment (field 4 = the additional amount), keeps its expiry, counts it once against the count limit', async () => {
    const card = await h.cardOn('eur-standard', 100_000n);
    const preAuth = h.request(card, { amountMinor: 10_000, condition: '06', mcc: '7011' });
    await h.send(preAuth);
    h.clock.advance(3600_000);
    const increment = await h.send(incrementalRequest(preAuth, { stan: h.nextStan(), amountMinor: 2_500 }));
    expect(increment.get(39)).toBe('00');
    expect(balancesOf(increment)).toEqual({ ledger: 100_000n, available: 87_500n });
    const holds = await h.holds(card.accountId);
    expect(holds).toHaveLength(1);
    expect(holds[0]).toMatchObject({ amountMinor: 12_500, remainingMinor: 12_500, expiresAt: NOW + 15 * DAY_MS });
    // eur-standard "card payments per day (count)": the increment adds to the amount, not the count.
    expect(await h.redis.get(keys.counter(card.accountId, 'payment.count.day:2026-11-22'))).toBe('1');
    expect(await h.redis.get(keys.counter(card.accountId, 'payment.amount.day:2026-11-22'))).toBe('12500');
    const increments = (await h.decisions(card.accountId)).filter((d) => d.record.approved.holdEffect?.effect === 'grown');
    expect(increments).toHaveLength(1);
    // Its event names the hold it grew, with the original's expiry.
    expect(increments[0].record.approved.hold).toEqual({ holdId: holds[0].holdId, expiresAt: new Date(NOW + 15 * DAY_MS).toISOString() });
    await h.expectConserved(card.accountId);
  });

  it('answers 12 to an increment without an open hold (unknown TI, completed, or expired)', async () => {
    const card = await h.cardOn('eur-standard', 100_000n);
    const unknown = h.request(card, { amountMinor: 1_000 });
    expect((await h.send(incrementalRequest(unknown, { stan: h.nextStan(), amountMinor: 100 }))).get(39)).toBe('12');
    const preAuth = h.request(card, { amountMinor: 10_000, condition: '06', mcc: '7011' });
    await h.send(preAuth);
    h.clock.advance(15 * DAY_MS);
    expect((await h.send(incrementalRequest(preAuth, { stan: h.nextStan(), amountMinor: 100 }))).get(39)).toBe('12');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 100_000n, available: 100_000n });
  });

  it('completes below the hold: posts the final amount, releases the rest (cleared), answers 0230 00', async () => {
    const card = await h.cardOn('eur-standard', 100_000n);
    const preAuth = h.request(card, { amountMinor: 30_000, condition: '06', mcc: '7011' });
    await h.send(preAuth);
    await h.send(incrementalRequest(preAuth, { stan: h.nextStan(), amountMinor: 5_000 }));
    h.clock.advance(3 * DAY_MS);
    const completion = completionAdvice(preAuth, { stan: h.nextStan(), amountMinor: 27_450 });
    const response = await h.send(completion);
    expect(response.mti).toBe('0230');
    expect(response.get(39)).toBe('00');
    expect(response.get(4)).toBe('000000027450');
    expect(balancesOf(response)).toEqual({ ledger: 72_550n, available: 72_550n });
    expect(await h.holds(card.accountId)).toHaveLength(0);
    const [event] = await completionsOf(card.accountId);
    expect(event.record.approved).toMatchObject({
      responseCode: '00',
      holdEffect: { effect: 'cleared', amountMinor: '35000', remainingMinor: '0' },
      posted: { minor: '-27450', currency: 'EUR' },
    });
    expect(event.record.approved.lateAfterExpiry).toBeUndefined();
    // A network retry: same answer, nothing posted twice.
    expect((await h.send(completion.clone())).get(54)).toBe(response.get(54));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 72_550n, available: 72_550n });
    expect(await completionsOf(card.accountId)).toHaveLength(1);
    // Nothing left to reverse or complete: a reversal or a second completion changes nothing.
    await h.send(reversalRequest(preAuth, { stan: h.nextStan(), amountMinor: 35_000 }));
    await h.send(completionAdvice(preAuth, { stan: h.nextStan(), amountMinor: 27_450 }));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 72_550n, available: 72_550n });
  });

  it('debits more than the hold all the same (a tip), with the fees of the final amount', async () => {
    const card = await h.cardOn('eur-standard', 100_000n);
    const preAuth = h.request(card, { amountMinor: 10_000, condition: '06', mcc: '5812' });
    await h.send(preAuth);
    await h.send(completionAdvice(preAuth, { stan: h.nextStan(), amountMinor: 11_500 }));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 88_500n, available: 88_500n });

    // A USD pre-authorisation: the completion posts the final billing amount plus its fees.
    const usd = h.request(card, { amountMinor: 10_000, condition: '06', mcc: '7011', currencyNumeric: '840', country: '840' });
    const authorised = await h.send(usd);
    const heldDebit = BigInt(authorised.get(6)!) + unpackFeeAmount(authorised.get(28)!).amountMinor;
    expect((await h.wallet(card.accountId)).available).toBe(88_500n - heldDebit);
    const response = await h.send(completionAdvice(usd, { stan: h.nextStan(), amountMinor: 10_000 }));
    expect(response.get(39)).toBe('00');
    expect(unpackFeeAmount(response.get(28)!).amountMinor).toBe(unpackFeeAmount(authorised.get(28)!).amountMinor);
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 88_500n - heldDebit, available: 88_500n - heldDebit });
  });

  it('a final amount of 0 releases the whole hold and posts nothing', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const preAuth = h.request(card, { amountMinor: 5_000, condition: '06', mcc: '7512' });
    await h.send(preAuth);
    expect((await h.send(completionAdvice(preAuth, { stan: h.nextStan(), amountMinor: 0 }))).get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 10_000n, available: 10_000n });
    const [event] = await completionsOf(card.accountId);
    expect(event.record.approved).toMatchObject({ holdEffect: { effect: 'cleared' }, posted: null });
  });

  it('force-posts a completion for an unknown TI (flagged unmatched) and registers the TI', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const never = h.request(card, { amountMinor: 1_200 });
    const response = await h.send(completionAdvice(never, { stan: h.nextStan(), amountMinor: 1_200 }));
    expect(response.get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 8_800n, available: 8_800n });
    const [event] = await completionsOf(card.accountId);
    expect(event.record.approved).toMatchObject({ unmatched: true, holdEffect: null, posted: { minor: '-1200' } });
    expect((await h.send(never)).get(39)).toBe('94');
  });
});
