import { TAG_SPECS } from '../spec/additional-data';
import { isNetworkManagementCode, MessageTypeSpec, REQUEST_TYPES, RESPONSE_TYPES } from '../spec/message-types';
import { IsoFormatError, NO_OFFSET, ReadableHeader } from '../iso-format-error';
import { IsoMessage } from './iso-message';

/**
 * The second step after unpacking: is this well-formed message one the dialect accepts here?
 * A missing mandatory field is a format error like any other (network-interface.md: "a mandatory
 * field missing" gets `30`). Returns the problem, or undefined when the message is acceptable.
 */
export function validateRequest(message: IsoMessage): IsoFormatError | undefined {
  const spec = REQUEST_TYPES[message.mti];
  if (spec === undefined) return problem(message, `MTI ${safeMti(message.mti)} is not a request of this dialect`, 0);
  return checkMandatory(message, spec) ?? checkNetworkManagement(message);
}

/** A response must carry fields 7, 11 and 39 (the client matches on 7, 11 and 32). */
export function validateResponse(message: IsoMessage): IsoFormatError | undefined {
  const spec = RESPONSE_TYPES[message.mti];
  if (spec === undefined) return problem(message, `MTI ${safeMti(message.mti)} is not a response of this dialect`, 0);
  return checkMandatory(message, spec);
}

function checkMandatory(message: IsoMessage, spec: MessageTypeSpec): IsoFormatError | undefined {
  for (const field of spec.mandatoryFields) {
    if (!message.has(field)) return problem(message, `mandatory in ${spec.mti}, missing`, field);
  }
  for (const tag of spec.mandatoryTags) {
    if (message.tag(tag) === undefined) return problem(message, `tag ${tag} (${TAG_SPECS[tag]?.meaning ?? tag}) mandatory in ${spec.mti}, missing`, 48);
  }
  return undefined;
}

function checkNetworkManagement(message: IsoMessage): IsoFormatError | undefined {
  if (message.mti !== '0800') return undefined;
  return isNetworkManagementCode(message.get(70)) ? undefined : problem(message, 'must be 001 (sign-on), 002 (sign-off) or 301 (echo)', 70);
}

function problem(message: IsoMessage, reason: string, field: number): IsoFormatError {
  return new IsoFormatError(reason, NO_OFFSET, field, readableOf(message));
}

/** An MTI is quoted in errors only when it is 4 digits: input never reaches an error message raw. */
function safeMti(mti: string): string {
  return /^[0-9]{4}$/.test(mti) ? mti : '(invalid)';
}

/** Fields 7, 11, 32 and the MTI of a parsed message, for a `30` answer. */
export function readableOf(message: IsoMessage): ReadableHeader {
  return {
    mti: /^[0-9]{4}$/.test(message.mti) ? message.mti : undefined,
    stan: message.get(11),
    transmissionDateTime: message.get(7),
    acquirerId: message.get(32),
  };
}
