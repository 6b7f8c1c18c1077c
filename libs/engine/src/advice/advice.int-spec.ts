import { cryptoRandom, LoadFundsUseCase } from '@lib/back-office';
import { keys } from '@lib/store';
import { balancesOf, EngineHarness, NOW } from '../testing/engine-harness';
import { completionAdvice, incrementalRequest, reversalRequest, standInAdvice } from '../testing/messages';

/**
 * Stand-in advices 0120 against the real Redis: applied even when they overdraw, with no check
 * that could refuse them; a negative balance then suspends every debit (05) until a load repays it.
 */
const h = new EngineHarness();
beforeAll(() => h.start('advice-test'));
afterAll(() => h.stop());
beforeEach(() => h.clock.set(NOW));

const advice = (card: { pan: string; expiry: string }, o: Parameters<typeof standInAdvice>[0] extends infer T ? Partial<T> & { amountMinor: number } : never) =>
  standInAdvice({ pan: card.pan, expiry: card.expiry, stan: h.nextStan(), ...o });

describe('stand-in advices (real Redis)', () => {
  it('applies an advice that overdraws: hold opened, available negative, 0130 00 echoing the network auth code', async () => {
    const card = await h.cardOn('eur-standard', 5_000n);
    const response = await h.send(advice(card, { amountMinor: 8_000, authCode: 'NET042' }));
    expect(response.mti).toBe('0130');
    expect(response.get(39)).toBe('00');
    expect(response.get(38)).toBe('NET042');
    expect(balancesOf(response)).toEqual({ ledger: 5_000n, available: -3_000n });
    const [hold] = await h.holds(card.accountId);
    expect(hold).toMatchObject({ remainingMinor: 8_000, kind: 'authorisation' });
    const [decision] = await h.decisions(card.accountId);
    expect(decision.record.approved).toMatchObject({ type: 'advice.applied', standIn: { responseCode: '00', authCode: 'NET042', applied: true }, holdEffect: { effect: 'opened' } });
    await h.expectConserved(card.accountId);
  });

  it('suspends every debit (05) while the balance is negative, until a load repays it; clearing follows the advice', async () => {
    const card = await h.cardOn('eur-standard', 5_000n);
    const standIn = advice(card, { amountMinor: 8_000 });
    await h.send(standIn);
    // Suspended: a purchase the ledger balance would cover, an ATM withdrawal, a balance inquiry.
    expect((await h.send(h.request(card, { amountMinor: 100 }))).get(39)).toBe('05');
    const atm = h.request(card, { mti: '0200', processingCode: '010000', amountMinor: 1_000, mcc: '6011', pinBlock: h.pinBlocks.encode(card.pin, card.pan) });
    expect((await h.send(atm)).get(39)).toBe('05');
    // A refund authorisation is not a debit: not suspended.
    expect((await h.send(h.request(card, { amountMinor: 100, processingCode: '200000' }))).get(39)).toBe('00');
    // The merchant completes the advice's transaction: the ledger goes negative too.
    await h.send(completionAdvice(standIn, { stan: h.nextStan(), amountMinor: 8_000 }));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: -3_000n, available: -3_000n });
    expect((await h.send(h.request(card, { amountMinor: 100 }))).get(39)).toBe('05');
    // A load of 29.99 leaves the balance at -0.01: still suspended.
    await h.load(card.accountId, 2_999);
    expect((await h.send(h.request(card, { amountMinor: 1 }))).get(39)).toBe('05');
    // One more cent brings it back to 0: debits are decided again (51 with nothing available).
    await h.load(card.accountId, 1);
    expect((await h.send(h.request(card, { amountMinor: 100 }))).get(39)).toBe('51');
    await h.load(card.accountId, 1_000);
    expect((await h.send(h.request(card, { amountMinor: 100 }))).get(39)).toBe('00');
    await h.expectConserved(card.accountId);
  });

  it('is repaid by a load through the back office use case (POST /v1/accounts/{id}/loads)', async () => {
    const card = await h.cardOn('eur-standard', 1_000n);
    await h.send(advice(card, { amountMinor: 3_000 }));
    expect((await h.send(h.request(card, { amountMinor: 100 }))).get(39)).toBe('05');
    const loads = new LoadFundsUseCase({ redis: h.redis, catalogue: h.deps.catalogue, secrets: h.secrets, clock: h.clock, random: cryptoRandom });
    const answer = await loads.execute(card.accountId, { amount: { minor: '2500', currency: 'EUR' }, method: 'sepa-transfer' }, undefined);
    expect(answer.outcome.ok).toBe(true);
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 3_500n, available: 500n });
    expect((await h.send(h.request(card, { amountMinor: 100 }))).get(39)).toBe('00');
  });

  it('moves the limit counters but never refuses on a limit, card state or PIN', async () => {
    const card = await h.cardOn('eur-standard', 500_000n, { state: 'blocked-temporary' });
    // 2,000.00 is above the eur-standard 1,500.00 per payment and per day.
    const response = await h.send(advice(card, { amountMinor: 200_000 }));
    expect(response.get(39)).toBe('00');
    expect(await h.redis.get(keys.counter(card.accountId, 'payment.amount.day:2026-11-22'))).toBe('200000');
    expect(await h.redis.get(keys.counter(card.accountId, 'payment.count.day:2026-11-22'))).toBe('1');
    expect((await h.wallet(card.accountId)).available).toBe(300_000n);
  });

  it('changes nothing for a stand-in decline, nor for an original the issuer already approved; applies over the issuer own decline', async () => {
    const card = await h.cardOn('eur-standard', 5_000n);
    const declinedByNetwork = advice(card, { amountMinor: 1_000, responseCode: '05' });
    expect((await h.send(declinedByNetwork)).get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 5_000n, available: 5_000n });

    const approved = h.request(card, { amountMinor: 1_000 });
    await h.send(approved);
    const late = advice(card, { amountMinor: 1_000 });
    late.setTag('TI', approved.tag('TI')!);
    expect((await h.send(late)).get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 5_000n, available: 4_000n });

    const declined = h.request(card, { amountMinor: 6_000 });
    expect((await h.send(declined)).get(39)).toBe('51');
    const overruled = advice(card, { amountMinor: 6_000 });
    overruled.setTag('TI', declined.tag('TI')!);
    expect((await h.send(overruled)).get(39)).toBe('00');
    // 40.00 - 0.15 decline fee - 60.00 held
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 4_985n, available: -2_015n });
    const applied = (await h.decisions(card.accountId)).filter((d) => d.record.approved.type === 'advice.applied').map((d) => d.record.approved.standIn!.applied);
    expect(applied).toEqual([false, false, true]);
    // The reversal of the overruled request (field 90 names the issuer's 0100) finds the advice's hold.
    await h.send(reversalRequest(declined, { stan: h.nextStan(), amountMinor: 6_000 }));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 4_985n, available: 3_985n });
  });

  it('applies an incremental advice to the open hold of its TI', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const preAuth = h.request(card, { amountMinor: 5_000, condition: '06', mcc: '7011' });
    await h.send(preAuth);
    const increment = incrementalRequest(preAuth, { stan: h.nextStan(), amountMinor: 7_000 });
    increment.mti = '0120';
    increment.set(39, '00');
    expect((await h.send(increment)).get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 10_000n, available: -2_000n });
    expect(await h.holds(card.accountId)).toHaveLength(1);
  });

  it('is answered once per network message: a retried advice changes nothing', async () => {
    const card = await h.cardOn('eur-standard', 5_000n);
    const message = advice(card, { amountMinor: 1_000 });
    const first = await h.send(message);
    const again = await h.send(message.clone());
    expect(again.get(54)).toBe(first.get(54));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 5_000n, available: 4_000n });
    expect(await h.decisions(card.accountId)).toHaveLength(1);
  });
});
