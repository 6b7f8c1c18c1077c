import { IsoFormatError } from '../iso-format-error';
import { packAdditionalAmounts, signedBalanceMinor, unpackAdditionalAmounts } from './additional-amounts';
import { formatAdditionalData, packAdditionalData, parseAdditionalData, unpackAdditionalData } from './additional-data';
import { DECLARED_FIELDS, FIELD_SPECS } from './dialect';
import { packFeeAmount, unpackFeeAmount } from './fee-amount';
import { mtiPairOf, responseMtiOf } from './message-types';
import { packOriginalDataElements, padAcquirerId, unpackOriginalDataElements } from './original-data-elements';
import { packReplacementAmounts, unpackReplacementAmounts } from './replacement-amounts';

describe('the dialect table', () => {
  it('declares exactly the fields of network-interface.md', () => {
    expect(DECLARED_FIELDS).toEqual([2, 3, 4, 6, 7, 10, 11, 12, 13, 14, 18, 19, 22, 25, 28, 32, 37, 38, 39, 41, 42, 43, 48, 49, 51, 52, 54, 70, 90, 95]);
  });

  it('has the formats of the table', () => {
    expect(FIELD_SPECS[2]).toMatchObject({ format: 'n', lengthType: 'LLVAR', maxLength: 19, sensitivity: 'pan', padding: 'zero-left' });
    expect(FIELD_SPECS[28]).toMatchObject({ format: 'x+n', lengthType: 'fixed', maxLength: 9 });
    expect(FIELD_SPECS[43]).toMatchObject({ format: 'ans', maxLength: 40, padding: 'space-right' });
    expect(FIELD_SPECS[48]).toMatchObject({ lengthType: 'LLLVAR', maxLength: 999 });
    expect(FIELD_SPECS[52]).toMatchObject({ format: 'hex', maxLength: 16, sensitivity: 'secret' });
    expect(FIELD_SPECS[54]).toMatchObject({ lengthType: 'LLLVAR', maxLength: 120 });
    expect(FIELD_SPECS[95]).toMatchObject({ format: 'an', maxLength: 42 });
  });
});

describe('field 48 tags', () => {
  it('round-trips known and unknown tags in order', () => {
    const tags = { TI: '123456789012345', CV: '123', SC: 'Y', MI: 'R', IA: 'Y', PA: 'Y', DV: 'Y', NP: '0123456789abcdef', Z9: '' };
    const packed = packAdditionalData(tags);
    expect(packed.startsWith('TI015123456789012345CV003123SC001Y')).toBe(true);
    expect(unpackAdditionalData(packed)).toEqual(tags);
  });

  it.each([
    ['TI', '12345678901234'],
    ['CV', '12a'],
    ['SC', 'y'],
    ['MI', 'X'],
    ['IA', 'N'],
    ['PA', ''],
    ['DV', 'YY'],
    ['NP', '0123456789ABCDEG'],
  ])('refuses %s = %j', (tag, value) => {
    expect(typeof formatAdditionalData({ [tag]: value })).toBe('object');
    expect(() => packAdditionalData({ [tag]: value })).toThrow(IsoFormatError);
  });

  it('refuses broken TLV with the offset of the problem', () => {
    expect(parseAdditionalData('TI01')).toEqual({ offsetInValue: 0, reason: 'truncated tag header' });
    expect(parseAdditionalData('TI0x5')).toMatchObject({ offsetInValue: 2 });
    expect(parseAdditionalData('PA001YPA001Y')).toMatchObject({ offsetInValue: 6, reason: 'tag PA repeated' });
    expect(parseAdditionalData('PA002Y')).toMatchObject({ offsetInValue: 2 });
    expect(parseAdditionalData('12001Y')).toMatchObject({ offsetInValue: 0 });
  });
});

