import { unpackFeeAmount } from '@lib/iso8583';
import { keys } from '@lib/store';
import { balancesOf, EngineHarness, NOW } from '../testing/engine-harness';

/**
 * Cardholder verification at its boundaries (network-interface.md "PIN tries", "SCA exemption",
 * codes 54 / 57 / 82), and the services priced by the programs: PIN change, balance inquiry,
 * account verification. Real Redis.
 */
const h = new EngineHarness();
beforeAll(() => h.start('verification-test'));
afterAll(() => h.stop());
beforeEach(() => h.clock.set(NOW));

const cardVersion = async (accountId: string, cardId: string) => Number(await h.redis.hget(keys.card(accountId, cardId), 'version'));
const pinTries = (card: { accountId: string; cardId: string }) => h.redis.hget(keys.card(card.accountId, card.cardId), 'pinTries');

describe('PIN tries (real Redis)', () => {
  it('a right PIN after 2 wrong ones resets the count: two more wrong ones are 55, the third 75', async () => {
    const card = await h.cardOn('eur-standard', 100_000n);
    const atm = (pin: string) => h.request(card, { mti: '0200', processingCode: '010000', amountMinor: 1_000, mcc: '6011', pinBlock: h.pinBlocks.encode(pin, card.pan) });
    expect((await h.send(atm('000000'))).get(39)).toBe('55');
    expect((await h.send(atm('000000'))).get(39)).toBe('55');
    expect((await h.send(atm(card.pin))).get(39)).toBe('00');
    expect(await h.redis.hget(keys.card(card.accountId, card.cardId), 'pinTries')).toBe('0');
    expect((await h.send(atm('111111'))).get(39)).toBe('55');
    expect((await h.send(atm('111111'))).get(39)).toBe('55');
    expect((await h.send(atm('111111'))).get(39)).toBe('75');
    expect((await h.send(atm(card.pin))).get(39)).toBe('75');
  });

  it('does not affect transactions without a PIN while the PIN is blocked; a PIN at a POS is checked and counted', async () => {
    const card = await h.cardOn('eur-standard', 100_000n);
    const pos = (pin?: string) => h.request(card, { amountMinor: 500, entryMode: pin ? '051' : '071', ...(pin ? { pinBlock: h.pinBlocks.encode(pin, card.pan) } : {}) });
    expect((await h.send(pos('999999'))).get(39)).toBe('55');
    expect((await h.send(pos('999999'))).get(39)).toBe('55');
    expect((await h.send(pos('999999'))).get(39)).toBe('75');
    expect((await h.send(pos())).get(39)).toBe('00');
    expect((await h.send(pos(card.pin))).get(39)).toBe('75');
  });

  it('an ATM transaction without a PIN block is answered 55 (the ATM requires one) but is no try: the count is left alone', async () => {
    const card = await h.cardOn('eur-standard', 100_000n);
    const atm = (pin?: string) => h.request(card, { mti: '0200', processingCode: '010000', amountMinor: 1_000, mcc: '6011', ...(pin ? { pinBlock: h.pinBlocks.encode(pin, card.pan) } : {}) });
    expect((await h.send(atm())).get(39)).toBe('55');
    expect(await pinTries(card)).toBe('0');
    expect((await h.send(atm('000000'))).get(39)).toBe('55');
    expect((await h.send(atm('000000'))).get(39)).toBe('55');
    // Two wrong tries counted: a third message without a PIN is still 55, not the third wrong PIN.
    expect((await h.send(atm())).get(39)).toBe('55');
    expect(await pinTries(card)).toBe('2');
    expect((await h.send(atm(card.pin))).get(39)).toBe('00');
    expect(await pinTries(card)).toBe('0');
  });

  it('a PIN on a message declined before the PIN check (57, 54) is no try: after two of them a wrong PIN is 55, not 75', async () => {
    const card = await h.cardOn('eur-standard', 100_000n);
    const pos = (pin: string, o: { mcc?: string; expiry?: string } = {}) => h.request(card, { amountMinor: 500, entryMode: '051', pinBlock: h.pinBlocks.encode(pin, card.pan), ...o });
    // 5967 is a restricted category (57); field 14 not matching the card is 54.
    expect((await h.send(pos('999999', { mcc: '5967' }))).get(39)).toBe('57');
    expect((await h.send(pos('999999', { expiry: '0101' }))).get(39)).toBe('54');
    expect(await pinTries(card)).toBe('0');
    expect((await h.send(pos('999999'))).get(39)).toBe('55');
    expect(await pinTries(card)).toBe('1');
  });

  it('a right PIN resets the count where the PIN check is reached: not on a reused TI (94), but on a later decline (51)', async () => {
    const card = await h.cardOn('eur-standard', 1_000n);
    const pos = (pin: string, amountMinor = 500, tags: Record<string, string> = {}) => h.request(card, { amountMinor, entryMode: '051', pinBlock: h.pinBlocks.encode(pin, card.pan), tags });
    const first = pos('999999');
    expect((await h.send(first)).get(39)).toBe('55');
    expect((await h.send(pos('999999'))).get(39)).toBe('55');
    // A different original with the first one's TI: 94 comes before the PIN check.
    expect((await h.send(pos(card.pin, 600, { TI: first.tag('TI')! }))).get(39)).toBe('94');
    expect(await pinTries(card)).toBe('2');
    // The balance (10.00) cannot take 50.00: 51 comes after the PIN check, the right PIN resets.
    expect((await h.send(pos(card.pin, 5_000))).get(39)).toBe('51');
    expect(await pinTries(card)).toBe('0');
    expect((await h.send(pos('999999'))).get(39)).toBe('55');
  });
});

