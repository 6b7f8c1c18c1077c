import { IsoMessage, unpackOriginalDataElements } from '@lib/iso8583';
import { messageKey as messageKeyOf, originalKey as originalKeyOf } from '@lib/store';

/**
 * The two identities of a network message:
 * - its retry identity (same MTI, 32, 11, 7 within 24 h = the same message, same answer), the
 *   dedupe key of its step;
 * - its identity as field 90 of a later reversal names it (MTI + STAN + 7 + acquirer id padded to
 *   11 digits), kept on the TI record so a reversal finds the message it reverses.
 */
export function retryKeyOf(message: IsoMessage): string {
  return messageKeyOf(message.mti, message.get(32) ?? '', message.get(11) ?? '', message.get(7) ?? '');
}

export function originalKeyOfMessage(message: IsoMessage): string {
  return originalKeyOf(message.mti, message.get(11) ?? '', message.get(7) ?? '', message.get(32) ?? '');
}

/** Field 90 of a reversal as the original key of its target, or undefined when it does not parse. */
export function targetKeyOf(field90: string | undefined): string | undefined {
  if (field90 === undefined) return undefined;
  try {
    const original = unpackOriginalDataElements(field90);
    return originalKeyOf(original.mti, original.stan, original.transmissionDateTime, original.acquirerIdPadded);
  } catch {
    return undefined;
  }
}

/**
 * A stand-in advice (0120) records the network's decision on a request the issuer may never have
 * seen: a reversal naming that request (its 0100 identity) reverses the advice. The two MTIs are
 * the same message for field 90 matching; everything else must be equal.
 */
export function sameOriginal(targetKey: string, originalKey: string | undefined): boolean {
  if (originalKey === undefined) return false;
  if (targetKey === originalKey) return true;
  const [targetMti, ...targetRest] = targetKey.split(':');
  const [originalMti, ...originalRest] = originalKey.split(':');
  const authorisationPair = new Set(['0100', '0120']);
  return authorisationPair.has(targetMti) && authorisationPair.has(originalMti) && targetRest.join(':') === originalRest.join(':');
}
