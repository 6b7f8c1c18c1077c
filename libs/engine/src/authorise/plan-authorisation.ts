import type { DecisionRecord, DeclineOutcome, FeeJson, MoneyJson } from '@lib/events';
import { CurrencyCode, Money, money } from '@lib/money';
import {
  ApprovalKind,
  checkCardExpiry,
  checkPermissions,
  countersFor,
  DeclineReason,
  declineReasonName,
  decideSca,
  disclosedMarkupPercent,
  equivalentIn,
  FeeLine,
  holdExpiresAt,
  insufficientFundsDeclineFee,
  InstantMs,
  LimitPlan,
  localDateOf,
  dayIdOf,
  monthIdOf,
  Pricing,
  priceTransaction,
  Program,
  ProgramCatalogue,
  responseCodeForApproval,
  responseCodeForDecline,
  startOfNextLocalMonth,
  verifyPinAttempt,
} from '@lib/programs';
import { AtomicStepPlan, BALANCES_KEY, Check, HoldRecord, keys, maskPan, Op, StepKeys, walletFields } from '@lib/store';
import type { AccountSnapshot } from './account-snapshot';
import type { ParsedRequest } from './parse-request';

/**
 * The decision of one authorisation request, in the spec's order of checks (network-interface.md):
 * what can be decided from the card and the message is decided here, in TypeScript, from the
 * snapshot; what depends on numbers that move under concurrent requests (limit counters, the
 * available balance) becomes checks of the atomic step, in the same order, so the first failing
 * check still decides. The plan carries the versions of the card and account it was computed
 * from: if either changed, the step refuses it and the engine recomputes.
 */
export interface PlanInput {
  readonly catalogue: ProgramCatalogue;
  readonly program: Program;
  readonly request: ParsedRequest;
  readonly snapshot: AccountSnapshot;
  readonly mti: string;
  readonly processingCode: string;
  readonly messageKey: string;
  readonly nowMs: InstantMs;
  readonly eventId: string;
  readonly authCode: string;
  readonly holdId: string;
  /** The PIN in the message, decrypted (undefined: no PIN block, or not a valid block). */
  readonly pinEntered: string | undefined;
  readonly pinCorrect: boolean;
  readonly cvv2Correct: boolean | undefined;
}

export interface AuthorisationPlan {
  readonly stepKeys: StepKeys;
  readonly plan: AtomicStepPlan;
  readonly record: DecisionRecord;
}

/** The fee-usage counter of the premium free ATM quota: home-currency ATM withdrawals this month. */
export function feeUsageCounterKey(program: Program, nowMs: InstantMs): string {
  return `fee-usage.atm-home.month:${monthIdOf(localDateOf(nowMs, program.timeZone))}`;
}

const DEBIT_KINDS = new Set(['purchase', 'cash-withdrawal', 'purchase-with-cashback', 'balance-inquiry', 'available-funds-inquiry', 'pin-change']);
const HOLD_KINDS = new Set(['purchase', 'cash-withdrawal', 'purchase-with-cashback']);
const TRANSACTION_RECORD_TTL_MS = 45 * 24 * 3600 * 1000;

const json = (m: Money): MoneyJson => ({ minor: m.amountMinor.toString(), currency: m.currency });
const feeJson = (lines: readonly FeeLine[]): FeeJson[] => lines.map((l) => ({ type: l.type, amount: json(l.amount) }));
const num = (value: bigint): number => {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('amount beyond exact range');
  return Number(value);
};

function declineOutcome(reason: DeclineReason, fees: FeeJson[] = []): DeclineOutcome {
  return { reason: declineReasonName(reason), responseCode: responseCodeForDecline(reason), fees };
}

