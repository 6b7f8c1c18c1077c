import type { Money } from '@lib/money';
import type { Channel, EntryMode } from './program';

/** What a card message asks for, from processing code (field 3) digits 1-2 and the amount. */
export type TransactionKind =
  | 'purchase' //                 00, amount > 0 (pre-authorisations too: field 25 = 06)
  | 'account-verification' //     00, amount 0 (answered 85, card check of seed 000)
  | 'cash-withdrawal' //          01
  | 'purchase-with-cashback' //   09
  | 'refund' //                   20 (credit to the card)
  | 'available-funds-inquiry' //  30
  | 'balance-inquiry' //          31
  | 'pin-change'; //              92

/**
 * The rule-relevant description of one card transaction, built by the gateway from the message
 * (or by the simulator / settlement from their records). The rule modules read only this.
 */
export interface CardTransaction {
  readonly kind: TransactionKind;
  readonly channel: Channel;
  readonly entryMode: EntryMode;
  /** Field 25 = 06: estimated amount, 15-day hold (seed 004 clause 10.3). */
  readonly preAuthorisation: boolean;
  /** Field 48 `IA=Y`: field 4 is an amount added to the hold of the original `TI`. */
  readonly incremental: boolean;
  /** Field 4 in the currency of field 49. */
  readonly transactionAmount: Money;
  /** Field 19, ISO 3166 numeric. */
  readonly acquirerCountry: string;
  /** Field 18. */
  readonly mcc: string;
}

/**
 * Field 48 `MI` (network-interface.md): a merchant-initiated recurring (`R`) or instalment (`I`)
 * charge, or a cardholder-initiated payment with stored credentials (`C`).
 */
export type StoredCredentialUse = 'R' | 'I' | 'C';

/**
 * Whether the merchant initiated the charge: `MI=R` and `MI=I` are charges the merchant takes on
 * the stored card under the holder's consent; `MI=C` is a payment the cardholder initiates (the
 * stored credentials only spare typing the card), so it is treated as cardholder-initiated.
 */
export function isMerchantInitiated(use: StoredCredentialUse | undefined): boolean {
  return use === 'R' || use === 'I';
}

/** Kinds that spend money and count against limits (card-programs.md: "ATM" and "card payments"). */
export function isSpend(kind: TransactionKind): boolean {
  return kind === 'purchase' || kind === 'cash-withdrawal' || kind === 'purchase-with-cashback';
}

/** Processing code (field 3) -> kind; undefined = not supported (response `12`). */
export function kindFromProcessingCode(field3: string, amountMinor: bigint): TransactionKind | undefined {
  if (!/^[0-9]{2}0000$/.test(field3)) return undefined;
  switch (field3.slice(0, 2)) {
    case '00':
      return amountMinor === 0n ? 'account-verification' : 'purchase';
    case '01':
      return 'cash-withdrawal';
    case '09':
      return 'purchase-with-cashback';
    case '20':
      return 'refund';
    case '30':
      return 'available-funds-inquiry';
    case '31':
      return 'balance-inquiry';
    case '92':
      return 'pin-change';
    default:
      return undefined;
  }
}

/**
 * Field 22 (POS entry mode, n3) and field 25 (POS condition) -> entry mode. `01x` with condition
 * 59 is e-commerce, `01x` otherwise manual key entry (mail / phone order). Undefined = format error.
 */
export function entryModeFromFields(field22: string, field25: string): EntryMode | undefined {
  if (!/^[0-9]{3}$/.test(field22)) return undefined;
  switch (field22.slice(0, 2)) {
    case '05':
      return 'chip';
    case '07':
      return 'contactless';
    case '90':
      return 'magstripe';
    case '01':
      return field25 === '59' ? 'ecommerce' : 'manual';
    default:
      return undefined;
  }
}

/** Field 22's third digit `1`: the terminal can take a PIN. */
export function terminalTakesPin(field22: string): boolean {
  return field22.length === 3 && field22[2] === '1';
}

/**
 * The channel of a transaction. The dialect has no terminal-type field, so it is derived: cash,
 * inquiries and PIN change happen at an ATM; e-commerce and mail / phone order (field 25 = 59 or
 * 08, or a key-entered card) are card-not-present; the rest is a card-present POS payment.
 */
export function channelOf(kind: TransactionKind, entryMode: EntryMode, field25: string): Channel {
  if (
    kind === 'cash-withdrawal' ||
    kind === 'balance-inquiry' ||
    kind === 'available-funds-inquiry' ||
    kind === 'pin-change'
  ) {
    return 'atm';
  }
  if (field25 === '59' || field25 === '08' || entryMode === 'ecommerce' || entryMode === 'manual')
    return 'ecommerce';
  return 'pos';
}
