import type { HoldEffectJson } from '@lib/events';
import { CurrencyCode, Money, money } from '@lib/money';
import { CardTransaction, InstantMs, NO_FEE_USAGE, Pricing, priceInWallet, priceTransaction, Program, ProgramCatalogue, TransactionKind } from '@lib/programs';
import { AtomicStepPlan, BALANCES_KEY, HOLDS_KEY, keys, Op, StepKeys, walletFields } from '@lib/store';
import { AccountSnapshot, openHoldAt } from '../authorise/account-snapshot';
import { feeJson, HOLD_KINDS } from '../shared/approval-effects';
import { FollowUpBasics, followUpRecord } from '../shared/follow-up';
import type { PlannedStep } from '../shared/run-decision';
import { moneyJson, num, transactionExpectation, transactionWrite } from '../shared/transaction-writes';

/**
 * A completion advice (0220 -> 0230): field 4 is the **final** amount of the authorisation `TI`.
 * It posts the final amount plus its fees to the ledger and releases the rest of the hold (the
 * hold's end: `cleared`); more than the hold is debited all the same. An advice cannot be
 * refused: it is answered `00` whenever the card is known.
 *
 * When there is no open hold to clear (it expired, the TI was reversed or declined, or is unknown)
 * the final amount is posted all the same, even below zero (clearing.md: "a presentment after the
 * hold expired, or a force post, debits the account even below zero"), and the record says why
 * (`lateAfterExpiry`, `unmatched`) so settlement books it as a force post with no hold to consume.
 * A completion of a TI already completed, or of a 0200 (final at once), changes nothing.
 */
export interface CompletionPlanInput {
  readonly catalogue: ProgramCatalogue;
  readonly program: Program;
  readonly completion: FollowUpBasics;
  /** Field 19 of the 0220, used only when the TI is unknown. */
  readonly acquirerCountry: string | undefined;
  readonly snapshot: AccountSnapshot;
  readonly mti: string;
  readonly messageKey: string;
  readonly originalKey: string;
  readonly nowMs: InstantMs;
  readonly eventId: string;
}

/** undefined: the final amount cannot be priced (no reference rate): the caller answers 96. */
export function planCompletion(input: CompletionPlanInput): PlannedStep | undefined {
  const { program, completion, snapshot, nowMs } = input;
  const accountId = snapshot.account.accountId;
  const tr = snapshot.transaction!;
  const k = new StepKeys(accountId);
  const transactionKey = k.ref(keys.transaction(accountId, completion.transactionId));
  const pricing = completion.amount.amountMinor > 0n ? priceFinal(input) : undefined;
  if (completion.amount.amountMinor > 0n && pricing === undefined) return undefined;
  const wallet = tr.wallet ?? pricing?.walletCurrency ?? program.accountCurrency;
  const plan: AtomicStepPlan = {
    dedupe: { key: k.ref(keys.message(accountId, input.messageKey)), ttlMs: 24 * 3600 * 1000 },
    expect: [transactionExpectation(transactionKey, tr)],
    onApprove: [],
    report: [
      { key: BALANCES_KEY, field: walletFields(wallet).ledger },
      { key: BALANCES_KEY, field: walletFields(wallet).available },
    ],
  };
  const record = followUpRecord('completion.applied', completion, snapshot, {
    eventId: input.eventId,
    nowMs,
    mti: input.mti,
    balanceCurrency: wallet,
    billing: pricing ? moneyJson(pricing.billingAmount.amountMinor, wallet) : null,
  });
  if (tr.status === 'completed' || tr.status === 'posted') {
    record.context = { completion: tr.status === 'completed' ? 'already-completed' : 'already-final' };
    return { stepKeys: k, plan, record };
  }

  const total = pricing ? num(pricing.totalDebit.amountMinor) : 0;
  const ops: Op[] = [];
  if (total > 0) ops.push({ type: 'post', currency: wallet, by: -total });
  const hold = tr.status === 'held' ? openHoldAt(snapshot, nowMs) : undefined;
  let holdEffect: HoldEffectJson | null = null;
  if (hold) {
    plan.expect!.push({ key: HOLDS_KEY, field: hold.record.holdId, value: hold.raw });
    ops.push({ type: 'release', holdId: hold.record.holdId, close: true });
    holdEffect = { holdId: hold.record.holdId, currency: hold.record.currency, effect: 'cleared', amountMinor: String(hold.record.remainingMinor), remainingMinor: '0' };
  }
  const unmatched = tr.status === undefined;
  const registration: Record<string, string | number> = unmatched
    ? {
        accountId,
        cardId: snapshot.card.cardId,
        mti: input.mti,
        messageKey: input.messageKey,
        originalKey: input.originalKey,
        openedAt: nowMs,
        kind: completionKind(input),
        currency: completion.amount.currency,
        wallet,
      }
    : {};
  ops.push(
    transactionWrite(
      transactionKey,
      tr,
      { ...registration, status: 'completed', finalMinor: num(completion.amount.amountMinor), billedMinor: pricing ? num(pricing.billingAmount.amountMinor) : 0, feesMinor: pricing ? num(pricing.feesTotal.amountMinor) : 0 },
      nowMs,
    ),
  );
  plan.onApprove = ops;
  record.approved = {
    ...record.approved,
    fees: pricing ? feeJson(pricing.fees) : [],
    holdEffect,
    posted: total > 0 ? moneyJson(-total, wallet) : null,
    ...(tr.status === 'held' && hold === undefined ? { lateAfterExpiry: true } : {}),
    ...(unmatched ? { unmatched: true } : {}),
  };
  if (pricing?.conversion) record.context = { field10: pricing.conversion.field10 };
  return { stepKeys: k, plan, record };
}

function completionKind(input: CompletionPlanInput): TransactionKind {
  const kind = input.snapshot.transaction?.kind;
  if (kind !== undefined && HOLD_KINDS.has(kind)) return kind as TransactionKind;
  return input.completion.processingCode.startsWith('01') ? 'cash-withdrawal' : 'purchase';
}

/**
 * The final amount priced as at authorisation, at the completion's processing day (the rate of
 * the day, as clearing does), on the wallet the hold was taken from. Fee usage counters (premium
 * free ATM quota) are not consulted: the quota was counted by the authorisation.
 */
function priceFinal(input: CompletionPlanInput): Pricing | undefined {
  const { program, completion, snapshot, catalogue, nowMs } = input;
  const tr = snapshot.transaction;
  const txn: CardTransaction = {
    kind: completionKind(input),
    channel: 'pos',
    entryMode: 'chip',
    preAuthorisation: false,
    incremental: false,
    transactionAmount: completion.amount,
    acquirerCountry: tr?.country ?? input.acquirerCountry ?? program.homeCountry,
    mcc: tr?.mcc ?? completion.mcc ?? '0000',
  };
  const wallet = tr?.wallet as CurrencyCode | undefined;
  const priced = wallet
    ? priceInWallet(program, txn, wallet, NO_FEE_USAGE, nowMs, catalogue.rates)
    : priceTransaction(program, txn, availableBalances(program, snapshot), NO_FEE_USAGE, nowMs, catalogue.rates);
  return priced.ok ? priced.value : undefined;
}

function availableBalances(program: Program, snapshot: AccountSnapshot): Map<CurrencyCode, Money> {
  return new Map(program.walletCurrencies.map((code) => [code, money(snapshot.balances.get(walletFields(code).available) ?? 0n, code)]));
}
