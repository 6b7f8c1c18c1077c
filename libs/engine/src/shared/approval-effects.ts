import type { ExpiringHold, FeeJson, HoldEffectJson, HoldOrigin, MoneyJson } from '@lib/events';
import type { Money } from '@lib/money';
import { disclosedMarkupPercent, FeeLine, holdExpiresAt, InstantMs, isoTimestampOf, Pricing, Program } from '@lib/programs';
import { BALANCES_KEY, incrementField, KeyRef, maskPan, Op, PendingReversal, walletFields } from '@lib/store';
import type { AccountSnapshot } from '../authorise/account-snapshot';
import type { ParsedRequest } from '../authorise/parse-request';
import { sameOriginal } from './message-identity';
import { moneyJson, num, proportionalMinor, transactionWrite, transactionWriteOf } from './transaction-writes';

/**
 * The state changes of an approved authorisation or an applied stand-in advice: its hold (opened,
 * or grown by an incremental authorisation), its posting (0200 and fee-only services, final), and
 * its TI record. One function for both, so an advice "creates the hold like an approval would".
 *
 * A reversal that arrived before the message (stored on the TI record under the message's field 90
 * identity) is applied here: the message is answered as usual, but a full reversal leaves no hold,
 * no posting and no fee (network-interface.md "Holds"), and a partial one leaves only what remains.
 */
export const DEBIT_KINDS: ReadonlySet<string> = new Set(['purchase', 'cash-withdrawal', 'purchase-with-cashback', 'balance-inquiry', 'available-funds-inquiry', 'pin-change']);
export const HOLD_KINDS: ReadonlySet<string> = new Set(['purchase', 'cash-withdrawal', 'purchase-with-cashback']);
/** Dual-message authorisations hold (clearing follows); a 0200 is final and posts at once. */
const HOLDING_MTIS: ReadonlySet<string> = new Set(['0100', '0120']);

export interface ApprovalEffectsInput {
  readonly program: Program;
  readonly request: ParsedRequest;
  readonly snapshot: AccountSnapshot;
  /** The approved amount (field 4, or less on a partial approval) and its pricing. */
  readonly approvedAmount: Money;
  readonly pricing: Pricing;
  readonly mti: string;
  /** Field 3 of the message, as received. */
  readonly processingCode: string;
  readonly messageKey: string;
  readonly originalKey: string;
  readonly holdId: string;
  readonly nowMs: InstantMs;
  /** The TI record's key in the step (undefined: the message has no TI). */
  readonly transactionKey: KeyRef | undefined;
}

export interface ApprovalEffects {
  readonly ops: Op[];
  readonly fees: FeeJson[];
  /** The hold this message opened. */
  readonly hold: { holdId: string; expiresAt: string } | null;
  readonly holdEffect: HoldEffectJson | null;
  readonly posted: MoneyJson | null;
  readonly reversedBeforeArrival: boolean;
  /** False when a reversal received first cancels the whole message: its limit counters do not move. */
  readonly countsAgainstLimits: boolean;
}

const MAX_CACHED_WALLETS = 256;
const walletFieldsByCurrency = new Map<string, { readonly ledger: string; readonly available: string }>();

/** walletFields, built once per currency: a plan names the wallet fields of every message. */
export function walletFieldsOf(currency: string): { readonly ledger: string; readonly available: string } {
  let fields = walletFieldsByCurrency.get(currency);
  if (fields === undefined) {
    fields = walletFields(currency);
    if (walletFieldsByCurrency.size < MAX_CACHED_WALLETS) walletFieldsByCurrency.set(currency, fields);
  }
  return fields;
}

export const feeJson = (lines: readonly FeeLine[]): FeeJson[] => lines.map((l) => ({ type: l.type, amount: { minor: l.amount.amountMinor.toString(), currency: l.amount.currency } }));

