import type { DecisionRecord, StandInJson } from '@lib/events';
import { CurrencyCode, Money, money } from '@lib/money';
import { countersFor, disclosedMarkupPercent, InstantMs, Pricing, priceTransaction, Program, ProgramCatalogue, startOfNextLocalMonth } from '@lib/programs';
import { AtomicStepPlan, BALANCES_KEY, HOLDS_KEY, keys, Op, StepKeys, walletFields } from '@lib/store';
import { AccountSnapshot, openHoldAt } from '../authorise/account-snapshot';
import type { ParsedRequest } from '../authorise/parse-request';
import { feeUsageCounterKey, limitMoves } from '../authorise/plan-authorisation';
import { approvalEffects, originalFields } from '../shared/approval-effects';
import { followUpRecord } from '../shared/follow-up';
import type { PlannedStep } from '../shared/run-decision';
import { moneyJson, num, transactionExpectation, transactionWrite } from '../shared/transaction-writes';

/**
 * A stand-in authorisation advice (0120 -> 0130): the network approved on the issuer's behalf
 * (fields 39 / 38 carry its decision), so the issuer applies it even if it overdraws the account
 * and answers `00`. No check can refuse it: no card state, PIN, SCA, limit or funds check. It
 * moves what an approval moves: the hold (or, for a final kind, the posting), the fees, the limit
 * counters (an advice counts against the limits of later requests), the fee-usage counter.
 *
 * It changes nothing when the network's stand-in decision was a decline, or when the issuer had
 * already approved the same TI (the network's advice of a request the issuer answered too late).
 * When the issuer had declined that request, the network's approval wins and is applied.
 */
export interface AdvicePlanInput {
  readonly catalogue: ProgramCatalogue;
  readonly program: Program;
  readonly request: ParsedRequest;
  readonly standIn: { responseCode: string; authCode: string | null };
  readonly snapshot: AccountSnapshot;
  readonly mti: string;
  readonly processingCode: string;
  readonly messageKey: string;
  readonly originalKey: string;
  readonly nowMs: InstantMs;
  readonly eventId: string;
  readonly holdId: string;
}

/** Stand-in decisions that approve (partially, or a card check's 85): the advice is applied. */
const APPROVING_CODES = new Set(['00', '10', '85']);

