import * as fc from 'fast-check';
import { validMessage } from '../testing/arbitraries';
import { packFrame } from '../framing/frame-encoder';
import { FrameDecoder } from '../framing/frame-decoder';
import { messageFromJson, messageToJson } from './json';
import { pack } from './pack';
import { unpack } from './unpack';

describe('round trip (property)', () => {
  it('unpack(pack(m)) == m for random valid messages', () => {
    fc.assert(
      fc.property(validMessage, (message) => {
        const packed = pack(message);
        const unpacked = unpack(packed);
        expect(messageToJson(unpacked)).toEqual(messageToJson(message));
        expect(pack(unpacked).equals(packed)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('JSON of the route round-trips: messageFromJson(messageToJson(m)) == m', () => {
    fc.assert(
      fc.property(validMessage, (message) => {
        expect(messageToJson(messageFromJson(JSON.parse(JSON.stringify(messageToJson(message)))))).toEqual(messageToJson(message));
      }),
      { numRuns: 500 },
    );
  });

  it('frames survive any split of the stream into reads', () => {
    fc.assert(
      fc.property(fc.array(validMessage, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), (messages, cuts) => {
        const stream = Buffer.concat(messages.map((m) => packFrame(m)));
        const decoder = new FrameDecoder();
        const bodies: Buffer[] = [];
        let offset = 0;
        for (let i = 0; offset < stream.length; i++) {
          const size = cuts[i % cuts.length];
          decoder.push(stream.subarray(offset, offset + size), (body) => bodies.push(Buffer.from(body)));
          offset += size;
        }
        expect(bodies.map((body) => messageToJson(unpack(body)))).toEqual(messages.map(messageToJson));
        expect(decoder.bufferedBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
