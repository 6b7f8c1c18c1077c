import { AdditionalData } from '../spec/additional-data';
import { FIELD_CODECS } from './field-codec';
import { IsoFormatError, NO_OFFSET } from '../iso-format-error';
import { MaskedMessageView, maskedLine, maskedParts } from './masking';

/** Field 48, additional data: carried in `IsoMessage.field48`, never in `fields`. */
export const ADDITIONAL_DATA_FIELD = 48;

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * One ISO 8583 message: its MTI, its fields as wire values (a fixed field holds exactly its padded
 * wire value, as on the JSON route), and field 48 as an object of tags.
 *
 * Every string form is masked: toString(), JSON.stringify (toJSON) and util.inspect / console.log
 * show the PAN as first 6 + last 4 and no PIN block or CVV2. The clear JSON of the HTTP route
 * comes only from messageToJson, called on purpose.
 */
export class IsoMessage {
  constructor(
    /** Message type indicator, 4 digits. */
    public mti: string,
    /** Field number -> wire value, for every field but 48 (see field48). */
    readonly fields: Map<number, string> = new Map(),
    /** Field 48 tags, or undefined when the message has no field 48. */
    public field48: AdditionalData | undefined = undefined,
  ) {}

  get(field: number): string | undefined {
    return this.fields.get(field);
  }

  has(field: number): boolean {
    return field === ADDITIONAL_DATA_FIELD ? this.field48 !== undefined : this.fields.has(field);
  }

  /** Sets a wire value as is: a fixed field must already have its length (see setPadded). */
  set(field: number, value: string): this {
    if (field === ADDITIONAL_DATA_FIELD) {
      throw new IsoFormatError('field 48 is set tag by tag (setTag) or as an object (field48)', NO_OFFSET, field);
    }
    this.fields.set(field, value);
    return this;
  }

  /** Sets a value padded to the field's fixed length: zeros on the left for n, spaces on the right for an/ans. */
  setPadded(field: number, value: string): this {
    return this.set(field, padFieldValue(field, value));
  }

  delete(field: number): this {
    if (field === ADDITIONAL_DATA_FIELD) this.field48 = undefined;
    else this.fields.delete(field);
    return this;
  }

  tag(tag: string): string | undefined {
    return this.field48?.[tag];
  }

  setTag(tag: string, value: string): this {
    if (this.field48 === undefined) this.field48 = {};
    this.field48[tag] = value;
    return this;
  }

  clone(): IsoMessage {
    return new IsoMessage(this.mti, new Map(this.fields), this.field48 === undefined ? undefined : { ...this.field48 });
  }

  /** Masked, one line. */
  toString(): string {
    return `IsoMessage ${maskedLine(maskedView(this))}`;
  }

  /** JSON.stringify of a message is for logs, so it is masked; the route's JSON is messageToJson. */
  toJSON(): MaskedMessageView {
    return maskedView(this);
  }

  [INSPECT](): string {
    return this.toString();
  }
}

/** A masked copy of the message for logs (PAN first 6 + last 4, PIN block, CVV2, NP hidden). */
export function maskedView(message: IsoMessage): MaskedMessageView {
  return maskedParts(message.mti, sortedFields(message.fields), message.field48);
}

function sortedFields(fields: ReadonlyMap<number, string>): Map<number, string> {
  return new Map([...fields.entries()].sort((a, b) => a[0] - b[0]));
}

/**
 * A value brought to its field's fixed length by the field's padding (network-interface.md: `n`
 * right-aligned zero-padded, `an`/`ans` left-aligned space-padded). A value already too long is
 * returned unchanged: packing then refuses it, rather than this silently truncating it.
 */
export function padFieldValue(field: number, value: string): string {
  const codec = Number.isInteger(field) ? FIELD_CODECS[field] : undefined;
  if (codec === undefined) throw new IsoFormatError('field is not used by this dialect', NO_OFFSET, field);
  return codec.spec.lengthType === 'fixed' ? codec.pad(value, codec.spec.maxLength) : value;
}