/** A reversal stored on the TI record before this message arrived, naming it in its field 90. */
export function pendingReversalOf(snapshot: AccountSnapshot, originalKey: string): PendingReversal | undefined {
  for (const [target, reversal] of snapshot.transaction?.pendingReversals ?? []) {
    if (sameOriginal(target, originalKey)) return reversal;
  }
  return undefined;
}

/** The amounts of an approved original on its TI record. */
export interface OriginalAmounts {
  readonly authorisedMinor: number;
  readonly billedMinor: number;
  readonly feesMinor: number;
}

/**
 * The TI record write of a processed original: its fields, its status and, when approved, its
 * amounts (the fields in that order, then the version, as transactionWrite writes them).
 */
export function originalWrite(
  input: Pick<ApprovalEffectsInput, 'snapshot' | 'request' | 'mti' | 'messageKey' | 'originalKey' | 'holdId' | 'nowMs'>,
  transactionKey: KeyRef,
  wallet: string,
  status: string,
  amounts: OriginalAmounts | undefined,
): Op {
  const values = originalFields(input, wallet);
  values.status = status;
  if (amounts !== undefined) {
    values.authorisedMinor = amounts.authorisedMinor;
    values.billedMinor = amounts.billedMinor;
    values.feesMinor = amounts.feesMinor;
  }
  return transactionWriteOf(transactionKey, input.snapshot.transaction, values, input.nowMs);
}

/** The fields of the TI record that describe its original (written approved or declined). */
export function originalFields(input: Pick<ApprovalEffectsInput, 'snapshot' | 'request' | 'mti' | 'messageKey' | 'originalKey' | 'holdId' | 'nowMs'>, wallet: string): Record<string, string | number> {
  const { snapshot, request } = input;
  return {
    accountId: snapshot.account.accountId,
    cardId: snapshot.card.cardId,
    mti: input.mti,
    messageKey: input.messageKey,
    originalKey: input.originalKey,
    holdId: input.holdId,
    openedAt: input.nowMs,
    kind: request.kind,
    currency: request.txn.transactionAmount.currency,
    wallet,
    mcc: request.txn.mcc,
    country: request.txn.acquirerCountry,
  };
}

/**
 * What the hold keeps of the message that opens it: its hold.expired event, published long after
 * the message, reports the card and merchant from here (libs/events HoldOrigin).
 */
function holdOriginOf(input: ApprovalEffectsInput): Required<HoldOrigin> {
  const { snapshot, request, pricing, program } = input;
  return {
    // As the authorisation's own event has them (baseRecord in plan-authorisation.ts).
    amount: moneyJson(request.txn.transactionAmount.amountMinor, request.txn.transactionAmount.currency),
    billing: moneyJson(pricing.billingAmount.amountMinor, pricing.billingAmount.currency),
    fx: pricing.conversion ? { rate: pricing.conversion.rate.toString(), markupPercent: disclosedMarkupPercent(program).toString() } : null,
    panMasked: maskPan(snapshot.card.panFirst6, snapshot.card.panLast4),
    mti: input.mti,
    processingCode: input.processingCode,
    mcc: request.txn.mcc,
    merchant: { id: request.merchantId ?? null, name: request.merchantName ?? null, country: request.merchantCountry ?? null },
  };
}

