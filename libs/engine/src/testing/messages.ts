import { randomInt } from 'crypto';
import { IsoMessage, packOriginalDataElements, packReplacementAmounts, padAcquirerId } from '@lib/iso8583';

/** Builds realistic network requests for tests, the benchmark and the simulator. */
export interface RequestOptions {
  mti?: '0100' | '0200';
  pan: string;
  processingCode?: string;
  amountMinor: bigint | number;
  currencyNumeric?: string;
  stan: number;
  transmission?: string;
  expiry?: string;
  mcc?: string;
  country?: string;
  entryMode?: string;
  condition?: string;
  acquirerId?: string;
  merchantId?: string;
  merchantName?: string;
  pinBlock?: string;
  tags?: Record<string, string>;
}

// TIs are network-wide (a TI reused on any account is a 94), and test files run in parallel
// processes on one Redis: each process draws its own random prefix, then counts.
const TI_PREFIX = String(randomInt(0, 1_000_000_000)).padStart(9, '0');
let tiSequence = 0;
export function freshTransactionId(): string {
  tiSequence = (tiSequence + 1) % 1_000_000;
  return TI_PREFIX + String(tiSequence).padStart(6, '0');
}

export function authorisationRequest(o: RequestOptions): IsoMessage {
  const m = new IsoMessage(o.mti ?? '0100');
  m.set(2, o.pan);
  m.setPadded(3, o.processingCode ?? '000000');
  m.setPadded(4, String(o.amountMinor));
  m.setPadded(7, o.transmission ?? '1122101530');
  m.setPadded(11, String(o.stan % 1_000_000));
  m.setPadded(12, '101530');
  m.setPadded(13, '1122');
  if (o.expiry) m.set(14, o.expiry);
  m.setPadded(18, o.mcc ?? '5411');
  m.setPadded(19, o.country ?? '250');
  m.setPadded(22, o.entryMode ?? '071');
  m.setPadded(25, o.condition ?? '00');
  m.set(32, o.acquirerId ?? '12345678');
  m.setPadded(37, `RRN${String(o.stan).padStart(9, '0')}`);
  m.setPadded(41, 'TERM0001');
  m.setPadded(42, o.merchantId ?? 'MERCHANT0000001');
  m.setPadded(43, (o.merchantName ?? 'SUPERMARCHE PARIS').padEnd(25).slice(0, 25) + 'PARIS'.padEnd(13) + 'FR');
  m.field48 = { TI: freshTransactionId(), ...(o.tags ?? {}) };
  m.setPadded(49, o.currencyNumeric ?? '978');
  if (o.pinBlock) m.set(52, o.pinBlock);
  return m;
}

/** The fields a follow-up message copies from its original (card, merchant, currency, TI). */
function followUp(mti: string, original: IsoMessage, o: { stan: number; amountMinor: bigint | number; transmission?: string }): IsoMessage {
  const m = new IsoMessage(mti);
  for (const field of [2, 3, 14, 18, 19, 22, 25, 32, 41, 42, 43, 49]) {
    const value = original.get(field);
    if (value !== undefined) m.set(field, value);
  }
  m.setPadded(4, String(o.amountMinor));
  m.setPadded(7, o.transmission ?? original.get(7) ?? '1122101530');
  m.setPadded(11, String(o.stan % 1_000_000));
  m.setPadded(37, `RRN${String(o.stan).padStart(9, '0')}`);
  m.field48 = { TI: original.tag('TI')! };
  return m;
}

/** An incremental authorisation: field 4 is the additional amount, `TI` the original's. */
export function incrementalRequest(original: IsoMessage, o: { stan: number; amountMinor: bigint | number; transmission?: string; tags?: Record<string, string> }): IsoMessage {
  const m = followUp('0100', original, o);
  m.field48 = { ...m.field48, IA: 'Y', ...(o.tags ?? {}) };
  return m;
}

/** A completion advice 0220: field 4 is the final amount; field 90 names the original. */
export function completionAdvice(original: IsoMessage, o: { stan: number; amountMinor: bigint | number; transmission?: string }): IsoMessage {
  const m = followUp('0220', original, o);
  m.set(90, originalDataOf(original));
  return m;
}

/**
 * A reversal 0400 (or advice 0420) of `target` (the original or one increment): field 4 is the
 * original amount; `remainsMinor` (field 95) what remains authorised on a partial reversal.
 */
export function reversalRequest(
  target: IsoMessage,
  o: { stan: number; amountMinor: bigint | number; remainsMinor?: bigint | number; mti?: '0400' | '0420'; transmission?: string },
): IsoMessage {
  const m = followUp(o.mti ?? '0400', target, o);
  m.set(90, originalDataOf(target));
  if (o.remainsMinor !== undefined) {
    m.set(95, packReplacementAmounts({ actualAmountMinor: BigInt(o.remainsMinor), actualBillingAmountMinor: BigInt(o.remainsMinor) }));
  }
  return m;
}

/** A stand-in advice 0120: the request as the network approved (or declined) it, 39 and 38 set. */
export function standInAdvice(o: RequestOptions & { responseCode?: string; authCode?: string }): IsoMessage {
  const m = authorisationRequest({ ...o, mti: '0100' });
  m.mti = '0120';
  m.set(39, o.responseCode ?? '00');
  if ((o.responseCode ?? '00') === '00') m.setPadded(38, o.authCode ?? 'NET001');
  return m;
}

/** Field 90 naming `message`: its MTI, STAN, field 7 and acquirer id. */
export function originalDataOf(message: IsoMessage): string {
  return packOriginalDataElements({
    mti: message.mti,
    stan: message.get(11)!,
    transmissionDateTime: message.get(7)!,
    acquirerIdPadded: padAcquirerId(message.get(32)!),
  });
}
