import { ECHOED_FIELDS, IsoMessage, unpackFeeAmount } from '@lib/iso8583';
import { keys } from '@lib/store';
import { NetworkMessageHandler } from './network-message.handler';
import { PinBlockCodec } from './pin-block';
import { balancesOf, EngineHarness, NOW, ZONE_KEY } from './testing/engine-harness';
import { authorisationRequest, completionAdvice, incrementalRequest, reversalRequest, standInAdvice } from './testing/messages';
import type { SeededCard } from './testing/seed';

/**
 * The network interface as a whole, through the handler every adapter calls: every message type
 * and its answer's shape, partial approvals, and every response code of network-interface.md the
 * gateway can produce, each from a real scenario against the real Redis.
 */
const h = new EngineHarness();
beforeAll(() => h.start('network-message-test'));
afterAll(() => h.stop());
beforeEach(() => h.clock.set(NOW));

function expectEchoes(request: IsoMessage, response: IsoMessage, except: number[] = []): void {
  for (const field of ECHOED_FIELDS) {
    if (except.includes(field) || !request.has(field)) continue;
    expect([field, response.get(field)]).toEqual([field, request.get(field)]);
  }
}

describe('message types and the shape of their answers (real Redis)', () => {
  it('answers each request type with its response type, echoing 2, 3, 4, 7, 11, 32, 37, 41, 42, 49', async () => {
    const card = await h.cardOn('eur-standard', 100_000n);
    const preAuth = h.request(card, { amountMinor: 10_000, condition: '06', mcc: '7011' });
    const messages: [IsoMessage, string][] = [
      [preAuth, '0110'],
      [incrementalRequest(preAuth, { stan: h.nextStan(), amountMinor: 1_000 }), '0110'],
      [completionAdvice(preAuth, { stan: h.nextStan(), amountMinor: 9_000 }), '0230'],
      [h.request(card, { mti: '0200', processingCode: '010000', amountMinor: 2_000, mcc: '6011', pinBlock: h.pinBlocks.encode(card.pin, card.pan) }), '0210'],
      [standInAdvice({ pan: card.pan, expiry: card.expiry, stan: h.nextStan(), amountMinor: 500 }), '0130'],
    ];
    const purchase = h.request(card, { amountMinor: 700 });
    messages.push([purchase, '0110'], [reversalRequest(purchase, { stan: h.nextStan(), amountMinor: 700 }), '0410']);
    const other = h.request(card, { amountMinor: 800 });
    messages.push([other, '0110'], [reversalRequest(other, { stan: h.nextStan(), amountMinor: 800, mti: '0420' }), '0430']);
    for (const [message, mti] of messages) {
      const response = await h.send(message);
      expect([message.mti, response.mti, response.get(39)]).toEqual([message.mti, mti, '00']);
      expectEchoes(message, response);
      expect(response.has(54)).toBe(true);
    }
    const echo = new IsoMessage('0800');
    echo.setPadded(7, '1122101530').setPadded(11, '000777').set(70, '301');
    const management = await h.send(echo);
    expect([management.mti, management.get(39), management.get(70), management.get(11)]).toEqual(['0810', '00', '301', '000777']);
    await h.expectConserved(card.accountId);
  });
});

