import { FrameDecoder, FramingError } from './frame-decoder';
import { encodeFrame } from './frame-encoder';

function collect(decoder: FrameDecoder, chunks: Buffer[]): string[] {
  const bodies: string[] = [];
  for (const chunk of chunks) decoder.push(chunk, (body) => bodies.push(body.toString('latin1')));
  return bodies;
}

describe('FrameDecoder', () => {
  const stream = Buffer.concat([encodeFrame(Buffer.from('first')), encodeFrame(Buffer.from('second message')), encodeFrame(Buffer.from('x'))]);

  it('cuts several frames out of one read', () => {
    expect(collect(new FrameDecoder(), [stream])).toEqual(['first', 'second message', 'x']);
  });

  it('joins frames split one byte per read, header included', () => {
    const bytes = [...stream].map((byte) => Buffer.from([byte]));
    const decoder = new FrameDecoder();
    expect(collect(decoder, bytes)).toEqual(['first', 'second message', 'x']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('keeps a partial frame until the rest arrives', () => {
    const decoder = new FrameDecoder();
    expect(collect(decoder, [stream.subarray(0, 10)])).toEqual(['first']);
    expect(decoder.bufferedBytes).toBe(3);
    expect(collect(decoder, [stream.subarray(10)])).toEqual(['second message', 'x']);
  });

  it('loses framing on a length of 0, also when the header is split', () => {
    expect(() => collect(new FrameDecoder(), [Buffer.from([0, 0, 1])])).toThrow(FramingError);
    const decoder = new FrameDecoder();
    collect(decoder, [Buffer.from([0])]);
    expect(() => collect(decoder, [Buffer.from([0])])).toThrow(FramingError);
  });

  it('loses framing on a length above the maximum, before the body arrives, and stays failed', () => {
    const decoder = new FrameDecoder(100);
    let caught: unknown;
    try {
      collect(decoder, [Buffer.from([0, 101])]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FramingError);
    expect((caught as FramingError).frameLength).toBe(101);
    expect(() => collect(decoder, [encodeFrame(Buffer.from('ok'))])).toThrow(FramingError);
  });

  it('accepts a frame of exactly the maximum', () => {
    expect(collect(new FrameDecoder(3), [encodeFrame(Buffer.from('abc'))])).toEqual(['abc']);
  });
});