describe('PIN change, processing 92 (real Redis)', () => {
  const pinChange = (card: { pan: string; pin: string; expiry: string }, current: string, next?: string) =>
    h.request(card as never, {
      processingCode: '920000',
      amountMinor: 0,
      mcc: '6011',
      pinBlock: h.pinBlocks.encode(current, card.pan),
      tags: next === undefined ? {} : { NP: h.pinBlocks.encode(next, card.pan) },
    });

  it('verifies the current PIN (field 52), stores the new one (field 48 NP), bumps the card version, charges 0.50', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const version = await cardVersion(card.accountId, card.cardId);
    const response = await h.send(pinChange(card, card.pin, '654321'));
    expect(response.get(39)).toBe('00');
    expect(unpackFeeAmount(response.get(28)!)).toEqual({ sign: 'D', amountMinor: 50n });
    expect(balancesOf(response)).toEqual({ ledger: 9_950n, available: 9_950n });
    expect(await cardVersion(card.accountId, card.cardId)).toBe(version + 1);
    expect(await h.redis.hget(keys.card(card.accountId, card.cardId), 'pinCheck')).toBe(h.secrets.pinCheck(card.pan, '654321'));
    const atm = (pin: string) => h.request(card, { mti: '0200', processingCode: '010000', amountMinor: 1_000, mcc: '6011', pinBlock: h.pinBlocks.encode(pin, card.pan) });
    expect((await h.send(atm(card.pin))).get(39)).toBe('55');
    expect((await h.send(atm('654321'))).get(39)).toBe('00');
  });

  it('answers 55 with a wrong current PIN (counted, nothing changed, no fee), 30 without a readable NP', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const wrong = await h.send(pinChange(card, '000001', '654321'));
    expect(wrong.get(39)).toBe('55');
    expect(wrong.has(28)).toBe(false);
    expect(await h.redis.hget(keys.card(card.accountId, card.cardId), 'pinCheck')).toBe(h.secrets.pinCheck(card.pan, card.pin));
    expect(await h.redis.hget(keys.card(card.accountId, card.cardId), 'pinTries')).toBe('1');
    expect((await h.send(pinChange(card, card.pin))).get(39)).toBe('30');
    const garbled = pinChange(card, card.pin, '654321');
    garbled.setTag('NP', 'FFFFFFFFFFFFFFFF');
    expect((await h.send(garbled)).get(39)).toBe('30');
    expect(await h.wallet(card.accountId)).toEqual({ ledger: 10_000n, available: 10_000n });
  });
});