export function approvalEffects(input: ApprovalEffectsInput): ApprovalEffects {
  const { program, request, snapshot, pricing, transactionKey, nowMs } = input;
  const wallet = pricing.walletCurrency;
  const approvedTxn = num(input.approvedAmount.amountMinor);
  const debits = DEBIT_KINDS.has(request.kind);
  const billing = debits ? num(pricing.billingAmount.amountMinor) : 0;
  const fees = debits ? num(pricing.feesTotal.amountMinor) : 0;
  const pending = pendingReversalOf(snapshot, input.originalKey);
  let effective = { txn: approvedTxn, billing, fees };
  if (pending !== undefined && pending.remainsMinor === 0) effective = { txn: 0, billing: 0, fees: 0 };
  else if (pending !== undefined && pending.remainsMinor < approvedTxn) {
    effective = { txn: pending.remainsMinor, billing: billing - proportionalMinor(billing, approvedTxn - pending.remainsMinor, approvedTxn), fees };
  }
  const debit = effective.billing + effective.fees;
  const ops: Op[] = [];
  const reversedBeforeArrival = pending !== undefined && effective.txn < approvedTxn;
  const cancelled = reversedBeforeArrival && effective.txn === 0;
  const feeLines = cancelled ? [] : feeJson(pricing.fees);
  const countsAgainstLimits = !cancelled;

  if (request.txn.incremental) {
    // The caller checked the original's hold is open and pinned its stored value in the plan.
    const hold = snapshot.hold!.record;
    const tr = snapshot.transaction!;
    if (debit > 0) {
      ops.push({ type: 'hbump', key: BALANCES_KEY, field: walletFieldsOf(hold.currency).available, by: -debit });
      // An increment keeps the original's expiry (libs/programs holdExpiresAt).
      ops.push({ type: 'grow', holdId: hold.holdId, by: debit });
    }
    ops.push(
      transactionWrite(
        transactionKey!,
        tr,
        {
          [incrementField(input.originalKey)]: JSON.stringify({ amountMinor: effective.txn, billedMinor: effective.billing, feesMinor: effective.fees }),
          authorisedMinor: tr.authorisedMinor + effective.txn,
          billedMinor: tr.billedMinor + effective.billing,
          feesMinor: tr.feesMinor + effective.fees,
        },
        nowMs,
      ),
    );
    const holdEffect: HoldEffectJson | null =
      debit > 0 ? { holdId: hold.holdId, currency: hold.currency, effect: 'grown', amountMinor: String(debit), remainingMinor: String(hold.remainingMinor + debit) } : null;
    // The event names the hold it grew, with its (unchanged) expiry (http-and-events.md: "hold id
    // and expiry").
    const grown = debit > 0 ? { holdId: hold.holdId, expiresAt: isoTimestampOf(hold.expiresAt) } : null;
    return { fees: feeLines, reversedBeforeArrival, countsAgainstLimits, ops, hold: grown, holdEffect, posted: null };
  }

  let status: string;
  let hold: ApprovalEffects['hold'] = null;
  let holdEffect: HoldEffectJson | null = null;
  let posted: MoneyJson | null = null;
  if (debit > 0 && HOLD_KINDS.has(request.kind) && HOLDING_MTIS.has(input.mti)) {
    const expiresAt = holdExpiresAt(program, request.txn, nowMs);
    const record: ExpiringHold = {
      holdId: input.holdId,
      transactionId: request.transactionId ?? input.messageKey,
      cardId: snapshot.card.cardId,
      currency: wallet,
      amountMinor: debit,
      remainingMinor: debit,
      feesMinor: effective.fees,
      openedAt: nowMs,
      expiresAt,
      kind: request.txn.preAuthorisation ? 'pre-authorisation' : 'authorisation',
      ...holdOriginOf(input),
    };
    ops.push({ type: 'hbump', key: BALANCES_KEY, field: walletFieldsOf(wallet).available, by: -debit }, { type: 'hold', hold: record });
    status = 'held';
    hold = { holdId: input.holdId, expiresAt: isoTimestampOf(expiresAt) };
    holdEffect = { holdId: input.holdId, currency: wallet, effect: 'opened', amountMinor: String(debit), remainingMinor: String(debit) };
  } else if (debit > 0) {
    // 0200 (final amount, no clearing follows) and fee-only services post at once.
    ops.push({ type: 'post', currency: wallet, by: -debit });
    status = 'posted';
    posted = moneyJson(-debit, wallet);
  } else {
    status = reversedBeforeArrival ? 'reversed' : 'approved';
  }
  if (transactionKey !== undefined) {
    ops.push(originalWrite(input, transactionKey, wallet, status, { authorisedMinor: effective.txn, billedMinor: effective.billing, feesMinor: effective.fees }));
  }
  return { fees: feeLines, reversedBeforeArrival, countsAgainstLimits, ops, hold, holdEffect, posted };
}
