import { IsoMessage } from '../codec/iso-message';
import { mtiPairOf } from '../spec/message-types';

/**
 * The key that pairs a response with its request (network-interface.md: "matched by STAN +
 * transmission date/time + acquirer"; jPOS matches on MTI + terminal + STAN): the MTI pair (0100
 * and 0110 give 010), field 32, field 11 and field 7. Never STAN alone: STANs wrap and repeat.
 * Undefined when field 7 or 11 is missing; field 32 is optional (0800).
 */
export function matchKeyOf(message: IsoMessage): string | undefined {
  const stan = message.get(11);
  const transmissionDateTime = message.get(7);
  if (stan === undefined || transmissionDateTime === undefined || !/^[0-9]{4}$/.test(message.mti)) return undefined;
  return `${mtiPairOf(message.mti)}|${message.get(32) ?? ''}|${stan}|${transmissionDateTime}`;
}
