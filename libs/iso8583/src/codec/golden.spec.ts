import { goldenBody, loadGoldenVectors } from '../testing/golden-vectors';
import { messageFromJson, messageToJson } from './json';
import { pack } from './pack';
import { unpack } from './unpack';
import { validateRequest, validateResponse } from './validate';
import { packFrame } from '../framing/frame-encoder';
import { unpackAdditionalAmounts } from '../spec/additional-amounts';
import { unpackFeeAmount } from '../spec/fee-amount';
import { unpackOriginalDataElements } from '../spec/original-data-elements';
import { unpackReplacementAmounts } from '../spec/replacement-amounts';
import { responseMtiOf } from '../spec/message-types';

/**
 * Golden vectors (test-fixtures/golden): bytes written by hand, bitmaps computed by hand (each
 * fixture's note shows the nibbles). Packing the decoded form must give exactly these bytes, and
 * unpacking the bytes exactly the decoded form.
 */
const vectors = loadGoldenVectors();

describe('golden vectors', () => {
  it('cover every message type of network-interface.md', () => {
    const mtis = new Set(vectors.map((v) => v.message.mti));
    for (const mti of ['0100', '0110', '0120', '0130', '0200', '0210', '0220', '0230', '0400', '0410', '0420', '0430', '0800', '0810']) {
      expect(mtis).toContain(mti);
    }
  });

  describe.each(vectors.map((v) => [v.file, v] as const))('%s', (_file, vector) => {
    const body = goldenBody(vector);

    it('packs to the hand-written bytes', () => {
      expect(pack(messageFromJson(vector.message)).toString('latin1')).toBe(body.toString('latin1'));
    });

    it('unpacks to the hand-written message', () => {
      expect(messageToJson(unpack(body))).toEqual(vector.message);
    });

    it('frames with a 2-byte big-endian length of the body', () => {
      const frame = packFrame(messageFromJson(vector.message));
      expect(frame.readUInt16BE(0)).toBe(body.length);
      expect(frame.subarray(2).equals(body)).toBe(true);
    });

    it('passes the validation of its message type', () => {
      const message = unpack(body);
      const problem = responseMtiOf(message.mti) === undefined ? validateResponse(message) : validateRequest(message);
      expect(problem).toBeUndefined();
    });
  });
});

describe('typed values inside the golden vectors', () => {
  const byFile = new Map(vectors.map((v) => [v.file, unpack(goldenBody(v))]));

  it('0110: field 54 balance blocks, field 28 fee', () => {
    const response = byFile.get('0110-approved-fx.json')!;
    expect(unpackAdditionalAmounts(response.get(54)!)).toEqual([
      { accountType: '00', amountType: '01', currency: '840', sign: 'C', amountMinor: 100000n },
      { accountType: '00', amountType: '02', currency: '840', sign: 'C', amountMinor: 98617n },
    ]);
    expect(unpackFeeAmount(response.get(28)!)).toEqual({ sign: 'D', amountMinor: 27n });
  });

  it('0400: field 90 original data elements, field 95 replacement amounts', () => {
    const reversal = byFile.get('0400-partial-reversal.json')!;
    expect(unpackOriginalDataElements(reversal.get(90)!)).toEqual({
      mti: '0100',
      stan: '000123',
      transmissionDateTime: '1122101530',
      acquirerIdPadded: '00012345678',
    });
    expect(unpackReplacementAmounts(reversal.get(95)!)).toEqual({ actualAmountMinor: 500n, actualBillingAmountMinor: 500n });
  });

  it('0100 pre-authorisation and incremental: field 48 tags', () => {
    expect(byFile.get('0100-pre-authorisation.json')!.field48).toEqual({ TI: '223456789012345', PA: 'Y' });
    expect(byFile.get('0100-incremental.json')!.field48).toEqual({ TI: '223456789012345', IA: 'Y' });
  });
});