describe('partial approval (real Redis)', () => {
  it('PA=Y and funds covering part: 10, the approved amount in field 4, a hold of that part; the retry gets the same answer', async () => {
    const card = await h.cardOn('eur-standard', 3_000n);
    const request = h.request(card, { amountMinor: 5_000, tags: { PA: 'Y' } });
    const response = await h.send(request);
    expect(response.get(39)).toBe('10');
    expect(response.get(4)).toBe('000000003000');
    expect(response.get(38)).toMatch(/^[A-Z0-9]{6}$/);
    expect(balancesOf(response)).toEqual({ ledger: 3_000n, available: 0n });
    const [hold] = await h.holds(card.accountId);
    expect(hold.remainingMinor).toBe(3_000);
    const [decision] = await h.decisions(card.accountId);
    expect(decision.record.approved.approvedAmount).toEqual({ minor: '3000', currency: 'EUR' });
    expect(decision.record.amount).toEqual({ minor: '5000', currency: 'EUR' });
    const retried = await h.send(request.clone());
    expect([retried.get(39), retried.get(4), retried.get(38)]).toEqual(['10', '000000003000', response.get(38)]);
    // The amount counters move by the approved part.
    expect(await h.redis.get(keys.counter(card.accountId, 'payment.amount.day:2026-11-22'))).toBe('3000');
    // A reversal of the partial approval gives back the part held.
    await h.send(reversalRequest(request, { stan: h.nextStan(), amountMinor: 5_000 }));
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 3_000n, available: 3_000n });
  });

  it('with fees: the largest amount whose amount plus fees the balance covers (a USD purchase)', async () => {
    const card = await h.cardOn('eur-standard', 5_000n);
    const response = await h.send(h.request(card, { amountMinor: 10_000, currencyNumeric: '840', country: '840', tags: { PA: 'Y' } }));
    expect(response.get(39)).toBe('10');
    const approved = BigInt(response.get(4)!);
    const debit = BigInt(response.get(6)!) + unpackFeeAmount(response.get(28)!).amountMinor;
    expect(approved).toBeLessThan(10_000n);
    expect(debit).toBeLessThanOrEqual(5_000n);
    expect(balancesOf(response).available).toBe(5_000n - debit);
    // One more cent would not be covered (the search is exact, fees included).
    const more = await h.cardOn('eur-standard', 5_000n);
    const full = await h.send(h.request(more, { amountMinor: Number(approved + 1n), currencyNumeric: '840', country: '840' }));
    expect(full.get(39)).toBe('51');
  });

  it('PA=Y and a balance covering the whole amount: 00; covering nothing: 51; no PA: 51', async () => {
    const card = await h.cardOn('eur-standard', 3_000n);
    expect((await h.send(h.request(card, { amountMinor: 1_000, tags: { PA: 'Y' } }))).get(39)).toBe('00');
    const empty = await h.cardOn('eur-standard', 0n);
    expect((await h.send(h.request(empty, { amountMinor: 1_000, tags: { PA: 'Y' } }))).get(39)).toBe('51');
    expect((await h.send(h.request(card, { amountMinor: 5_000 }))).get(39)).toBe('51');
  });

  it('a partial ATM withdrawal (0200) posts the approved part and its fee', async () => {
    const card = await h.cardOn('eur-standard', 5_150n);
    const response = await h.send(h.request(card, { mti: '0200', processingCode: '010000', amountMinor: 8_000, mcc: '6011', pinBlock: h.pinBlocks.encode(card.pin, card.pan), tags: { PA: 'Y' } }));
    expect(response.get(39)).toBe('10');
    expect(response.get(4)).toBe('000000005000');
    expect(unpackFeeAmount(response.get(28)!).amountMinor).toBe(150n);
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 0n, available: 0n });
  });
});

