import { IsoFormatError, NO_OFFSET } from '../iso-format-error';
import { messageFromJson, messageToJson } from './json';

const ROUTE_EXAMPLE = {
  mti: '0100',
  fields: {
    '2': '4999990000000001',
    '3': '000000',
    '4': '000000001250',
    '7': '1122101530',
    '11': '000123',
    '14': '2812',
    '18': '5411',
    '19': '250',
    '22': '071',
    '25': '00',
    '32': '12345678',
    '37': '233110000123',
    '41': 'TERM0001',
    '42': 'MERCHANT0000001',
    '43': 'SUPERMARCHE PARIS        PARIS        FR',
    '48': { TI: '123456789012345' },
    '49': '978',
  },
};

function jsonError(input: unknown): IsoFormatError {
  try {
    messageFromJson(input);
  } catch (error) {
    expect(error).toBeInstanceOf(IsoFormatError);
    return error as IsoFormatError;
  }
  throw new Error('expected a refusal');
}

describe('JSON of the HTTP route (http-and-events.md)', () => {
  it('reads the example of http-and-events.md and gives it back unchanged', () => {
    const message = messageFromJson(ROUTE_EXAMPLE);
    expect(message.get(2)).toBe('4999990000000001');
    expect(message.tag('TI')).toBe('123456789012345');
    expect(messageToJson(message)).toEqual(ROUTE_EXAMPLE);
    expect(Object.keys(messageToJson(message).fields)).toEqual(Object.keys(ROUTE_EXAMPLE.fields));
  });

  it('applies the same checks as the wire, naming the field', () => {
    const tooLongPan = { ...ROUTE_EXAMPLE, fields: { ...ROUTE_EXAMPLE.fields, '2': '49999900000000010000' } };
    expect(jsonError(tooLongPan)).toMatchObject({ field: 2, offset: NO_OFFSET });
    const shortAmount = { ...ROUTE_EXAMPLE, fields: { ...ROUTE_EXAMPLE.fields, '4': '1250' } };
    expect(jsonError(shortAmount)).toMatchObject({ field: 4 });
    const badTag = { ...ROUTE_EXAMPLE, fields: { ...ROUTE_EXAMPLE.fields, '48': { TI: '1' } } };
    expect(jsonError(badTag)).toMatchObject({ field: 48 });
  });

  it('carries MTI, 11, 7 and 32 when readable so the route can answer 30', () => {
    const bad = { ...ROUTE_EXAMPLE, fields: { ...ROUTE_EXAMPLE.fields, '4': 'abc' } };
    const error = jsonError(bad);
    expect(error.readable).toEqual({ mti: '0100', stan: '000123', transmissionDateTime: '1122101530', acquirerId: '12345678' });
    expect(error.canBeAnswered()).toBe(true);
  });

  it('refuses malformed shapes without a readable header (the route answers 400)', () => {
    const shapes: unknown[] = [
      null,
      'x',
      [],
      { mti: 100, fields: {} },
      { mti: '0100' },
      { mti: '0100', fields: [] },
      { mti: '0100', fields: { '02': '1' } },
      { mti: '0100', fields: { '1': 'x' } },
      { mti: '0100', fields: { '129': 'x' } },
      { mti: '0100', fields: { x: 'x' } },
      { mti: '0100', fields: { '4': 1250 } },
      { mti: '0100', fields: { '48': 'TI015123456789012345' } },
      { mti: '0100', fields: { '48': { TI: 1 } } },
      { mti: '0100', fields: { '48': JSON.parse('{"__proto__": "x"}') } },
    ];
    for (const shape of shapes) {
      const error = jsonError(shape);
      expect(error.canBeAnswered()).toBe(false);
    }
  });
});
