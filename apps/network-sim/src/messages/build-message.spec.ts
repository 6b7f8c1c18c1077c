import { PinBlockCodec } from '@lib/engine';
import { IsoFormatError, messageFromJson, tryUnpack, unpackOriginalDataElements, unpackReplacementAmounts, validateRequest } from '@lib/iso8583';
import { corruptAmount, corruptAmountJson } from '../link/network-driver';
import { domesticMerchants, foreignMerchant, DESTINATIONS } from '../planning/merchants';
import type { RequestSpec } from '../planning/plan';
import { buildAuthorisation, buildCompletion, buildEcho, buildIncremental, buildReversal, CardCredentials, luhnComplete, retrievalReference, unknownPan } from './build-message';

const pins = new PinBlockCodec('0123456789ABCDEFFEDCBA9876543210');
const card: CardCredentials = { cardId: 'crd1', pan: luhnComplete('499999123456789'), expiry: '2912', cvv2: '123', pin: '482913' };
const SENT = Date.parse('2026-11-23T09:15:30Z');
const ids = { stan: '000042', sentAtMs: SENT };
const encodePin = (pin: string, pan: string) => pins.encode(pin, pan);
const grocery = domesticMerchants('grocery')[0];

function req(fields: Partial<RequestSpec>): RequestSpec {
  return { mti: '0100', processing: '00', amountMinor: 1250n, currency: 'EUR', merchant: grocery, entryMode: '051', condition: '00', pin: null, cvv2: null, expiry: 'right', tags: {}, pan: 'card', ...fields };
}

describe('network messages', () => {
  it('builds a chip-and-PIN purchase with every field of the dialect, valid for the gateway', () => {
    const m = buildAuthorisation(req({ pin: 'right' }), { card, transactionId: '123450000000001', ids, encodePin });
    expect(validateRequest(m)).toBeUndefined();
    expect(m.mti).toBe('0100');
    expect(Object.fromEntries(m.fields)).toMatchObject({
      2: card.pan,
      3: '000000',
      4: '000000001250',
      7: '1123091530',
      11: '000042',
      12: '091530',
      13: '1123',
      14: '2912',
      18: '5411',
      19: '250',
      22: '051',
      25: '00',
      32: '12345678',
      37: '6327' + '09' + '000042',
      42: grocery.id,
      49: '978',
    });
    expect(m.get(43)).toHaveLength(40);
    expect(m.get(43)!.endsWith('FR')).toBe(true);
    expect(m.field48).toEqual({ TI: '123450000000001' });
    expect(pins.decode(m.get(52)!, card.pan)).toBe(card.pin);
  });

  it('sends a wrong PIN, a wrong CVV2 and a stale expiry when told to', () => {
    const m = buildAuthorisation(req({ pin: 'wrong', cvv2: 'wrong', expiry: 'wrong', entryMode: '010', condition: '59', tags: { SC: 'Y' } }), { card, transactionId: '123450000000002', ids, encodePin });
    const pin = pins.decode(m.get(52)!, card.pan);
    expect(pin).toHaveLength(card.pin.length);
    expect(pin).not.toBe(card.pin);
    expect(m.field48).toEqual({ TI: '123450000000002', CV: '234', SC: 'Y' });
    expect(m.get(14)).toBe('2401');
  });

  it('uses a never-issued, Luhn-valid card number for an unknown card', () => {
    const pan = unknownPan('123450000000003');
    expect(pan).toMatch(/^400000\d{10}$/);
    expect(luhnComplete(pan.slice(0, -1))).toBe(pan);
    expect(buildAuthorisation(req({ pan: 'unknown' }), { card, transactionId: '123450000000003', ids, encodePin }).get(2)).toBe(pan);
  });

  it('builds the stand-in advice 0120 with the network decision in 38 and 39', () => {
    const m = buildAuthorisation(req({ entryMode: '071' }), { card, transactionId: '123450000000004', ids, encodePin, standInAuthCode: 'S00001' });
    expect(m.mti).toBe('0120');
    expect(m.get(38)).toBe('S00001');
    expect(m.get(39)).toBe('00');
    expect(validateRequest(m)).toBeUndefined();
  });

  it('builds follow-ups carrying the original TI, field 90 of the original and the right amounts', () => {
    const originalMessage = buildAuthorisation(req({ condition: '06', pin: 'right', amountMinor: 20_000n }), { card, transactionId: '123450000000005', ids, encodePin });
    const original = { mti: '0100', transactionId: '123450000000005', message: originalMessage };
    const later = { stan: '000043', sentAtMs: SENT + 86_400_000 };
    const increment = buildIncremental(original, 5_000n, later);
    expect(validateRequest(increment)).toBeUndefined();
    expect(increment.field48).toEqual({ TI: '123450000000005', IA: 'Y' });
    expect(increment.get(4)).toBe('000000005000');
    expect(increment.has(52)).toBe(false);
    expect(increment.get(25)).toBe('06');

    const completion = buildCompletion(original, 18_000n, later);
    expect(validateRequest(completion)).toBeUndefined();
    expect(completion.mti).toBe('0220');
    expect(completion.get(4)).toBe('000000018000');
    const field90 = unpackOriginalDataElements(completion.get(90)!);
    expect(field90).toEqual({ mti: '0100', stan: '000042', transmissionDateTime: '1123091530', acquirerIdPadded: '00012345678' });

    const full = buildReversal('0400', original, 25_000n, 0n, later);
    expect(validateRequest(full)).toBeUndefined();
    expect(full.get(4)).toBe('000000025000');
    expect(full.has(95)).toBe(false);
    const partial = buildReversal('0420', original, 25_000n, 7_000n, later);
    expect(partial.mti).toBe('0420');
    expect(unpackReplacementAmounts(partial.get(95)!).actualAmountMinor).toBe(7_000n);
  });

  it('builds foreign messages in the destination currency and an echo', () => {
    const m = buildAuthorisation(req({ currency: 'JPY', amountMinor: 3000n, merchant: foreignMerchant(DESTINATIONS.JP, 'restaurant'), entryMode: '071' }), { card, transactionId: '123450000000006', ids, encodePin });
    expect(m.get(49)).toBe('392');
    expect(m.get(19)).toBe('392');
    expect(m.get(32)).toBe('81000001');
    const echo = buildEcho(ids, '00000001');
    expect(Object.fromEntries(echo.fields)).toEqual({ 7: '1123091530', 11: '000042', 32: '00000001', 70: '301' });
    expect(retrievalReference(SENT, '000042')).toHaveLength(12);
  });

  it('corrupts field 4 so that the codec refuses it there, on TCP bytes and on the JSON route', () => {
    const m = buildAuthorisation(req({}), { card, transactionId: '123450000000007', ids, encodePin });
    const result = tryUnpack(corruptAmount(m));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.field).toBe(4);
    const json = corruptAmountJson(m);
    expect(json.fields['4']).toBe('0000000012AB');
    try {
      messageFromJson(json);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(IsoFormatError);
      expect((error as IsoFormatError).field).toBe(4);
      expect((error as IsoFormatError).readable).toMatchObject({ mti: '0100', stan: '000042', transmissionDateTime: '1123091530' });
    }
  });
});