describe('balance inquiry and account verification (real Redis)', () => {
  it('balance inquiry (31) at an ATM: 0.50 fee posted, balances after in field 54; also as a 0200', async () => {
    const card = await h.cardOn('eur-standard', 10_000n);
    const inquiry = (mti: '0100' | '0200', code: string) => h.request(card, { mti, processingCode: code, amountMinor: 0, mcc: '6011', pinBlock: h.pinBlocks.encode(card.pin, card.pan) });
    const response = await h.send(inquiry('0100', '310000'));
    expect(response.get(39)).toBe('00');
    expect(unpackFeeAmount(response.get(28)!)).toEqual({ sign: 'D', amountMinor: 50n });
    expect(balancesOf(response)).toEqual({ ledger: 9_950n, available: 9_950n });
    expect(await h.holds(card.accountId)).toHaveLength(0);
    expect(balancesOf(await h.send(inquiry('0200', '310000')))).toEqual({ ledger: 9_900n, available: 9_900n });
    // Available-funds inquiry (30): the same fee row.
    expect(balancesOf(await h.send(inquiry('0100', '300000')))).toEqual({ ledger: 9_850n, available: 9_850n });
  });

  it('balance inquiry on the travel program: no fee (seed 002 lists none)', async () => {
    const card = await h.cardOn('travel-multicurrency', 10_000n);
    const response = await h.send(h.request(card, { processingCode: '310000', amountMinor: 0, mcc: '6011', pinBlock: h.pinBlocks.encode(card.pin, card.pan) }));
    expect(response.get(39)).toBe('00');
    expect(response.has(28)).toBe(false);
    expect(balancesOf(response)).toEqual({ ledger: 10_000n, available: 10_000n });
  });

  it('account verification (amount 0): 85, nothing held, no fee, no counter moved; in e-commerce without SCA too', async () => {
    const card = await h.cardOn('eur-standard', 10_000n, { form: 'virtual' });
    const response = await h.send(h.request(card, { amountMinor: 0, entryMode: '010', condition: '59', tags: { CV: card.cvv2 } }));
    expect(response.get(39)).toBe('85');
    expect(response.get(38)).toMatch(/^[A-Z0-9]{6}$/);
    expect(response.has(28)).toBe(false);
    expect(balancesOf(response)).toEqual({ ledger: 10_000n, available: 10_000n });
    expect(await h.holds(card.accountId)).toHaveLength(0);
    expect(await h.redis.hget(keys.card(card.accountId, card.cardId), 'scaExemptCount')).toBe('0');
    expect(await h.redis.get(keys.counter(card.accountId, 'payment.count.day:2026-11-22'))).toBeNull();
  });
});

