/** Bounds shared by pack and unpack. */
export interface CodecOptions {
  /**
   * Largest message body (after the frame's 2-byte length) accepted or produced. The largest
   * message this dialect can build is about 1,500 bytes, so the default leaves room to spare while
   * bounding what one peer can make us read.
   */
  readonly maxMessageBytes: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 4096;

/** The 2-byte length prefix caps a body at 65,535 bytes whatever the options say. */
export const ABSOLUTE_MAX_MESSAGE_BYTES = 0xffff;

export const DEFAULT_CODEC_OPTIONS: CodecOptions = { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES };

export function resolveCodecOptions(options: Partial<CodecOptions> | undefined): CodecOptions {
  if (options === undefined || options.maxMessageBytes === undefined) return DEFAULT_CODEC_OPTIONS;
  const maxMessageBytes = options.maxMessageBytes;
  if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 20 || maxMessageBytes > ABSOLUTE_MAX_MESSAGE_BYTES) {
    throw new RangeError(`maxMessageBytes must be an integer between 20 and ${ABSOLUTE_MAX_MESSAGE_BYTES}`);
  }
  return { maxMessageBytes };
}
