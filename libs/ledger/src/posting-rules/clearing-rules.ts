import type { ClearingRecordEvent, DisputeRaisedEvent } from '@lib/clearing';
import { CurrencyCode, Money, isCurrencyCode, money } from '@lib/money';
import {
  CardTransaction,
  FeeLine,
  FeeUsage,
  Program,
  RateTable,
  TransactionKind,
  convertForBilling,
  fxErrorText,
  parseDayId,
  priceInWallet,
  serviceFees,
  startOfLocalDay,
  MS_PER_HOUR,
} from '@lib/programs';
import type { HoldRecord, TransactionRecord } from '@lib/store';
import { EntryDraft, JournalLine, LineBuilder } from '../journal-entry';
import { feeAccount, ledgerAccounts } from '../ledger-accounts';
import { ClearedState } from './clearing-state';

/**
 * Posting rules of the `card.clearing` topic (clearing.md), pure: from a record and the state of
 * its `TI` to the journal entry, the balance moves of the cache and the next clearing state. The
 * cardholder lines of the entry ARE the cache moves (cardholderMoves), so the ledger and Redis can
 * only move together.
 *
 * How a record is matched (`match`):
 * - `hold`: the TI has an open hold: the presentment is re-priced at the processing day's rate
 *   with the program's fees, debited in the hold's wallet; the hold is consumed by it, and the
 *   final presentment releases the rest.
 * - `already-posted`: the TI was posted at authorisation (0200) or by a completion (0220): only
 *   the difference between the re-rated amount and what was posted is posted (fees stay as posted).
 * - `no-open-hold`: the TI is known but its hold is gone (expired, reversed, consumed by an
 *   earlier final presentment): force post of the full re-priced amount.
 * - `unmatched`: no TI, or one the gateway never approved: force post.
 * - `suspense`: no account (unknown PAN) or the record cannot be priced: posted between suspense
 *   and the network, never to a cardholder.
 * A force post debits the account even below zero (clearing.md); the gateway's check then
 * suspends its debits until a load repays it.
 */
export type ClearingMatch = 'hold' | 'already-posted' | 'no-open-hold' | 'unmatched' | 'suspense';

export interface ClearingInput {
  readonly event: ClearingRecordEvent;
  /** The account's program; undefined: unknown account (suspense). */
  readonly program: Program | undefined;
  readonly rates: RateTable;
  /** The gateway's record of the TI (undefined: no TI on the record, or none known). */
  readonly transaction: TransactionRecord | undefined;
  /** The open hold of that TI. */
  readonly hold: HoldRecord | undefined;
  readonly cleared: ClearedState;
  /** Available balance per wallet currency (wallet choice of a force post). */
  readonly available: ReadonlyMap<string, bigint>;
  /** For a representment or a chargeback-reversal: the open chargeback of its TI (null: none). */
  readonly openDispute?: { readonly disputeId: string; readonly amountMinor: bigint; readonly currency: string } | null;
}

export interface HoldRelease {
  readonly holdId: string;
  /** Minor units of availability given back; 'all' ends the hold. */
  readonly byMinor: bigint | 'all';
}

export interface ClearingPosting {
  readonly match: ClearingMatch;
  readonly entry: EntryDraft;
  readonly holdRelease: HoldRelease | null;
  readonly clearedAfter: ClearedState;
}

const HELD_STATUSES = new Set(['held']);
const POSTED_STATUSES = new Set(['posted', 'completed']);
const CASH_MCCS = new Set(['6010', '6011']);
const CLEARABLE_KINDS = new Set<TransactionKind>(['purchase', 'cash-withdrawal', 'purchase-with-cashback']);

/** Noon in the program's zone on the processing date: the instant whose day selects the rate. */
export function processingInstant(processingDate: string, timeZone: string): number {
  const date = parseDayId(processingDate);
  if (date === undefined) throw new Error(`processing date ${processingDate} is not a date`);
  return startOfLocalDay(date, timeZone) + 12 * MS_PER_HOUR;
}

function baseEntry(event: ClearingRecordEvent, memo: boolean, lines: readonly JournalLine[], details: Record<string, unknown>): EntryDraft {
  return {
    eventId: event.eventId,
    topic: 'card.clearing',
    type: event.type,
    accountId: event.accountId,
    transactionId: event.transactionId,
    occurredAt: event.occurredAt,
    businessDate: event.processingDate,
    memo,
    lines,
    details: {
      fileId: event.fileId,
      recordId: event.recordId,
      line: event.line,
      processingDate: event.processingDate,
      panMasked: event.panMasked,
      transactionAmount: event.amount,
      mcc: event.mcc,
      merchant: event.merchant,
      ...details,
    },
  };
}