describe('every response code the gateway produces (real Redis)', () => {
  it('00 10 05 12 13 14 30 41 43 51 54 55 57 61 62 65 75 78 82 85 91 94 96 1A', async () => {
    const seen = new Map<string, string>();
    const expectCode = async (label: string, message: IsoMessage, code: string, handler = h.handler) => {
      const response = await handler.handle(message);
      expect([label, response?.get(39)]).toEqual([label, code]);
      seen.set(code, label);
    };
    const rich = () => h.cardOn('eur-standard', 100_000n);
    const atm = (card: Awaited<ReturnType<typeof rich>>, amountMinor: number, pin = card.pin) =>
      h.request(card, { mti: '0200', processingCode: '010000', amountMinor, mcc: '6011', pinBlock: h.pinBlocks.encode(pin, card.pan) });

    const card = await rich();
    await expectCode('approved', h.request(card, { amountMinor: 100 }), '00');
    await expectCode('partial', h.request(await h.cardOn('eur-standard', 50n), { amountMinor: 100, tags: { PA: 'Y' } }), '10');
    const overdrawn = await h.cardOn('eur-standard', 0n);
    await h.send(standInAdvice({ pan: overdrawn.pan, expiry: overdrawn.expiry, stan: h.nextStan(), amountMinor: 100 }));
    await expectCode('suspended', h.request(overdrawn, { amountMinor: 100 }), '05');
    await expectCode('processing code', h.request(card, { amountMinor: 100, processingCode: '990000' }), '12');
    await expectCode('zero cash', h.request(card, { amountMinor: 0, processingCode: '010000', mcc: '6011' }), '13');
    await expectCode('unknown card', h.request({ ...card, pan: '4999990000000001' }, { amountMinor: 100 }), '14');
    const missing = h.request(card, { amountMinor: 100 });
    missing.delete(49);
    await expectCode('format', missing, '30');
    await expectCode('lost', h.request(await h.cardOn('eur-standard', 1n, { state: 'lost' }), { amountMinor: 100 }), '41');
    await expectCode('stolen', h.request(await h.cardOn('eur-standard', 1n, { state: 'stolen' }), { amountMinor: 100 }), '43');
    await expectCode('funds', h.request(await h.cardOn('eur-standard', 99n), { amountMinor: 100 }), '51');
    await expectCode('expired', h.request(await h.cardOn('eur-standard', 1n, { expiry: '2610' }), { amountMinor: 100 }), '54');
    const pinCard = await rich();
    await expectCode('wrong PIN', atm(pinCard, 1_000, '000000'), '55');
    await expectCode('MCC', h.request(card, { amountMinor: 100, mcc: '7273' }), '57');
    await expectCode('amount limit', h.request(card, { amountMinor: 150_001 }), '61');
    await expectCode('blocked', h.request(await h.cardOn('eur-standard', 1n, { state: 'blocked-temporary' }), { amountMinor: 100 }), '62');
    const atmCard = await rich();
    for (let i = 0; i < 3; i++) await h.send(atm(atmCard, 1_000));
    await expectCode('count limit', atm(atmCard, 1_000), '65');
    await h.send(atm(pinCard, 1_000, '000000'));
    await expectCode('third wrong PIN', atm(pinCard, 1_000, '000000'), '75');
    await expectCode('right PIN after the third wrong', atm(pinCard, 1_000), '75');
    await expectCode('inactive', h.request(await h.cardOn('eur-standard', 1n, { state: 'inactive' }), { amountMinor: 100 }), '78');
    const web = await h.cardOn('eur-standard', 100_000n, { form: 'virtual' });
    await expectCode('CVV2', h.request(web, { amountMinor: 100, entryMode: '010', condition: '59', tags: { CV: web.cvv2 === '000' ? '001' : '000', SC: 'Y' } }), '82');
    await expectCode('verification', h.request(card, { amountMinor: 0 }), '85');
    await expectCode('SCA', h.request(web, { amountMinor: 3_001, entryMode: '010', condition: '59', tags: { CV: web.cvv2 } }), '1A');
    await expectCode('latency', h.request(card, { amountMinor: 100 }), '91', new NetworkMessageHandler({ ...h.deps, redisBudgetMs: 0 }));
    const first = h.request(card, { amountMinor: 100 });
    await h.send(first);
    const reused = h.request(card, { amountMinor: 200 });
    reused.setTag('TI', first.tag('TI')!);
    await expectCode('TI reused', reused, '94');
    // 96: every attempt finds the card changed under its plan (a concurrent writer bumps the card
    // version between the snapshot and the step, five times): the engine gives up.
    const contended = await rich();
    const racing = new (class extends PinBlockCodec {
      override decode(block: string, pan: string): string | undefined {
        void h.redis.hincrby(keys.card(contended.accountId, contended.cardId), 'version', 1);
        return super.decode(block, pan);
      }
    })(ZONE_KEY);
    const contendedHandler = new NetworkMessageHandler({ ...h.deps, pinBlocks: racing });
    await expectCode('contention', h.request(contended, { amountMinor: 100, pinBlock: h.pinBlocks.encode(contended.pin, contended.pan) }), '96', contendedHandler);
    expect(await h.wallet(contended.accountId)).toEqual({ ledger: 100_000n, available: 100_000n });

    expect([...seen.keys()].sort()).toEqual(['00', '05', '10', '12', '13', '14', '1A', '30', '41', '43', '51', '54', '55', '57', '61', '62', '65', '75', '78', '82', '85', '91', '94', '96'].sort());
  }, 30_000);
});

