import { inspect } from 'util';
import { IsoFormatError } from '../iso-format-error';
import { IsoMessage, maskedView } from './iso-message';
import { messageFromJson } from './json';
import { maskPan } from './masking';

const PAN = '4999990000000001';
const PIN_BLOCK = '8F2A6C41D09B3E57';
const CVV2 = '737';
const NEW_PIN_BLOCK = '1A2B3C4D5E6F7A8B';

function sensitiveMessage(): IsoMessage {
  return new IsoMessage('0100')
    .set(2, PAN)
    .set(11, '000123')
    .set(52, PIN_BLOCK)
    .setTag('TI', '123456789012345')
    .setTag('CV', CVV2)
    .setTag('NP', NEW_PIN_BLOCK)
    .setTag('ZZ', 'SECRETSTUFF');
}

function expectNoSecrets(text: string): void {
  expect(text).not.toContain(PAN);
  expect(text).not.toContain(PAN.slice(6, 12));
  expect(text).not.toContain(PIN_BLOCK);
  expect(text).not.toContain(NEW_PIN_BLOCK);
  expect(text).not.toContain('SECRETSTUFF');
  expect(text).not.toMatch(/CV[^*]*737/);
}

describe('masking', () => {
  it('shows a PAN as first 6 + last 4', () => {
    expect(maskPan(PAN)).toBe('499999******0001');
    expect(maskPan('4999990000000000001')).toBe('499999*********0001');
    expect(maskPan('123456789012')).toBe('************');
  });

  it('masks toString, JSON.stringify, util.inspect and console-style formatting', () => {
    const message = sensitiveMessage();
    const forms = [String(message), message.toString(), JSON.stringify(message), inspect(message), inspect({ nested: message }), `${message}`];
    for (const form of forms) {
      expectNoSecrets(form);
      expect(form).toContain('499999******0001');
    }
  });

  it('masked view keeps non-sensitive values and the TI', () => {
    const view = maskedView(sensitiveMessage());
    expect(view.fields['2']).toBe('499999******0001');
    expect(view.fields['11']).toBe('000123');
    expect(view.fields['52']).toBe('****************');
    expect(view.fields['48']).toEqual({ TI: '123456789012345', CV: '***', NP: '****************', ZZ: '***********' });
  });

  it('errors from JSON input never contain a sensitive value', () => {
    const inputs = [
      { mti: '0100', fields: { '2': PAN + '0000', '11': '000123', '7': '1122101530' } },
      { mti: '0100', fields: { '2': PAN, '52': PIN_BLOCK + 'X' } },
      { mti: '0100', fields: { '2': PAN, '48': { CV: '73' } } },
    ];
    for (const input of inputs) {
      let caught: unknown;
      try {
        messageFromJson(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(IsoFormatError);
      const error = caught as IsoFormatError;
      expectNoSecrets(`${error.message} ${error.stack ?? ''} ${JSON.stringify(error)} ${inspect(error)}`);
      expect(`${error.message}`).not.toContain('73');
    }
  });
});
