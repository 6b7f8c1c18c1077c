/**
 * The one error type of the codec. Every way a message can fail to pack, unpack or validate ends
 * here: never a RangeError or TypeError (network-interface.md: "No malformed input may crash the
 * process").
 *
 * The error never carries a field value or raw bytes: a value may be a PAN, PIN block or CVV2,
 * and error messages end up in logs. It names the field and the byte offset instead.
 */

/** What could be read of a message before (or despite) the failure, so that a `30` can be sent. */
export interface ReadableHeader {
  readonly mti?: string;
  /** Field 11, STAN. */
  readonly stan?: string;
  /** Field 7, transmission date and time. */
  readonly transmissionDateTime?: string;
  /** Field 32, acquiring institution id. */
  readonly acquirerId?: string;
}

/** `offset` value of an error that is not tied to a byte position (JSON input, validation). */
export const NO_OFFSET = -1;

export class IsoFormatError extends Error {
  override readonly name = 'IsoFormatError';

  constructor(
    /** Why the message was refused, in words; never contains a field value. */
    readonly reason: string,
    /** Byte offset in the message body (after the frame's length prefix), or NO_OFFSET. */
    readonly offset: number,
    /** The field at fault, when there is one (0 = MTI, 1 = bitmap). */
    readonly field?: number,
    /** What was readable: lets the server answer `30` instead of dropping the message. */
    readonly readable: ReadableHeader = {},
  ) {
    super(describe(reason, offset, field));
  }

  /** A copy of this error that also carries what was readable of the message. */
  withReadable(readable: ReadableHeader): IsoFormatError {
    return new IsoFormatError(this.reason, this.offset, this.field, readable);
  }

  /** MTI, STAN and field 7 are readable: the peer can be answered `30` (network-interface.md). */
  canBeAnswered(): boolean {
    const r = this.readable;
    return r.mti !== undefined && r.stan !== undefined && r.transmissionDateTime !== undefined;
  }
}

function describe(reason: string, offset: number, field: number | undefined): string {
  const where = field === undefined ? '' : field === 0 ? 'MTI' : field === 1 ? 'bitmap' : `field ${field}`;
  const at = offset === NO_OFFSET ? '' : `at offset ${offset}`;
  const prefix = [where, at].filter((part) => part !== '').join(' ');
  return prefix === '' ? reason : `${prefix}: ${reason}`;
}
