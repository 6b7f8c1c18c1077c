import type { ApprovedEventType, DecisionRecord, MoneyJson } from '@lib/events';
import { IsoMessage } from '@lib/iso8583';
import { currencyByNumeric, Money, money, CurrencyCode } from '@lib/money';
import { DeclineReason, InstantMs } from '@lib/programs';
import { maskPan } from '@lib/store';
import type { AccountSnapshot } from '../authorise/account-snapshot';

/**
 * What completions (0220), reversals (0400 / 0420) and advices (0120) share: they are not requests
 * the issuer may refuse (an advice tells of something done), so they skip the card checks and are
 * answered `00` once the card is known; their records carry the message's identity like an
 * authorisation's.
 */
export interface FollowUpBasics {
  readonly pan: string;
  readonly transactionId: string;
  /** Field 4 in field 49's currency. */
  readonly amount: Money;
  readonly processingCode: string;
  readonly mcc: string | null;
  readonly merchantId: string | null;
  readonly merchantName: string | null;
  readonly merchantCountry: string | null;
}

export type FollowUpParse<T> = { ok: true; value: T } | { ok: false; reason: DeclineReason };

/** Fields 2, 3, 4, 49 and `TI` (the codec has checked they are present and well-formed). */
export function parseFollowUpBasics(message: IsoMessage): FollowUpParse<FollowUpBasics> {
  const pan = message.get(2);
  const transactionId = message.tag('TI');
  const currency = currencyByNumeric(message.get(49) ?? '');
  const field4 = message.get(4);
  if (!pan || !transactionId || !currency || !field4 || !/^[0-9]{1,12}$/.test(field4)) return { ok: false, reason: DeclineReason.FormatError };
  const field43 = message.get(43);
  return {
    ok: true,
    value: {
      pan,
      transactionId,
      amount: money(BigInt(field4), currency.code as CurrencyCode),
      processingCode: message.get(3) ?? '000000',
      mcc: message.get(18) ?? null,
      merchantId: message.get(42)?.trim() ?? null,
      merchantName: field43?.slice(0, 25).trim() ?? null,
      merchantCountry: field43?.slice(38, 40).trim() ?? null,
    },
  };
}

export function followUpRecord(
  type: ApprovedEventType,
  basics: FollowUpBasics,
  snapshot: AccountSnapshot,
  input: { eventId: string; nowMs: InstantMs; mti: string; balanceCurrency: string; billing: MoneyJson | null },
): DecisionRecord {
  const amount: MoneyJson = { minor: basics.amount.amountMinor.toString(), currency: basics.amount.currency };
  return {
    v: 1,
    eventId: input.eventId,
    occurredAt: new Date(input.nowMs).toISOString(),
    accountId: snapshot.account.accountId,
    cardId: snapshot.card.cardId,
    panMasked: maskPan(snapshot.card.panFirst6, snapshot.card.panLast4),
    transactionId: basics.transactionId,
    mti: input.mti,
    processingCode: basics.processingCode,
    amount,
    billing: input.billing,
    fx: null,
    mcc: basics.mcc,
    merchant: { id: basics.merchantId, name: basics.merchantName, country: basics.merchantCountry },
    approved: { type, responseCode: '00', authCode: null, approvedAmount: amount, fees: [], hold: null, holdEffect: null, posted: null },
    predeclined: null,
    declines: {},
    balanceCurrency: input.balanceCurrency,
    context: {},
  };
}