function amountOf(event: { amount: { minor: string; currency: string } }): Money {
  if (!isCurrencyCode(event.amount.currency)) throw new Error(`unknown currency ${event.amount.currency}`);
  return money(BigInt(event.amount.minor), event.amount.currency);
}

/** Network side of a record that belongs to no cardholder: suspense against the network. */
function suspensePosting(input: ClearingInput, reason: string): ClearingPosting {
  const { event } = input;
  const amount = amountOf(event);
  // The network debits the issuer for presentments, representments and chargeback reversals,
  // credits it for refunds.
  const issuerPays = event.type === 'refund' ? -1n : 1n;
  const lines = new LineBuilder()
    .add(ledgerAccounts.suspense(amount.currency), amount.currency, issuerPays * amount.amountMinor, 'principal')
    .add(ledgerAccounts.networkSettlement(amount.currency), amount.currency, -issuerPays * amount.amountMinor, 'principal').lines;
  return { match: 'suspense', entry: baseEntry(event, false, lines, { match: 'suspense', reason }), holdRelease: null, clearedAfter: input.cleared };
}

function kindOf(input: ClearingInput): TransactionKind {
  const known = input.transaction?.kind as TransactionKind | undefined;
  if (known !== undefined && CLEARABLE_KINDS.has(known)) return known;
  return CASH_MCCS.has(input.event.mcc) ? 'cash-withdrawal' : 'purchase';
}

/**
 * The fee usage a re-pricing assumes. Only the premium free ATM quota depends on it: a matched
 * cash withdrawal authorised without a fee was inside the quota and stays free; anything else is
 * priced as outside the quota (the quota counter is the gateway's, of the authorisation month).
 */
function usageOf(input: ClearingInput, kind: TransactionKind): FeeUsage {
  const t = input.transaction;
  const freeAtAuthorisation = t !== undefined && kind === 'cash-withdrawal' && t.feesMinor === 0 && t.billedMinor > 0;
  return { accountCurrencyAtmWithdrawalsThisMonth: freeAtAuthorisation ? 0 : Number.MAX_SAFE_INTEGER };
}

function cardTransaction(input: ClearingInput, kind: TransactionKind, incremental: boolean): CardTransaction {
  return {
    kind,
    channel: kind === 'cash-withdrawal' ? 'atm' : 'pos',
    entryMode: 'chip',
    preAuthorisation: false,
    incremental,
    transactionAmount: amountOf(input.event),
    acquirerCountry: input.transaction?.country ?? '000',
    mcc: input.event.mcc,
  };
}

/** The wallet a force post debits: as at authorisation, the transaction's own wallet if held and sufficient. */
function forcePostWallet(program: Program, amount: Money, available: ReadonlyMap<string, bigint>): CurrencyCode {
  const own = amount.currency;
  if (own !== program.accountCurrency && program.walletCurrencies.includes(own) && (available.get(own) ?? 0n) >= amount.amountMinor) return own;
  return program.accountCurrency;
}

/** The wallet a credit or a re-debit of a purchase goes to: where the purchase was debited. */
function purchaseWallet(input: ClearingInput, program: Program): CurrencyCode {
  const candidates = [input.cleared.wallet, input.transaction?.wallet, input.hold?.currency];
  for (const candidate of candidates) {
    if (candidate !== undefined && isCurrencyCode(candidate) && program.walletCurrencies.includes(candidate)) return candidate;
  }
  const own = input.event.amount.currency;
  return isCurrencyCode(own) && program.walletCurrencies.includes(own) ? own : program.accountCurrency;
}

function feeLines(wallet: string, fees: readonly FeeLine[], builder: LineBuilder): void {
  for (const fee of fees) builder.add(feeAccount(fee.type, wallet), wallet, -fee.amount.amountMinor, `fee:${fee.type}`);
}

