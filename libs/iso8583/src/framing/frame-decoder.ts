import { DEFAULT_MAX_MESSAGE_BYTES } from '../codec/codec-options';

/**
 * Frames on the wire (network-interface.md): a 2-byte unsigned big-endian length of what follows,
 * then the message. TCP delivers bytes, not frames: one read may hold half a frame or several.
 */
export const FRAME_HEADER_BYTES = 2;

/**
 * The stream cannot be cut into frames any more: a length of 0 or above the maximum means the
 * reader is not where a frame starts. Nothing after it can be trusted; the caller closes the
 * connection (network-interface.md: "the connection stays up unless framing itself is lost").
 */
export class FramingError extends Error {
  override readonly name = 'FramingError';

  constructor(
    readonly reason: string,
    /** The length prefix read. */
    readonly frameLength: number,
  ) {
    super(`framing lost: ${reason}`);
  }
}

/**
 * Cuts a byte stream into frame bodies. A complete frame inside one chunk is handed out as a view
 * of that chunk (no copy); bytes of a frame split across reads are kept and joined once the frame
 * is complete, so a frame arriving one byte per read costs O(length), not O(length^2).
 */
export class FrameDecoder {
  private readonly parts: Buffer[] = [];
  private partsBytes = 0;
  private broken = false;

  constructor(readonly maxFrameBytes: number = DEFAULT_MAX_MESSAGE_BYTES) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1 || maxFrameBytes > 0xffff) {
      throw new RangeError('maxFrameBytes must be an integer between 1 and 65535');
    }
  }

  /** Bytes held of an incomplete frame. */
  get bufferedBytes(): number {
    return this.partsBytes;
  }

  /**
   * Feeds one read; calls onFrame for each complete frame body, in order. Throws FramingError
   * (and refuses every later call) when a length prefix is 0 or above maxFrameBytes.
   */
  push(chunk: Buffer, onFrame: (body: Buffer) => void): void {
    if (this.broken) throw new FramingError('decoder already failed', 0);
    let data = chunk;
    if (this.partsBytes > 0) {
      if (!this.completesPending(chunk)) return;
      data = this.takePending(chunk);
    }
    let offset = 0;
    while (data.length - offset >= FRAME_HEADER_BYTES) {
      const frameLength = data.readUInt16BE(offset);
      this.checkLength(frameLength);
      const frameEnd = offset + FRAME_HEADER_BYTES + frameLength;
      if (frameEnd > data.length) break;
      onFrame(data.subarray(offset + FRAME_HEADER_BYTES, frameEnd));
      offset = frameEnd;
    }
    if (offset < data.length) this.keep(data.subarray(offset));
  }

  private checkLength(frameLength: number): void {
    if (frameLength === 0 || frameLength > this.maxFrameBytes) {
      this.broken = true;
      throw new FramingError(frameLength === 0 ? 'frame length 0' : `frame length ${frameLength} above the maximum of ${this.maxFrameBytes}`, frameLength);
    }
  }

  /** Whether pending bytes plus this chunk hold a whole frame (or at least a header to judge). */
  private completesPending(chunk: Buffer): boolean {
    const total = this.partsBytes + chunk.length;
    if (total < FRAME_HEADER_BYTES) {
      this.keep(chunk);
      return false;
    }
    const frameLength = this.peekLength(chunk);
    this.checkLength(frameLength);
    if (total < FRAME_HEADER_BYTES + frameLength) {
      this.keep(chunk);
      return false;
    }
    return true;
  }

  private peekLength(chunk: Buffer): number {
    const first = this.parts[0];
    const high = first[0];
    const low = first.length > 1 ? first[1] : this.parts.length > 1 ? this.parts[1][0] : chunk[0];
    return (high << 8) | low;
  }

  private takePending(chunk: Buffer): Buffer {
    this.parts.push(chunk);
    const joined = Buffer.concat(this.parts, this.partsBytes + chunk.length);
    this.parts.length = 0;
    this.partsBytes = 0;
    return joined;
  }

  private keep(bytes: Buffer): void {
    // A copy: the socket may reuse or the caller may hold on to the chunk's memory.
    this.parts.push(Buffer.from(bytes));
    this.partsBytes += bytes.length;
  }
}
