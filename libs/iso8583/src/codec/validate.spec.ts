import { goldenBody, loadGoldenVectors } from '../testing/golden-vectors';
import { IsoMessage } from './iso-message';
import { unpack } from './unpack';
import { validateRequest, validateResponse } from './validate';
import { REQUEST_TYPES } from '../spec/message-types';

const vectors = new Map(loadGoldenVectors().map((v) => [v.file, v]));
const load = (file: string): IsoMessage => unpack(goldenBody(vectors.get(file)!));

describe('validateRequest: mandatory fields per MTI', () => {
  it.each(Object.values(REQUEST_TYPES).map((spec) => [spec.mti, spec] as const))('%s: each mandatory field missing is reported', (mti, spec) => {
    const golden = [...vectors.values()].find((v) => v.message.mti === mti)!;
    const complete = unpack(goldenBody(golden));
    expect(validateRequest(complete)).toBeUndefined();
    for (const field of spec.mandatoryFields) {
      const problem = validateRequest(complete.clone().delete(field));
      expect(problem).toMatchObject({ field });
      expect(problem!.reason).toContain('missing');
    }
  });

  it('reports a missing TI', () => {
    const message = load('0100-purchase.json');
    message.field48 = { PA: 'Y' };
    expect(validateRequest(message)).toMatchObject({ field: 48, reason: expect.stringContaining('TI') });
  });

  it('carries 7, 11 and 32 for the 30 answer', () => {
    const problem = validateRequest(load('0100-purchase.json').delete(49))!;
    expect(problem.readable).toEqual({ mti: '0100', stan: '000123', transmissionDateTime: '1122101530', acquirerId: '12345678' });
    expect(problem.canBeAnswered()).toBe(true);
  });

  it('refuses a response or an unknown MTI as a request, and a bad network management code', () => {
    expect(validateRequest(load('0110-approved-fx.json'))).toMatchObject({ field: 0 });
    expect(validateRequest(new IsoMessage('0300').set(7, '1122101530').set(11, '000001'))).toMatchObject({ field: 0 });
    expect(validateRequest(load('0800-sign-on.json').set(70, '999'))).toMatchObject({ field: 70 });
  });
});

describe('validateResponse', () => {
  it('needs 7, 11 and 39', () => {
    const response = load('0810-sign-on-response.json');
    expect(validateResponse(response)).toBeUndefined();
    expect(validateResponse(response.clone().delete(39))).toMatchObject({ field: 39 });
    expect(validateResponse(load('0800-sign-on.json'))).toMatchObject({ field: 0 });
  });
});