export function presentmentPosting(input: ClearingInput): ClearingPosting {
  const { event, program, transaction: t, hold, cleared } = input;
  if (event.accountId === null) return suspensePosting(input, 'no card has this PAN');
  if (program === undefined) return suspensePosting(input, 'the account or its program is unknown');
  const accountId = event.accountId;
  const status = t?.status;
  const match: ClearingMatch =
    hold !== undefined ? 'hold' : status !== undefined && POSTED_STATUSES.has(status) ? 'already-posted' : status !== undefined && (HELD_STATUSES.has(status) || status === 'reversed') ? 'no-open-hold' : 'unmatched';
  const amount = amountOf(event);
  const wallet =
    hold !== undefined && isCurrencyCode(hold.currency)
      ? hold.currency
      : match !== 'unmatched'
        ? purchaseWallet(input, program)
        : forcePostWallet(program, amount, input.available);
  const kind = kindOf(input);
  const at = processingInstant(event.processingDate, program.timeZone);
  let priced;
  try {
    priced = priceInWallet(program, cardTransaction(input, kind, cleared.presentments > 0), wallet, usageOf(input, kind), at, input.rates);
  } catch (error) {
    return suspensePosting(input, `cannot price: ${(error as Error).message}`);
  }
  if (!priced.ok) return suspensePosting(input, `cannot price: ${fxErrorText(priced.error)}`);
  const pricing = priced.value;
  const billing = pricing.billingAmount.amountMinor;
  const cardholder = ledgerAccounts.cardholder(accountId, wallet);
  const network = ledgerAccounts.networkSettlement(wallet);
  const priceDetails = {
    match,
    final: event.final,
    wallet,
    billing: { minor: billing.toString(), currency: wallet },
    rate: pricing.conversion?.rate.toString() ?? null,
    ratePublishedOn: pricing.conversion?.publishedOn ?? null,
  };

  if (match === 'already-posted') {
    // Fees were posted with the amount at authorisation or completion; only the principal moves.
    const billed = BigInt(t!.billedMinor);
    const uncovered = billed - cleared.coveredMinor;
    const covered = event.final ? uncovered : billing < uncovered ? billing : uncovered;
    const difference = billing - covered;
    const lines = new LineBuilder().add(cardholder, wallet, difference, 'principal').add(network, wallet, -difference, 'principal').lines;
    const entry = baseEntry(event, lines.length === 0, lines, {
      ...priceDetails,
      authorised: { billedMinor: t!.billedMinor.toString(), feesMinor: t!.feesMinor.toString() },
      differenceMinor: difference.toString(),
      fees: [],
    });
    return {
      match,
      entry,
      holdRelease: null,
      clearedAfter: { ...cleared, presentments: cleared.presentments + 1, wallet, coveredMinor: cleared.coveredMinor + covered },
    };
  }

  const total = pricing.totalDebit.amountMinor;
  const builder = new LineBuilder().add(cardholder, wallet, total, 'cardholder');
  builder.add(network, wallet, -billing, 'principal');
  feeLines(wallet, pricing.fees, builder);
  const lines = builder.lines;
  const authorisedMinor = hold !== undefined ? BigInt(hold.amountMinor) : t !== undefined ? BigInt(t.billedMinor + t.feesMinor) : null;
  const entry = baseEntry(event, false, lines, {
    ...priceDetails,
    fees: pricing.fees.map((f) => ({ type: f.type, amount: { minor: f.amount.amountMinor.toString(), currency: f.amount.currency } })),
    hold: hold ? { holdId: hold.holdId, amountMinor: String(hold.amountMinor), remainingBeforeMinor: String(hold.remainingMinor) } : null,
    authorisedMinor: authorisedMinor?.toString() ?? null,
    // Re-rating and re-pricing: what the clearing posts beyond (or short of) what was authorised.
    differenceMinor: authorisedMinor === null ? null : (total - authorisedMinor).toString(),
  });
  const holdRelease: HoldRelease | null = hold === undefined ? null : { holdId: hold.holdId, byMinor: event.final ? 'all' : total };
  return { match, entry, holdRelease, clearedAfter: { ...cleared, presentments: cleared.presentments + 1, wallet } };
}

/**
 * Refund (credit), representment and chargeback-reversal (debit again, the amount only). A
 * representment or a chargeback-reversal takes back a chargeback's credit (clearing.md: "the
 * merchant re-presents after a chargeback"): without an open chargeback on its TI it is suspense
 * against the network, the holder untouched; above the credit, the holder is debited the credit
 * and the rest is suspense.
 */