/** undefined: the amount cannot be priced (no reference rate): the caller answers 96. */
export function planAdvice(input: AdvicePlanInput): PlannedStep | undefined {
  const { program, request, snapshot, nowMs } = input;
  const accountId = snapshot.account.accountId;
  const tr = snapshot.transaction;
  const priced = priceTransaction(program, request.txn, availableBalances(program, snapshot), usage(input), nowMs, input.catalogue.rates);
  if (!priced.ok) return undefined;
  const pricing = priced.value;
  const wallet = pricing.walletCurrency;
  const k = new StepKeys(accountId);
  const transactionKey = request.transactionId !== undefined ? k.ref(keys.transaction(accountId, request.transactionId)) : undefined;
  const plan: AtomicStepPlan = {
    dedupe: { key: k.ref(keys.message(accountId, input.messageKey)), ttlMs: 24 * 3600 * 1000 },
    expect: transactionKey !== undefined ? [transactionExpectation(transactionKey, tr)] : [],
    onApprove: [],
    report: [
      { key: BALANCES_KEY, field: walletFields(wallet).ledger },
      { key: BALANCES_KEY, field: walletFields(wallet).available },
    ],
  };
  const record = adviceRecord(input, pricing);
  const approving = APPROVING_CODES.has(input.standIn.responseCode);
  const hold = openHoldAt(snapshot, nowMs);
  const applies = approving && (request.txn.incremental ? tr?.status === 'held' && hold !== undefined && !tr.increments.has(input.originalKey) : tr?.status === undefined || tr.status === 'declined');
  const standIn: StandInJson = { ...input.standIn, applied: applies };
  if (!applies) {
    // A stand-in decline of an original the issuer never saw still registers its TI (94 later).
    if (transactionKey !== undefined && !request.txn.incremental && tr?.status === undefined) {
      plan.onApprove = [transactionWrite(transactionKey, tr, { ...originalFields({ ...input, holdId: '' }, wallet), status: 'declined' }, nowMs)];
    }
    record.approved = { ...record.approved, fees: [], standIn };
    return { stepKeys: k, plan, record };
  }
  if (request.txn.incremental && hold) plan.expect!.push({ key: HOLDS_KEY, field: hold.record.holdId, value: hold.raw });
  const effects = approvalEffects({
    program,
    request,
    snapshot,
    approvedAmount: request.txn.transactionAmount,
    pricing,
    mti: input.mti,
    processingCode: input.processingCode,
    messageKey: input.messageKey,
    // The network's approval of a request the issuer declined keeps that request's identity, so a
    // reversal naming it (field 90) finds the transaction.
    originalKey: tr?.status === 'declined' && tr.originalKey !== undefined ? tr.originalKey : input.originalKey,
    holdId: input.holdId,
    nowMs,
    transactionKey,
  });
  const ops: Op[] = [];
  const limits = countersFor(program, request.txn, pricing.billingAmount, nowMs, input.catalogue.rates);
  if (effects.countsAgainstLimits && limits.ok) ops.push(...limitMoves(limits.value, k));
  if (effects.countsAgainstLimits && request.kind === 'cash-withdrawal' && request.txn.transactionAmount.currency === program.accountCurrency) {
    const counter = keys.counter(accountId, feeUsageCounterKey(program, nowMs));
    ops.push({ type: 'bump', key: k.ref(counter), by: 1, expireAt: startOfNextLocalMonth(nowMs, program.timeZone) + 24 * 3600 * 1000 });
  }
  plan.onApprove = [...ops, ...effects.ops];
  record.approved = {
    ...record.approved,
    fees: effects.fees,
    hold: effects.hold,
    holdEffect: effects.holdEffect,
    posted: effects.posted,
    standIn,
    ...(effects.reversedBeforeArrival ? { reversedBeforeArrival: true } : {}),
  };
  return { stepKeys: k, plan, record };
}

function adviceRecord(input: AdvicePlanInput, pricing: Pricing): DecisionRecord {
  const { request, program } = input;
  const record = followUpRecord(
    'advice.applied',
    {
      pan: request.pan,
      transactionId: request.transactionId ?? '',
      amount: request.txn.transactionAmount,
      processingCode: input.processingCode,
      mcc: request.txn.mcc,
      merchantId: request.merchantId ?? null,
      merchantName: request.merchantName ?? null,
      merchantCountry: request.merchantCountry ?? null,
    },
    input.snapshot,
    { eventId: input.eventId, nowMs: input.nowMs, mti: input.mti, balanceCurrency: pricing.walletCurrency, billing: moneyJson(num(pricing.billingAmount.amountMinor), pricing.walletCurrency) },
  );
  record.transactionId = request.transactionId ?? null;
  record.approved.authCode = input.standIn.authCode;
  record.fx = pricing.conversion ? { rate: pricing.conversion.rate.toString(), markupPercent: disclosedMarkupPercent(program).toString() } : null;
  record.context = { channel: request.txn.channel, entryMode: request.txn.entryMode, kind: request.kind, standIn: input.standIn.responseCode };
  if (pricing.conversion) record.context.field10 = pricing.conversion.field10;
  return record;
}

function usage(input: AdvicePlanInput) {
  return { accountCurrencyAtmWithdrawalsThisMonth: Number(input.snapshot.counters.get(feeUsageCounterKey(input.program, input.nowMs)) ?? 0n) };
}

function availableBalances(program: Program, snapshot: AccountSnapshot): Map<CurrencyCode, Money> {
  return new Map(program.walletCurrencies.map((code) => [code, money(snapshot.balances.get(walletFields(code).available) ?? 0n, code)]));
}
