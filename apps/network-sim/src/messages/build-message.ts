import { currency as currencyOf } from '@lib/money';
import { IsoMessage, packOriginalDataElements, packReplacementAmounts, padAcquirerId, transmissionDateTime } from '@lib/iso8583';
import type { RequestSpec } from '../planning/plan';

/**
 * Network messages of the simulated Visa (network-interface.md "Fields used" and "Shapes of the
 * follow-up messages"), built from a planned request and what only the run knows: the card's
 * numbers, the transaction id, STAN and transmission time. Pure: the PIN block comes from the
 * caller's encoder.
 */
export interface CardCredentials {
  readonly cardId: string;
  readonly pan: string;
  /** YYMM. */
  readonly expiry: string;
  readonly cvv2: string;
  readonly pin: string;
}

export interface MessageIds {
  /** Field 11, 6 digits. */
  readonly stan: string;
  /** The simulated (or real) instant the network sends the message: field 7 and 12 / 13. */
  readonly sentAtMs: number;
}

/** The identity of an original authorisation, for its follow-ups (fields 90 and `TI`). */
export interface OriginalMessage {
  readonly mti: string;
  readonly transactionId: string;
  readonly message: IsoMessage;
}

export type PinBlockEncoder = (pin: string, pan: string) => string;

export function luhnComplete(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let digit = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return partial + String((10 - (sum % 10)) % 10);
}

/** A card number the issuer never issued (BIN 400000; the issuer's cards start 499999). */
export function unknownPan(transactionId: string): string {
  return luhnComplete(`400000${transactionId.slice(-9)}`);
}

function wrongDigits(value: string): string {
  return [...value].map((digit) => String((Number(digit) + 1) % 10)).join('');
}

/** Field 37: last digit of the year, day of the year, hour, STAN. */
export function retrievalReference(sentAtMs: number, stan: string): string {
  const at = new Date(sentAtMs);
  const startOfYear = Date.UTC(at.getUTCFullYear(), 0, 1);
  const dayOfYear = Math.floor((sentAtMs - startOfYear) / 86_400_000) + 1;
  return `${at.getUTCFullYear() % 10}${String(dayOfYear).padStart(3, '0')}${String(at.getUTCHours()).padStart(2, '0')}${stan}`;
}

function merchantLocation(request: RequestSpec): string {
  return request.merchant.name.padEnd(25).slice(0, 25) + request.merchant.city.padEnd(13).slice(0, 13) + request.merchant.countryAlpha;
}

function setTimes(message: IsoMessage, ids: MessageIds): void {
  const field7 = transmissionDateTime(new Date(ids.sentAtMs));
  message.set(7, field7).set(11, ids.stan).set(12, field7.slice(4)).set(13, field7.slice(0, 4));
}

/** A new authorisation (0100 / 0200), or the network's stand-in advice 0120 when `standInAuthCode` is set. */
export function buildAuthorisation(
  request: RequestSpec,
  o: { card: CardCredentials; transactionId: string; ids: MessageIds; encodePin: PinBlockEncoder; standInAuthCode?: string },
): IsoMessage {
  const pan = request.pan === 'unknown' ? unknownPan(o.transactionId) : o.card.pan;
  const message = new IsoMessage(o.standInAuthCode !== undefined ? '0120' : request.mti);
  message.set(2, pan);
  message.setPadded(3, `${request.processing}0000`);
  message.setPadded(4, request.amountMinor.toString());
  setTimes(message, o.ids);
  message.set(14, request.expiry === 'right' ? o.card.expiry : o.card.expiry === '2401' ? '2402' : '2401');
  message.setPadded(18, request.merchant.mcc);
  message.setPadded(19, request.merchant.countryNumeric);
  message.setPadded(22, request.entryMode);
  message.setPadded(25, request.condition);
  message.set(32, request.merchant.acquirerId);
  message.setPadded(37, retrievalReference(o.ids.sentAtMs, o.ids.stan));
  if (o.standInAuthCode !== undefined) message.setPadded(38, o.standInAuthCode).set(39, '00');
  message.setPadded(41, request.merchant.terminalId);
  message.setPadded(42, request.merchant.id);
  message.setPadded(43, merchantLocation(request));
  message.field48 = { TI: o.transactionId, ...tagsOf(request, o.card) };
  message.setPadded(49, currencyOf(request.currency).numeric);
  if (request.pin !== null) message.set(52, o.encodePin(request.pin === 'right' ? o.card.pin : wrongDigits(o.card.pin), pan));
  return message;
}

function tagsOf(request: RequestSpec, card: CardCredentials): Record<string, string> {
  const tags: Record<string, string> = {};
  if (request.cvv2 !== null) tags.CV = request.cvv2 === 'right' ? card.cvv2 : wrongDigits(card.cvv2);
  for (const [tag, value] of Object.entries(request.tags)) if (value !== undefined) tags[tag] = value;
  return tags;
}

/** Incremental authorisation: field 4 is the added amount, `IA=Y`, the original's `TI`. */
export function buildIncremental(original: OriginalMessage, amountMinor: bigint, ids: MessageIds): IsoMessage {
  const message = original.message.clone();
  message.mti = '0100';
  message.setPadded(4, amountMinor.toString());
  setTimes(message, ids);
  message.setPadded(37, retrievalReference(ids.sentAtMs, ids.stan));
  message.delete(52);
  message.field48 = { TI: original.transactionId, IA: 'Y' };
  return message;
}

/** The fields every follow-up echoes from the original: 2, 3, 32, 37, 41, 42, 49, and `TI`. */
function followUp(mti: string, original: OriginalMessage, amountMinor: bigint, ids: MessageIds): IsoMessage {
  const source = original.message;
  const message = new IsoMessage(mti);
  message.set(2, source.get(2)!);
  message.set(3, source.get(3)!);
  message.setPadded(4, amountMinor.toString());
  setTimes(message, ids);
  message.set(32, source.get(32)!);
  message.set(37, source.get(37)!);
  message.set(41, source.get(41)!);
  message.set(42, source.get(42)!);
  message.field48 = { TI: original.transactionId };
  message.set(49, source.get(49)!);
  message.set(
    90,
    packOriginalDataElements({ mti: source.mti, stan: source.get(11)!, transmissionDateTime: source.get(7)!, acquirerIdPadded: padAcquirerId(source.get(32)!) }),
  );
  return message;
}

/** Completion advice 0220: field 4 is the final amount of the pre-authorisation. */
export function buildCompletion(original: OriginalMessage, finalMinor: bigint, ids: MessageIds): IsoMessage {
  return followUp('0220', original, finalMinor, ids);
}

/**
 * Reversal 0400 / reversal advice 0420: field 4 is the original amount (with increments for a
 * pre-authorisation); a partial reversal carries field 95 with the amount that remains.
 */
export function buildReversal(mti: '0400' | '0420', original: OriginalMessage, authorisedMinor: bigint, remainingMinor: bigint, ids: MessageIds): IsoMessage {
  const message = followUp(mti, original, authorisedMinor, ids);
  if (remainingMinor > 0n) message.set(95, packReplacementAmounts({ actualAmountMinor: remainingMinor, actualBillingAmountMinor: 0n }));
  return message;
}

/** 0800 echo (70 = 301) with the network's acquirer id. */
export function buildEcho(ids: MessageIds, acquirerId: string): IsoMessage {
  const message = new IsoMessage('0800');
  message.set(7, transmissionDateTime(new Date(ids.sentAtMs))).set(11, ids.stan).set(32, acquirerId).set(70, '301');
  return message;
}