/** Card and account checks, in order; the first that fails decides. */
function cardChecks(input: PlanInput, pricing: Pricing | undefined): DeclineReason | undefined {
  const { program, request, snapshot, nowMs } = input;
  const { card, account } = snapshot;
  if (!request.txn.incremental && request.transactionId !== undefined && snapshot.transactionKnown) return DeclineReason.DuplicateTransactionId;
  if (request.txn.incremental && !snapshot.transactionKnown) return DeclineReason.TransactionNotSupported;
  switch (card.state) {
    case 'lost':
      return DeclineReason.CardLost;
    case 'stolen':
      return DeclineReason.CardStolen;
    case 'blocked-temporary':
    case 'blocked-total':
    case 'restricted':
      return DeclineReason.CardRestricted;
    case 'inactive':
      return DeclineReason.CardNotActivated;
  }
  if (account.status !== 'active') return DeclineReason.CardRestricted;
  const expiry = checkCardExpiry(card.expiry, request.field14, nowMs, program.timeZone);
  if (expiry !== undefined) return expiry;
  // PIN change (processing 92) is not offered yet: 12, "not allowed for this message or card".
  if (request.kind === 'pin-change') return DeclineReason.TransactionNotSupported;
  const permission = checkPermissions(program, request.txn, {
    cardForm: card.form,
    deviceWallet: request.deviceWallet,
    recurring: request.merchantInitiated === 'R',
    recurringConsentRevoked: snapshot.consentRevoked,
  });
  if (permission !== undefined) return permission;
  const pin = pinDecision(input);
  if (pin !== undefined && pin.outcome === 'declined') return pin.reason;
  if (input.cvv2Correct === false) return DeclineReason.Cvv2Mismatch;
  const sca = scaDecision(input, pricing);
  if (sca?.outcome === 'declined') return sca.reason;
  if (DEBIT_KINDS.has(request.kind) && (snapshot.balances.get(walletFields(program.accountCurrency).ledger) ?? 0n) < 0n) {
    return DeclineReason.AccountSuspended;
  }
  return undefined;
}

/** PIN verification when the message carries a PIN, or the channel requires one (ATM). */
function pinDecision(input: PlanInput) {
  const { request, snapshot, program } = input;
  const pinRequired = request.txn.channel === 'atm';
  if (request.pinBlock === undefined && !pinRequired) return undefined;
  const max = program.pin.maxConsecutiveWrong;
  const state = { consecutiveWrong: snapshot.card.pinTries, blocked: snapshot.card.pinTries >= max };
  return verifyPinAttempt(state, input.pinCorrect, max);
}

function scaDecision(input: PlanInput, pricing: Pricing | undefined) {
  const { request, snapshot, program } = input;
  const ecommerce = request.field25 === '59';
  if (!ecommerce) return undefined;
  const eur = program.sca.exemptionMaxAmount.currency;
  const billing = pricing?.billingAmount ?? request.txn.transactionAmount;
  const measured = equivalentIn(input.catalogue.rates, dayIdOf(localDateOf(input.nowMs, program.timeZone)), billing, eur);
  return decideSca(
    program.sca,
    { exemptedCount: snapshot.card.scaExemptCount, exemptedTotal: money(BigInt(snapshot.card.scaExemptSumMinor), eur) },
    {
      ecommerce,
      merchantInitiated: request.merchantInitiated !== undefined,
      accountVerification: request.kind === 'account-verification',
      scaPerformed: request.scaPerformed,
      amount: measured.ok ? measured.value : billing,
    },
  );
}

function availableBalances(program: Program, snapshot: AccountSnapshot): Map<CurrencyCode, Money> {
  const balances = new Map<CurrencyCode, Money>();
  for (const code of program.walletCurrencies) {
    balances.set(code, money(snapshot.balances.get(walletFields(code).available) ?? 0n, code));
  }
  return balances;
}

function price(input: PlanInput): Pricing | undefined {
  const { program, request, snapshot, catalogue, nowMs } = input;
  const usage = { accountCurrencyAtmWithdrawalsThisMonth: Number(snapshot.counters.get(feeUsageCounterKey(program, nowMs)) ?? 0n) };
  const priced = priceTransaction(program, request.txn, availableBalances(program, snapshot), usage, nowMs, catalogue.rates);
  return priced.ok ? priced.value : undefined;
}