/** Every key of one account and its serialised value: equal before and after = nothing written. */
async function accountState(accountId: string): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, found] = await h.redis.scan(cursor, 'MATCH', `{a:${accountId}}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of found) state.set(key, ((await h.redis.dumpBuffer(key)) ?? Buffer.alloc(0)).toString('hex'));
  } while (cursor !== '0');
  return state;
}

describe('a 30 to a parsed message missing a mandatory field (real Redis)', () => {
  it('echoes every echoed field the request has, as every other response does, and writes nothing', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const request = h.request(card, { amountMinor: 1_250 }).delete(49);
    const before = await accountState(card.accountId);
    const response = await h.send(request);
    expect([response.mti, response.get(39)]).toEqual(['0110', '30']);
    expectEchoes(request, response);
    expect([2, 3, 4, 7, 11, 32, 37, 41, 42].filter((field) => !response.has(field))).toEqual([]);
    expect(await accountState(card.accountId)).toEqual(before);
  });

  it('is no answer at all when the missing field is the STAN or field 7 (nothing to match a 30 on)', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    expect(await h.handler.handle(h.request(card, { amountMinor: 100 }).delete(11))).toBeUndefined();
    expect(await h.handler.handle(h.request(card, { amountMinor: 100 }).delete(7))).toBeUndefined();
  });
});

describe('12 and 13 carry field 54 when the card is known (real Redis)', () => {
  const atmCash = (card: Pick<SeededCard, 'pan' | 'expiry' | 'pin'>, amountMinor: number, tags?: Record<string, string>) =>
    authorisationRequest({ pan: card.pan, expiry: card.expiry, stan: h.nextStan(), mti: '0200', processingCode: '010000', amountMinor, mcc: '6011', pinBlock: h.pinBlocks.encode(card.pin, card.pan), tags });

  it('13 (cash of 0 at the ATM) and 12 (processing code 40): the balances read from the account, nothing written, no event', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    // A hold of 12.50 makes ledger and available differ.
    expect((await h.send(h.request(card, { amountMinor: 1_250 }))).get(39)).toBe('00');
    const before = await accountState(card.accountId);
    const invalidAmount = atmCash(card, 0);
    const amountResponse = await h.send(invalidAmount);
    expect(amountResponse.get(39)).toBe('13');
    expect(amountResponse.get(54)).toBe('0001978C0000000100000002978C000000008750');
    expectEchoes(invalidAmount, amountResponse);
    const invalidTransaction = h.request(card, { amountMinor: 1_000, processingCode: '400000' });
    const transactionResponse = await h.send(invalidTransaction);
    expect(transactionResponse.get(39)).toBe('12');
    expect(balancesOf(transactionResponse)).toEqual({ ledger: 10_000n, available: 8_750n });
    expectEchoes(invalidTransaction, transactionResponse);
    // Neither registered its TI, stored a decision, moved a counter nor appended an event.
    expect(await accountState(card.accountId)).toEqual(before);
    expect((await h.send(invalidAmount.clone())).get(54)).toBe(amountResponse.get(54));
  });

  it('keep their place in the order of checks: 13 before a reused TI (94) and before the card state (41)', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const original = h.request(card, { amountMinor: 500 });
    expect((await h.send(original)).get(39)).toBe('00');
    const reused = await h.send(atmCash(card, 0, { TI: original.tag('TI')! }));
    expect([reused.get(39), balancesOf(reused)]).toEqual(['13', { ledger: 10_000n, available: 9_500n }]);
    const lost = await h.cardOn('eur-standard', 3_000n, { state: 'lost' });
    const lostAmount = await h.send(atmCash(lost, 0));
    expect([lostAmount.get(39), balancesOf(lostAmount)]).toEqual(['13', { ledger: 3_000n, available: 3_000n }]);
    const lostTransaction = await h.send(h.request(lost, { amountMinor: 100, processingCode: '400000' }));
    expect([lostTransaction.get(39), balancesOf(lostTransaction)]).toEqual(['12', { ledger: 3_000n, available: 3_000n }]);
  });

  it('a stand-in advice (0120) refused from its content: 12 / 13 with field 54 too, nothing written', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const before = await accountState(card.accountId);
    const unsupported = standInAdvice({ pan: card.pan, expiry: card.expiry, stan: h.nextStan(), amountMinor: 1_000, processingCode: '400000' });
    const response = await h.send(unsupported);
    expect([response.mti, response.get(39), balancesOf(response)]).toEqual(['0130', '12', { ledger: 10_000n, available: 10_000n }]);
    expect(await accountState(card.accountId)).toEqual(before);
  });

  it('an unknown card: 13 and 12 as before, without field 54 (and not 14: they come first)', async () => {
    const unknown = { pan: '4999990000000099', expiry: '2812', pin: '1234' };
    const amount = await h.send(atmCash(unknown, 0));
    expect([amount.get(39), amount.has(54)]).toEqual(['13', false]);
    const transaction = await h.send(authorisationRequest({ pan: unknown.pan, expiry: unknown.expiry, stan: h.nextStan(), amountMinor: 100, processingCode: '400000' }));
    expect([transaction.get(39), transaction.has(54)]).toEqual(['12', false]);
  });
});