describe('SCA exemption boundaries (real Redis)', () => {
  const web = (card: { pan: string; cvv2: string; expiry: string }, amountMinor: number, tags: Record<string, string> = {}) =>
    h.request(card as never, { amountMinor, entryMode: '010', condition: '59', tags: { CV: card.cvv2, ...tags } });

  it('5 exempted payments pass, the 6th is 1A; SC=Y resets the count', async () => {
    const card = await h.cardOn('eur-standard', 100_000n, { form: 'virtual' });
    for (let i = 0; i < 5; i++) expect((await h.send(web(card, 100))).get(39)).toBe('00');
    expect((await h.send(web(card, 100))).get(39)).toBe('1A');
    expect((await h.send(web(card, 100, { SC: 'Y' }))).get(39)).toBe('00');
    for (let i = 0; i < 5; i++) expect((await h.send(web(card, 100))).get(39)).toBe('00');
    expect((await h.send(web(card, 100))).get(39)).toBe('1A');
  });

  it('a total of exactly 100.00 since the last SCA passes, 100.01 is 1A', async () => {
    const card = await h.cardOn('eur-standard', 100_000n, { form: 'virtual' });
    for (const amount of [3_000, 3_000, 3_000, 999]) expect((await h.send(web(card, amount))).get(39)).toBe('00');
    expect((await h.send(web(card, 2))).get(39)).toBe('1A');
    expect((await h.send(web(card, 1))).get(39)).toBe('00');
    expect(await h.redis.hmget(keys.card(card.accountId, card.cardId), 'scaExemptCount', 'scaExemptSumMinor')).toEqual(['5', '10000']);
  });

  it('counts per card, only approved payments, and leaves merchant-initiated payments out of scope', async () => {
    const first = await h.cardOn('eur-standard', 10_000n, { form: 'virtual' });
    const second = await h.cardOn('eur-standard', 0n, { form: 'physical' }, first.accountId);
    for (let i = 0; i < 5; i++) await h.send(web(first, 100));
    expect((await h.send(web(first, 100))).get(39)).toBe('1A');
    expect((await h.send(web(second, 100))).get(39)).toBe('00');
    expect(await h.redis.hget(keys.card(second.accountId, second.cardId), 'scaExemptCount')).toBe('1');
    // Declined for funds (20.00 available, 25.00 asked): not counted.
    const poor = await h.cardOn('eur-standard', 2_000n, { form: 'virtual' });
    expect((await h.send(web(poor, 2_500))).get(39)).toBe('51');
    expect(await h.redis.hget(keys.card(poor.accountId, poor.cardId), 'scaExemptCount')).toBe('0');
    // A merchant-initiated (recurring) charge above 30.00 without SC: out of scope.
    expect((await h.send(web(first, 4_000, { MI: 'R' }))).get(39)).toBe('00');
  });

  it('takes MI=C (cardholder-initiated, stored credentials) as in scope; MI=R and MI=I are out of scope', async () => {
    const card = await h.cardOn('eur-standard', 100_000n, { form: 'virtual' });
    expect((await h.send(web(card, 4_000, { MI: 'C' }))).get(39)).toBe('1A');
    expect((await h.send(web(card, 4_000, { MI: 'C', SC: 'Y' }))).get(39)).toBe('00');
    expect((await h.send(web(card, 100, { MI: 'C' }))).get(39)).toBe('00');
    expect(await h.redis.hget(keys.card(card.accountId, card.cardId), 'scaExemptCount')).toBe('1');
    expect((await h.send(web(card, 4_000, { MI: 'I' }))).get(39)).toBe('00');
    expect((await h.send(web(card, 4_000, { MI: 'R' }))).get(39)).toBe('00');
    expect(await h.redis.hget(keys.card(card.accountId, card.cardId), 'scaExemptCount')).toBe('1');
  });

  it('leaves refunds out of scope: a 50.00 e-commerce refund without SC is approved, small ones use no exemption', async () => {
    const card = await h.cardOn('eur-standard', 100_000n, { form: 'virtual' });
    const refund = (amountMinor: number) => h.request(card, { processingCode: '200000', amountMinor, entryMode: '010', condition: '59', tags: { CV: card.cvv2 } });
    expect((await h.send(refund(5_000))).get(39)).toBe('00');
    for (let i = 0; i < 6; i++) expect((await h.send(refund(100))).get(39)).toBe('00');
    expect(await h.redis.hmget(keys.card(card.accountId, card.cardId), 'scaExemptCount', 'scaExemptSumMinor')).toEqual(['0', '0']);
    for (let i = 0; i < 5; i++) expect((await h.send(web(card, 100))).get(39)).toBe('00');
  });

  it('without a reference rate to measure a foreign amount against the EUR ceilings, no exemption: 1A', async () => {
    const card = await h.cardOn('travel-multicurrency', 0n);
    await h.load(card.accountId, 50_000, 'USD');
    // Before the first day of the reference rates (config/fx): a USD payment from the USD wallet.
    h.clock.set(Date.UTC(2026, 9, 1, 10, 0, 0));
    const payment = h.request(card, { amountMinor: 1_000, currencyNumeric: '840', entryMode: '010', condition: '59', tags: { CV: card.cvv2 } });
    expect((await h.send(payment)).get(39)).toBe('1A');
    expect(await h.wallet(card.accountId, 'USD')).toEqual({ ledger: 50_000n, available: 50_000n });
  });
});