export function planAuthorisation(input: PlanInput): AuthorisationPlan {
  const { program, request, snapshot, nowMs } = input;
  const { account, card } = snapshot;
  const k = new StepKeys(account.accountId);
  const cardKey = k.ref(keys.card(account.accountId, card.cardId));
  const accountKey = k.ref(keys.account(account.accountId));
  const pricing = price(input);
  const predecline = pricing === undefined ? DeclineReason.TransactionNotSupported : cardChecks(input, pricing);
  const wallet = pricing?.walletCurrency ?? program.accountCurrency;
  const fields = walletFields(wallet);

  const plan: AtomicStepPlan = {
    dedupe: { key: k.ref(keys.message(account.accountId, input.messageKey)), ttlMs: 24 * 3600 * 1000 },
    expect: [
      { key: cardKey, field: 'version', value: String(card.version) },
      { key: accountKey, field: 'version', value: String(account.version) },
    ],
    checks: [],
    onApprove: [],
    onDecline: {},
    always: [...pinOps(input, cardKey)],
    report: [
      { key: BALANCES_KEY, field: fields.ledger },
      { key: BALANCES_KEY, field: fields.available },
    ],
  };
  const declines: Record<string, DeclineOutcome> = {};
  const transactionKey = request.transactionId ? k.ref(keys.transaction(account.accountId, request.transactionId)) : undefined;
  if (transactionKey !== undefined && !request.txn.incremental) {
    // Registers the TI of every processed original, approved or not: a later, different original
    // with the same TI is a 94 (network-interface.md).
    plan.always!.push({
      type: 'hset',
      key: transactionKey,
      values: { accountId: account.accountId, cardId: card.cardId, mti: input.mti, messageKey: input.messageKey, holdId: input.holdId, openedAt: nowMs },
      expireAt: nowMs + TRANSACTION_RECORD_TTL_MS,
    });
  }

  const record = baseRecord(input, pricing);
  if (predecline !== undefined) {
    record.predeclined = declineOutcome(predecline);
    return { stepKeys: k, plan: { ...plan, checks: [], onApprove: [] }, record };
  }
  const p = pricing!;
  if (transactionKey !== undefined && !request.txn.incremental) {
    plan.checks!.push({ name: 'transaction-id-reused', type: 'absent', key: transactionKey });
    declines['transaction-id-reused'] = declineOutcome(DeclineReason.DuplicateTransactionId);
  }
  addFeeUsageGuard(input, k, plan);
  const debits = DEBIT_KINDS.has(request.kind) && p.totalDebit.amountMinor > 0n;
  if (debits) {
    plan.checks!.push({ name: 'account-suspended', type: 'min', key: BALANCES_KEY, field: walletFields(program.accountCurrency).ledger, min: 0 });
    declines['account-suspended'] = declineOutcome(DeclineReason.AccountSuspended);
  }
  const limits = countersFor(program, request.txn, p.billingAmount, nowMs, input.catalogue.rates);
  if (!limits.ok) {
    record.predeclined = declineOutcome(DeclineReason.TransactionNotSupported);
    return { stepKeys: k, plan: { ...plan, checks: [], onApprove: [] }, record };
  }
  addLimitChecks(limits.value, k, plan, declines);
  if (debits) {
    plan.checks!.push({ name: 'funds', type: 'hbump', key: BALANCES_KEY, field: fields.available, by: -num(p.totalDebit.amountMinor), min: 0 });
    const declineFee = insufficientFundsDeclineFee(program, request.txn, money(snapshot.balances.get(walletFields(program.accountCurrency).available) ?? 0n, program.accountCurrency));
    declines.funds = declineOutcome(DeclineReason.InsufficientFunds, feeJson(declineFee));
    plan.onDecline!.funds = declineFee.map((fee): Op => ({ type: 'post', currency: program.accountCurrency, by: -num(fee.amount.amountMinor), covered: true }));
  }
  plan.onApprove!.push(...approvalOps(input, p, k, cardKey, limits.value));
  record.declines = declines;
  return { stepKeys: k, plan, record };
}

function pinOps(input: PlanInput, cardKey: number): Op[] {
  const pin = pinDecision(input);
  if (pin === undefined || pin.next.consecutiveWrong === input.snapshot.card.pinTries) return [];
  return [{ type: 'hset', key: cardKey, values: { pinTries: pin.next.consecutiveWrong, version: input.snapshot.card.version + 1 } }];
}

/** The premium free ATM quota was priced from a count: the step refuses the plan if it moved. */
function addFeeUsageGuard(input: PlanInput, k: StepKeys, plan: AtomicStepPlan): void {
  const { program, request, snapshot, nowMs } = input;
  if (request.kind !== 'cash-withdrawal' || request.txn.transactionAmount.currency !== program.accountCurrency) return;
  const counter = feeUsageCounterKey(program, nowMs);
  const used = num(snapshot.counters.get(counter) ?? 0n);
  const key = k.ref(keys.counter(snapshot.account.accountId, counter));
  plan.checks!.push({ name: 'fee-usage', type: 'bump', key, by: 1, max: used + 1, stale: true, move: false });
  plan.onApprove!.push({ type: 'bump', key, by: 1, expireAt: startOfNextLocalMonth(nowMs, program.timeZone) + 24 * 3600 * 1000 });
}

function addLimitChecks(limits: LimitPlan, k: StepKeys, plan: AtomicStepPlan, declines: Record<string, DeclineOutcome>): void {
  const accountId = k.accountId;
  limits.checks.forEach((check) => {
    const name = `limit:${check.rule.name}`;
    const by = num(check.increment);
    const max = num(check.limit);
    let c: Check;
    if (check.sumKeys.length === 0) c = { name, type: 'const', pass: check.increment <= check.limit };
    else if (check.sumKeys.length === 1) c = { name, type: 'bump', key: k.ref(keys.counter(accountId, check.sumKeys[0])), by, max, move: false };
    else c = { name, type: 'bumpSum', keys: check.sumKeys.map((key) => k.ref(keys.counter(accountId, key))), by, max, move: false };
    plan.checks!.push(c);
    declines[name] = declineOutcome(check.declineReason);
  });
}

