import { CodecOptions, resolveCodecOptions } from '../codec/codec-options';
import { IsoMessage } from '../codec/iso-message';
import { packWithHeadroom } from '../codec/pack';
import { FRAME_HEADER_BYTES } from './frame-decoder';

/** A frame: the 2-byte big-endian length, then the body (network-interface.md). */
export function encodeFrame(body: Uint8Array): Buffer {
  if (body.length === 0 || body.length > 0xffff) throw new RangeError('a frame body is 1 to 65535 bytes');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt16BE(body.length, 0);
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}

/** Packs a message straight into a frame: one buffer, the body written once. Throws IsoFormatError. */
export function packFrame(message: IsoMessage, options?: Partial<CodecOptions>): Buffer {
  const frame = packWithHeadroom(message, FRAME_HEADER_BYTES, resolveCodecOptions(options));
  frame.writeUInt16BE(frame.length - FRAME_HEADER_BYTES, 0);
  return frame;
}