describe('field 54 balance blocks', () => {
  const blocks = [
    { accountType: '00', amountType: '01' as const, currency: '978', sign: 'C' as const, amountMinor: 12345n },
    { accountType: '00', amountType: '02' as const, currency: '978', sign: 'D' as const, amountMinor: 500n },
  ];

  it('packs and unpacks', () => {
    const packed = packAdditionalAmounts(blocks);
    expect(packed).toBe('0001978C0000000123450002978D000000000500');
    expect(unpackAdditionalAmounts(packed)).toEqual(blocks);
    expect(signedBalanceMinor(unpackAdditionalAmounts(packed)[1])).toBe(-500n);
  });

  it('refuses bad blocks', () => {
    expect(() => packAdditionalAmounts([])).toThrow(IsoFormatError);
    expect(() => packAdditionalAmounts(new Array(7).fill(blocks[0]))).toThrow(IsoFormatError);
    expect(() => packAdditionalAmounts([{ ...blocks[0], amountMinor: -1n }])).toThrow(IsoFormatError);
    expect(() => packAdditionalAmounts([{ ...blocks[0], amountMinor: 10n ** 12n }])).toThrow(IsoFormatError);
    expect(() => packAdditionalAmounts([{ ...blocks[0], currency: 'EUR' }])).toThrow(IsoFormatError);
    expect(() => unpackAdditionalAmounts('0001978C00000012345')).toThrow(IsoFormatError);
  });
});

describe('field 90 original data elements', () => {
  it('packs and unpacks, padding the acquirer id to 11 digits', () => {
    const original = { mti: '0100', stan: '000123', transmissionDateTime: '1122101530', acquirerIdPadded: padAcquirerId('12345678') };
    const packed = packOriginalDataElements(original);
    expect(packed).toBe('0100000123112210153000012345678' + '00000000000');
    expect(unpackOriginalDataElements(packed)).toEqual(original);
  });

  it('refuses bad values', () => {
    expect(() => padAcquirerId('123456789012')).toThrow(IsoFormatError);
    expect(() => padAcquirerId('')).toThrow(IsoFormatError);
    expect(() => unpackOriginalDataElements('0'.repeat(41) + '1')).toThrow(IsoFormatError);
    expect(() => packOriginalDataElements({ mti: '100', stan: '000123', transmissionDateTime: '1122101530', acquirerIdPadded: '00012345678' })).toThrow(
      IsoFormatError,
    );
  });
});

describe('field 95 replacement amounts and field 28 fee', () => {
  it('round-trip', () => {
    const amounts = { actualAmountMinor: 500n, actualBillingAmountMinor: 543n };
    expect(packReplacementAmounts(amounts)).toBe('000000000500000000000543' + '0'.repeat(18));
    expect(unpackReplacementAmounts(packReplacementAmounts(amounts))).toEqual(amounts);
    expect(packFeeAmount({ sign: 'D', amountMinor: 27n })).toBe('D00000027');
    expect(unpackFeeAmount('C00000100')).toEqual({ sign: 'C', amountMinor: 100n });
  });

  it('refuse bad values', () => {
    expect(() => packFeeAmount({ sign: 'D', amountMinor: 10n ** 8n })).toThrow(IsoFormatError);
    expect(() => unpackFeeAmount('X00000100')).toThrow(IsoFormatError);
    expect(() => unpackReplacementAmounts('1'.repeat(42))).toThrow(IsoFormatError);
  });
});

describe('MTI helpers', () => {
  it('response MTI and request/response pair', () => {
    expect(responseMtiOf('0100')).toBe('0110');
    expect(responseMtiOf('0420')).toBe('0430');
    expect(responseMtiOf('0110')).toBeUndefined();
    expect(responseMtiOf('01x0')).toBeUndefined();
    expect(mtiPairOf('0100')).toBe(mtiPairOf('0110'));
    expect(mtiPairOf('0120')).toBe(mtiPairOf('0130'));
    expect(mtiPairOf('0100')).not.toBe(mtiPairOf('0120'));
  });
});