function approvalOps(input: PlanInput, p: Pricing, k: StepKeys, cardKey: number, limits: LimitPlan): Op[] {
  const { request, snapshot, nowMs, program } = input;
  const ops: Op[] = limits.moves.map((move) => ({
    type: 'bump' as const,
    key: k.ref(keys.counter(snapshot.account.accountId, move.key)),
    by: num(move.increment),
    expireAt: move.expiresAt + 24 * 3600 * 1000,
  }));
  const sca = scaDecision(input, p);
  if (sca && sca.outcome !== 'declined' && sca.outcome !== 'out-of-scope') {
    ops.push({
      type: 'hset',
      key: cardKey,
      values: { scaExemptCount: sca.onApproval.exemptedCount, scaExemptSumMinor: num(sca.onApproval.exemptedTotal.amountMinor), version: snapshot.card.version + 1 },
    });
  }
  const total = p.totalDebit.amountMinor;
  if (total === 0n) return ops;
  const holds = HOLD_KINDS.has(request.kind) && input.mti === '0100';
  if (holds && request.txn.incremental) {
    ops.push({ type: 'grow', holdId: snapshotHoldId(input), by: num(total), expiresAt: holdExpiresAt(program, request.txn, nowMs) });
  } else if (holds) {
    const hold: HoldRecord = {
      holdId: input.holdId,
      transactionId: request.transactionId ?? input.eventId,
      cardId: snapshot.card.cardId,
      currency: p.walletCurrency,
      amountMinor: num(total),
      remainingMinor: num(total),
      feesMinor: num(p.feesTotal.amountMinor),
      openedAt: nowMs,
      expiresAt: holdExpiresAt(program, request.txn, nowMs),
      kind: request.txn.preAuthorisation ? 'pre-authorisation' : 'authorisation',
    };
    ops.push({ type: 'hold', hold });
  } else {
    // 0200 (final amount, no clearing follows) and fee-only services post at once: the funds check
    // already took the available balance; the ledger follows.
    ops.push({ type: 'hbump', key: BALANCES_KEY, field: walletFields(p.walletCurrency).ledger, by: -num(total) });
  }
  return ops;
}

/** An incremental authorisation grows the hold of its original, whose hold id the TI record keeps. */
function snapshotHoldId(input: PlanInput): string {
  return input.snapshot.originalHoldId ?? input.holdId;
}

function baseRecord(input: PlanInput, pricing: Pricing | undefined): DecisionRecord {
  const { request, snapshot, nowMs, program } = input;
  const wallet = pricing?.walletCurrency ?? program.accountCurrency;
  const approvedFees = pricing ? feeJson(pricing.fees) : [];
  const holdCreated = pricing !== undefined && HOLD_KINDS.has(request.kind) && input.mti === '0100' && pricing.totalDebit.amountMinor > 0n && !request.txn.incremental;
  const approvalKind = request.kind === 'account-verification' ? ApprovalKind.VerifiedNoReasonToDecline : ApprovalKind.Approved;
  const context: Record<string, string> = { channel: request.txn.channel, entryMode: request.txn.entryMode, kind: request.kind };
  if (pricing?.conversion) context.field10 = pricing.conversion.field10;
  return {
    v: 1,
    eventId: input.eventId,
    occurredAt: new Date(nowMs).toISOString(),
    accountId: snapshot.account.accountId,
    cardId: snapshot.card.cardId,
    panMasked: maskPan(snapshot.card.panFirst6, snapshot.card.panLast4),
    transactionId: request.transactionId ?? null,
    mti: input.mti,
    processingCode: input.processingCode,
    amount: json(request.txn.transactionAmount),
    billing: pricing ? json(pricing.billingAmount) : null,
    fx: pricing?.conversion ? { rate: pricing.conversion.rate.toString(), markupPercent: disclosedMarkupPercent(program).toString() } : null,
    mcc: request.txn.mcc,
    merchant: { id: request.merchantId ?? null, name: request.merchantName ?? null, country: request.merchantCountry ?? null },
    approved: {
      type: 'authorization.approved',
      responseCode: responseCodeForApproval(approvalKind),
      authCode: input.authCode,
      approvedAmount: json(request.txn.transactionAmount),
      fees: approvedFees,
      hold: holdCreated ? { holdId: input.holdId, expiresAt: new Date(holdExpiresAt(program, request.txn, nowMs)).toISOString() } : null,
    },
    predeclined: null,
    declines: {},
    balanceCurrency: wallet,
    context,
  };
}