export function adjustmentPosting(input: ClearingInput): ClearingPosting {
  const { event, program, cleared } = input;
  if (event.accountId === null) return suspensePosting(input, 'no card has this PAN');
  if (program === undefined) return suspensePosting(input, 'the account or its program is unknown');
  const reclaims = event.type === 'representment' || event.type === 'chargeback-reversal';
  const dispute = input.openDispute ?? null;
  if (reclaims && dispute === null) return suspensePosting(input, `no open chargeback on this transaction: nothing to take back from the holder`);
  const wallet = purchaseWallet(input, program);
  const amount = amountOf(event);
  let billing: bigint;
  let rate: string | null = null;
  if (amount.currency === wallet) {
    billing = amount.amountMinor;
  } else {
    // Converted at the processing day's reference rate, without markup (no fee on a refund).
    const converted = convertForBilling(input.rates, event.processingDate, amount, wallet);
    if (!converted.ok) return suspensePosting(input, `cannot convert: ${fxErrorText(converted.error)}`);
    billing = converted.value.billingAmount.amountMinor;
    rate = converted.value.rate.toString();
  }
  // Refund: the holder is credited, the network pays it back; representment and
  // chargeback-reversal: the holder is debited again, the network is owed again.
  const networkOwed = event.type === 'refund' ? -billing : billing;
  // What the chargeback credited and earlier records have not taken back yet (in its wallet).
  const taken = dispute !== null && cleared.reclaimed?.disputeId === dispute.disputeId ? cleared.reclaimed.minor : 0n;
  if (reclaims && dispute!.currency !== wallet) return suspensePosting(input, `the chargeback was credited in ${dispute!.currency}, not in the ${wallet} wallet`);
  if (reclaims && dispute!.amountMinor - taken <= 0n) return suspensePosting(input, 'the open chargeback was already taken back in full');
  const holderDebit = reclaims && billing > dispute!.amountMinor - taken ? dispute!.amountMinor - taken : networkOwed;
  const builder = new LineBuilder()
    .add(ledgerAccounts.cardholder(event.accountId, wallet), wallet, holderDebit, 'cardholder')
    .add(ledgerAccounts.networkSettlement(wallet), wallet, -networkOwed, 'principal');
  if (holderDebit !== networkOwed) builder.add(ledgerAccounts.suspense(wallet), wallet, networkOwed - holderDebit, 'principal');
  const lines = builder.lines;
  const match: ClearingMatch = input.transaction?.status !== undefined || cleared.presentments > 0 ? 'no-open-hold' : 'unmatched';
  const entry = baseEntry(event, false, lines, { match, wallet, billing: { minor: billing.toString(), currency: wallet }, rate, fees: [] });
  const clearedAfter: ClearedState =
    event.type === 'refund'
      ? { ...cleared, refunds: cleared.refunds + 1, wallet: cleared.wallet ?? wallet }
      : reclaims
        ? { ...cleared, reclaimed: { disputeId: dispute!.disputeId, minor: taken + holderDebit } }
        : cleared;
  return { match, entry, holdRelease: null, clearedAfter };
}

export function clearingRecordPosting(input: ClearingInput): ClearingPosting {
  return input.event.type === 'presentment' ? presentmentPosting(input) : adjustmentPosting(input);
}

export interface DisputeInput {
  readonly event: DisputeRaisedEvent;
  readonly program: Program;
  /** 'YYYY-MM-DD', Paris day of the dispute. */
  readonly businessDate: string;
}

/**
 * A chargeback raised by the issuer (clearing.md): the holder is credited the disputed amount
 * (the network owes it back) and charged the tariff's chargeback fee (15.00 on every program).
 */
export function disputePosting(input: DisputeInput): EntryDraft {
  const { event, program } = input;
  const amount = amountOf(event);
  const fees = serviceFees(program, { kind: 'chargeback' });
  const builder = new LineBuilder()
    .add(ledgerAccounts.cardholder(event.accountId, amount.currency), amount.currency, -amount.amountMinor, 'cardholder')
    .add(ledgerAccounts.networkSettlement(amount.currency), amount.currency, amount.amountMinor, 'principal');
  for (const fee of fees) {
    const currency = fee.amount.currency;
    builder.add(ledgerAccounts.cardholder(event.accountId, currency), currency, fee.amount.amountMinor, `fee:${fee.type}`);
    builder.add(feeAccount(fee.type, currency), currency, -fee.amount.amountMinor, `fee:${fee.type}`);
  }
  return {
    eventId: event.eventId,
    topic: 'card.clearing',
    type: event.type,
    accountId: event.accountId,
    transactionId: event.transactionId,
    occurredAt: event.occurredAt,
    businessDate: input.businessDate,
    memo: false,
    lines: builder.lines,
    details: {
      disputeId: event.disputeId,
      reason: event.reason,
      amount: event.amount,
      fees: fees.map((f) => ({ type: f.type, amount: { minor: f.amount.amountMinor.toString(), currency: f.amount.currency } })),
    },
  };
}
