import { IsoMessage } from '@lib/iso8583';
import { CurrencyCode, currencyByNumeric, money, Money } from '@lib/money';
import { CardTransaction, channelOf, DeclineReason, entryModeFromFields, kindFromProcessingCode, TransactionKind } from '@lib/programs';

/**
 * The rule-relevant reading of an authorisation request (0100 / 0200). The codec has already
 * checked every field's format; what fails here is content the dialect allows but this issuer
 * cannot use (unknown currency, unsupported processing code, an amount of 0 where not allowed).
 */
export interface ParsedRequest {
  readonly pan: string;
  readonly kind: TransactionKind;
  readonly txn: CardTransaction;
  readonly transactionId: string | undefined;
  readonly field14: string | undefined;
  readonly pinBlock: string | undefined;
  readonly cvv2: string | undefined;
  readonly scaPerformed: boolean;
  readonly merchantInitiated: 'R' | 'I' | 'C' | undefined;
  readonly deviceWallet: boolean;
  readonly partialAllowed: boolean;
  readonly merchantId: string | undefined;
  readonly merchantName: string | undefined;
  readonly merchantCountry: string | undefined;
  readonly field22: string;
  readonly field25: string;
}

/**
 * A refusal carries the PAN when the message has one and only its content is refused (`12`, `13`):
 * the answer then carries field 54 if the card is known (network-interface.md, field 54). A format
 * error (`30`) carries none: the message was not understood.
 */
export type ParseOutcome = { ok: true; request: ParsedRequest } | { ok: false; reason: DeclineReason; pan?: string };

const AMOUNT_OPTIONAL_KINDS: readonly TransactionKind[] = ['account-verification', 'balance-inquiry', 'available-funds-inquiry', 'pin-change'];

export function parseAuthorisationRequest(message: IsoMessage): ParseOutcome {
  const pan = message.get(2);
  const field3 = message.get(3);
  const field4 = message.get(4) ?? '000000000000';
  const field49 = message.get(49);
  if (!pan || !field3 || !field49) return { ok: false, reason: DeclineReason.FormatError };
  const currency = currencyByNumeric(field49);
  if (!currency) return { ok: false, reason: DeclineReason.FormatError };
  const amountMinor = BigInt(field4);
  const kind = kindFromProcessingCode(field3, amountMinor);
  if (!kind) return { ok: false, reason: DeclineReason.TransactionNotSupported, pan };
  if (amountMinor === 0n && !AMOUNT_OPTIONAL_KINDS.includes(kind)) return { ok: false, reason: DeclineReason.InvalidAmount, pan };
  const field22 = message.get(22) ?? '000';
  const field25 = message.get(25) ?? '00';
  const entryMode = entryModeFromFields(field22, field25) ?? 'manual';
  const incremental = message.tag('IA') === 'Y';
  const amount: Money = money(amountMinor, currency.code as CurrencyCode);
  const txn: CardTransaction = {
    kind,
    channel: channelOf(kind, entryMode, field25),
    entryMode,
    preAuthorisation: field25 === '06',
    incremental,
    transactionAmount: amount,
    acquirerCountry: message.get(19) ?? '000',
    mcc: message.get(18) ?? '0000',
  };
  const field43 = message.get(43);
  const mi = message.tag('MI');
  return {
    ok: true,
    request: {
      pan,
      kind,
      txn,
      transactionId: message.tag('TI'),
      field14: message.get(14),
      pinBlock: message.get(52),
      cvv2: message.tag('CV'),
      scaPerformed: message.tag('SC') === 'Y',
      merchantInitiated: mi === 'R' || mi === 'I' || mi === 'C' ? mi : undefined,
      deviceWallet: message.tag('DV') === 'Y',
      partialAllowed: message.tag('PA') === 'Y',
      merchantId: message.get(42)?.trim(),
      merchantName: field43?.slice(0, 25).trim(),
      merchantCountry: field43?.slice(38, 40).trim(),
      field22,
      field25,
    },
  };
}
