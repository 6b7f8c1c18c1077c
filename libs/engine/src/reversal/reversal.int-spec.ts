import { unpackFeeAmount } from '@lib/iso8583';
import { keys } from '@lib/store';
import { balancesOf, DAY_MS, EngineHarness, NOW } from '../testing/engine-harness';
import { incrementalRequest, reversalRequest } from '../testing/messages';

/**
 * Reversals 0400 / 0420 against the real Redis (network-interface.md "Messages"): full and
 * partial, of the original or of one increment, before their original, repeated, retried, larger
 * than the hold, of a posted 0200. Every case checks available = ledger - open holds.
 */
const h = new EngineHarness();
beforeAll(() => h.start('reversal-test'));
afterAll(() => h.stop());
beforeEach(() => h.clock.set(NOW));

const reversalsOf = async (accountId: string) => (await h.decisions(accountId)).filter((d) => d.record.approved.type === 'reversal.applied');

describe('reversals (real Redis)', () => {
  it('a full 0400 ends the hold once (reversed), answers 0410 00 with the balances, and a network retry gets the same answer', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const purchase = h.request(card, { amountMinor: 2_500 });
    expect((await h.send(purchase)).get(39)).toBe('00');
    const reversal = reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 2_500 });
    const response = await h.send(reversal);
    expect(response.mti).toBe('0410');
    expect(response.get(39)).toBe('00');
    expect(response.get(11)).toBe(reversal.get(11));
    expect(response.get(4)).toBe('000000002500');
    expect(balancesOf(response)).toEqual({ ledger: 10_000n, available: 10_000n });
    expect(await h.holds(card.accountId)).toHaveLength(0);
    const retried = await h.send(reversal.clone());
    expect(retried.get(39)).toBe('00');
    expect(retried.get(54)).toBe(response.get(54));
    const events = await reversalsOf(card.accountId);
    expect(events).toHaveLength(1);
    expect(events[0].record.approved.holdEffect).toMatchObject({ effect: 'reversed', amountMinor: '2500', remainingMinor: '0' });
    expect(events[0].record.approved.reversal).toEqual({ target: 'transaction', remainsMinor: '0', reversedMinor: '2500', state: 'applied' });
    await h.expectConserved(card.accountId);
  });

  it('a 0420 (reversal advice) is answered 0430 and applies the same way', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const purchase = h.request(card, { amountMinor: 1_000 });
    await h.send(purchase);
    const response = await h.send(reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 1_000, mti: '0420' }));
    expect(response.mti).toBe('0430');
    expect(response.get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 10_000n, available: 10_000n });
  });

  it('a partial reversal (field 95 = what remains) releases the difference, a later full one the rest; a repeated one changes nothing', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const purchase = h.request(card, { amountMinor: 6_000 });
    await h.send(purchase);
    await h.send(reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 6_000, remainsMinor: 4_000 }));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 10_000n, available: 6_000n });
    expect((await h.holds(card.accountId))[0].remainingMinor).toBe(4_000);
    // The same partial reversal again (a new message, not a retry): 4,000 already remains.
    const again = await h.send(reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 6_000, remainsMinor: 4_000 }));
    expect(again.get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 10_000n, available: 6_000n });
    // A second partial, then the full reversal.
    await h.send(reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 6_000, remainsMinor: 1_500 }));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 10_000n, available: 8_500n });
    await h.send(reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 6_000, remainsMinor: 0 }));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 10_000n, available: 10_000n });
    const effects = (await reversalsOf(card.accountId)).map((d) => [d.record.approved.reversal!.state, d.record.approved.holdEffect?.effect ?? null]);
    expect(effects).toEqual([
      ['applied', 'released'],
      ['nothing-left', null],
      ['applied', 'released'],
      ['applied', 'reversed'],
    ]);
    await h.expectConserved(card.accountId);
  });

  it('a full reversal of a pre-authorisation with increments (field 4 = the total) releases everything', async () => {
    const card = await h.cardOn('eur-premium', 100_000n);
    const preAuth = h.request(card, { amountMinor: 20_000, condition: '06', mcc: '7011' });
    expect((await h.send(preAuth)).get(39)).toBe('00');
    expect((await h.send(incrementalRequest(preAuth, { stan: h.nextStan(), amountMinor: 5_000 }))).get(39)).toBe('00');
    expect((await h.send(incrementalRequest(preAuth, { stan: h.nextStan(), amountMinor: 2_500 }))).get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 100_000n, available: 72_500n });
    await h.send(reversalRequest(preAuth, { stan: h.nextStan(), amountMinor: 27_500 }));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 100_000n, available: 100_000n });
    expect(await h.holds(card.accountId)).toHaveLength(0);
  });

  it('a reversal naming one increment (field 90) releases that increment only', async () => {
    const card = await h.cardOn('eur-premium', 100_000n);
    const preAuth = h.request(card, { amountMinor: 20_000, condition: '06', mcc: '7011' });
    await h.send(preAuth);
    const increment = incrementalRequest(preAuth, { stan: h.nextStan(), amountMinor: 5_000 });
    await h.send(increment);
    const response = await h.send(reversalRequest(increment, { stan: h.nextStan(), amountMinor: 5_000 }));
    expect(response.get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 100_000n, available: 80_000n });
    const [event] = await reversalsOf(card.accountId);
    expect(event.record.approved.reversal).toMatchObject({ target: 'increment', reversedMinor: '5000', state: 'applied' });
    // Reversing the same increment again changes nothing; the original is still held.
    await h.send(reversalRequest(increment, { stan: h.nextStan(), amountMinor: 5_000 }));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 100_000n, available: 80_000n });
    expect((await h.holds(card.accountId))[0].remainingMinor).toBe(20_000);
  });

  it('a reversal larger than what is held releases what is held, once', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const purchase = h.request(card, { amountMinor: 3_000 });
    await h.send(purchase);
    const response = await h.send(reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 9_999 }));
    expect(response.get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 10_000n, available: 10_000n });
    const [event] = await reversalsOf(card.accountId);
    expect(event.record.approved.holdEffect).toMatchObject({ effect: 'reversed', amountMinor: '3000' });
  });

  it('a reversal before its original is answered 00 and stored; the late original is answered as usual but leaves no hold and no fee', async () => {
    const card = await h.cardOn('eur-standard', 100_000n);
    // A USD purchase: it would carry the foreign-payment and FX fees (seed 004 annex).
    const purchase = h.request(card, { amountMinor: 10_000, currencyNumeric: '840', country: '840' });
    const reversal = await h.send(reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 10_000, mti: '0420' }));
    expect(reversal.get(39)).toBe('00');
    expect(await h.redis.hget(keys.transaction(card.accountId, purchase.tag('TI')!), `rev:${'0100'}:${purchase.get(11)}:${purchase.get(7)}:000${purchase.get(32)}`)).not.toBeNull();
    const late = await h.send(purchase);
    expect(late.get(39)).toBe('00');
    expect(late.get(38)).toMatch(/^[A-Z0-9]{6}$/);
    expect(late.has(28)).toBe(false);
    expect(balancesOf(late)).toEqual({ ledger: 100_000n, available: 100_000n });
    expect(await h.holds(card.accountId)).toHaveLength(0);
    const decisions = await h.decisions(card.accountId);
    expect(decisions.map((d) => d.record.approved.type)).toEqual(['reversal.applied', 'authorization.approved']);
    expect(decisions[0].record.approved).toMatchObject({ unmatched: true, reversal: { state: 'stored' } });
    expect(decisions[1].record.approved).toMatchObject({ reversedBeforeArrival: true, fees: [], hold: null });
    // The TI is now known: a different original reusing it is a 94.
    const reuse = h.request(card, { amountMinor: 100 });
    reuse.setTag('TI', purchase.tag('TI')!);
    expect((await h.send(reuse)).get(39)).toBe('94');
  });

  it('a partial reversal before its original leaves a hold of what remains', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const purchase = h.request(card, { amountMinor: 5_000 });
    await h.send(reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 5_000, remainsMinor: 2_000 }));
    expect((await h.send(purchase)).get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 10_000n, available: 8_000n });
    expect((await h.holds(card.accountId))[0].remainingMinor).toBe(2_000);
  });

  it('credits back a posted 0200 (amount and fee) on a full reversal, the reversed part on a partial one', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const atm = (amountMinor: number) =>
      h.request(card, { mti: '0200', processingCode: '010000', amountMinor, mcc: '6011', pinBlock: h.pinBlocks.encode(card.pin, card.pan) });
    const full = atm(5_000);
    const approved = await h.send(full);
    expect(unpackFeeAmount(approved.get(28)!).amountMinor).toBe(150n);
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 4_850n, available: 4_850n });
    await h.send(reversalRequest(full, { stan: h.nextStan(), amountMinor: 5_000 }));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 10_000n, available: 10_000n });
    // The ATM dispensed 20.00 of 40.00: 20.00 is credited back, the fee stays.
    const partial = atm(4_000);
    await h.send(partial);
    await h.send(reversalRequest(partial, { stan: h.nextStan(), amountMinor: 4_000, remainsMinor: 2_000 }));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 7_850n, available: 7_850n });
    const posted = (await reversalsOf(card.accountId)).map((d) => d.record.approved.posted);
    expect(posted).toEqual([
      { minor: '5150', currency: 'EUR' },
      { minor: '2000', currency: 'EUR' },
    ]);
  });

  it('changes nothing for a declined original or a hold that already expired', async () => {
    const card = await h.cardOn('eur-standard', 1_000n);
    const declined = h.request(card, { amountMinor: 5_000 });
    expect((await h.send(declined)).get(39)).toBe('51');
    const before = await h.wallet(card.accountId);
    expect((await h.send(reversalRequest(declined, { stan: h.nextStan(), amountMinor: 5_000 }))).get(39)).toBe('00');
    expect(await h.wallet(card.accountId)).toEqual(before);

    const purchase = h.request(card, { amountMinor: 500 });
    await h.send(purchase);
    h.clock.advance(7 * DAY_MS);
    await h.send(reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 500 }));
    expect(await h.wallet(card.accountId)).toEqual(before);
    expect(await h.expiredHolds(card.accountId)).toHaveLength(1);
    const states = (await reversalsOf(card.accountId)).map((d) => d.record.approved.reversal!.state);
    expect(states).toEqual(['nothing-left', 'nothing-left']);
  });

  it('answers 14 to a reversal for an unknown card and 30 when field 90 is malformed', async () => {
    const card = await h.cardOn('eur-standard', 1_000n);
    const purchase = h.request(card, { amountMinor: 100 });
    const unknown = reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 100 });
    unknown.set(2, '4999990000000001');
    expect((await h.send(unknown)).get(39)).toBe('14');
    const malformed = reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 100 });
    malformed.set(90, '0100' + '9'.repeat(38));
    const response = await h.send(malformed);
    expect(response.mti).toBe('0410');
    expect(response.get(39)).toBe('30');
  });
});
