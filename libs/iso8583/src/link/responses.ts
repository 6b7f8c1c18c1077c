import { IsoMessage } from '../codec/iso-message';
import { ReadableHeader } from '../iso-format-error';
import { responseMtiOf } from '../spec/message-types';

/**
 * Fields every response echoes from its request (network-interface.md: "every response echoes the
 * request's fields 2, 3, 4 ..., 7, 11, 32, 37, 41, 42 and 49").
 */
export const ECHOED_FIELDS: readonly number[] = [2, 3, 4, 7, 11, 32, 37, 41, 42, 49];

const TRANSMISSION_DATE_TIME = 7;
const STAN = 11;
const FORMAT_ERROR = '30';

/**
 * A response to `request` with the echoed fields and field 39, for handlers and for the link's own
 * `96` answers. Returns undefined when the request's MTI has no response (it is a response itself).
 */
export function buildResponse(request: IsoMessage, responseCode: string): IsoMessage | undefined {
  const mti = responseMtiOf(request.mti);
  if (mti === undefined) return undefined;
  const response = new IsoMessage(mti);
  for (const field of ECHOED_FIELDS) {
    const value = request.get(field);
    if (value !== undefined) response.fields.set(field, value);
  }
  response.fields.set(39, responseCode);
  return response;
}

/**
 * The `30` answer to a message that could not be read in full (network-interface.md): response
 * MTI, the readable fields 7, 11 and 32, and 39 = 30. Undefined when MTI, STAN or field 7 is not
 * readable, or the MTI is a response: such a message is dropped and counted.
 */
export function buildFormatErrorResponse(readable: ReadableHeader): IsoMessage | undefined {
  const { mti, stan, transmissionDateTime, acquirerId } = readable;
  if (mti === undefined || stan === undefined || transmissionDateTime === undefined) return undefined;
  const responseMti = responseMtiOf(mti);
  if (responseMti === undefined) return undefined;
  const response = new IsoMessage(responseMti);
  response.fields.set(7, transmissionDateTime).set(11, stan);
  if (acquirerId !== undefined) response.fields.set(32, acquirerId);
  response.fields.set(39, FORMAT_ERROR);
  return response;
}

/**
 * The `30` answer to a message read in full but refused by validation (a mandatory field missing,
 * field 70 not a known code): its fields are known, so, like every response, it echoes the
 * request's fields 2, 3, 4, 7, 11, 32, 37, 41, 42 and 49 (network-interface.md). Undefined when
 * STAN or field 7 is missing or the MTI has no response: the `30` is owed only "when MTI, STAN and
 * field 7 can be read", otherwise the message is dropped and counted.
 */
export function buildParsedFormatErrorResponse(request: IsoMessage): IsoMessage | undefined {
  if (!request.has(STAN) || !request.has(TRANSMISSION_DATE_TIME)) return undefined;
  return buildResponse(request, FORMAT_ERROR);
}

/** The `0810` a server gives to a `0800` it handles itself: 39 = 00, echoing 7, 11, 70 and 32. */
export function buildNetworkManagementResponse(request: IsoMessage): IsoMessage {
  const response = new IsoMessage('0810');
  for (const field of [7, 11, 32, 70]) {
    const value = request.get(field);
    if (value !== undefined) response.fields.set(field, value);
  }
  response.fields.set(39, '00');
  return response;
}