describe('channel, consent, CVV2 and expiry (real Redis)', () => {
  it('a revoked recurring consent declines later MI=R and MI=I charges from that merchant (57), nothing else', async () => {
    const card = await h.cardOn('eur-standard', 100_000n, { form: 'virtual' });
    const other = await h.cardOn('eur-standard', 0n, { form: 'physical' }, card.accountId);
    const recurring = (c: typeof card, merchantId: string, mi: string) => h.request(c, { amountMinor: 999, entryMode: '010', condition: '59', merchantId, tags: { MI: mi } });
    // As the back office writes it (revoke-consent route, merchant id as field 42 trimmed).
    await h.redis.hset(keys.revokedConsents(card.accountId, card.cardId), 'GYM0042', String(NOW));
    expect((await h.send(recurring(card, 'GYM0042', 'R'))).get(39)).toBe('57');
    expect((await h.send(recurring(card, 'GYM0043', 'R'))).get(39)).toBe('00');
    // Instalments (MI=I) are merchant-initiated charges on the stored card too: declined after revocation.
    expect((await h.send(recurring(card, 'GYM0042', 'I'))).get(39)).toBe('57');
    expect((await h.send(recurring(card, 'GYM0043', 'I'))).get(39)).toBe('00');
    // MI=C is a payment the cardholder initiates with stored credentials: the consent does not govern it.
    const stored = recurring(card, 'GYM0042', 'C');
    stored.setTag('SC', 'Y');
    expect((await h.send(stored)).get(39)).toBe('00');
    expect((await h.send(recurring(other, 'GYM0042', 'R'))).get(39)).toBe('00');
  });

  it('POS needs contactless or chip+PIN: chip without a PIN is 55 (no try counted), magnetic stripe is 57', async () => {
    const card = await h.cardOn('eur-standard', 100_000n);
    const pos = (entryMode: string, pin?: string, o: Partial<Parameters<typeof h.request>[1]> = {}) =>
      h.request(card, { amountMinor: 700, entryMode, ...(pin ? { pinBlock: h.pinBlocks.encode(pin, card.pan) } : {}), ...o });
    const code = async (message: ReturnType<typeof pos>) => (await h.send(message)).get(39);
    expect(await code(pos('071'))).toBe('00');
    expect(await code(pos('051', card.pin))).toBe('00');
    expect(await code(pos('051'))).toBe('55');
    expect(await code(pos('050'))).toBe('55');
    expect(await pinTries(card)).toBe('0');
    expect(await code(pos('901'))).toBe('57');
    expect(await code(pos('901', card.pin))).toBe('57');
    // A refund read from the chip needs no PIN: the cardholder receives money.
    expect(await code(pos('051', undefined, { processingCode: '200000' }))).toBe('00');
    // Nothing was held or counted for the declined ones: 2 payments of 7.00 were approved.
    expect(await h.redis.hget(keys.balances(card.accountId), 'EUR:avail')).toBe(String(100_000 - 2 * 700));
  });

  it('answers 82 for a wrong CVV2 and 54 for a card used after the end of its expiry month', async () => {
    const card = await h.cardOn('eur-standard', 100_000n, { form: 'virtual', expiry: '2611' });
    const wrongCvv2 = card.cvv2 === '000' ? '001' : '000';
    expect((await h.send(h.request(card, { amountMinor: 100, entryMode: '010', condition: '59', tags: { CV: wrongCvv2, SC: 'Y' } }))).get(39)).toBe('82');
    // Last day of November 2026 (Paris): still valid; 1 December: expired.
    h.clock.set(Date.UTC(2026, 10, 30, 22, 59, 0));
    expect((await h.send(h.request(card, { amountMinor: 100, entryMode: '010', condition: '59', tags: { CV: card.cvv2, SC: 'Y' } }))).get(39)).toBe('00');
    h.clock.set(Date.UTC(2026, 10, 30, 23, 0, 0));
    expect((await h.send(h.request(card, { amountMinor: 100, entryMode: '010', condition: '59', tags: { CV: card.cvv2, SC: 'Y' } }))).get(39)).toBe('54');
  });
});
