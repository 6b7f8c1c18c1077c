import type { DecisionRecord, DeclineOutcome, FeeJson, MoneyJson } from '@lib/events';
import { CurrencyCode, Money, money } from '@lib/money';
import {
  ApprovalKind,
  calendarDayOf,
  checkCardExpiry,
  checkPermissions,
  countersFor,
  DeclineReason,
  declineReasonName,
  decideSca,
  disclosedMarkupPercent,
  equivalentIn,
  FeeUsage,
  insufficientFundsDeclineFee,
  InstantMs,
  isMerchantInitiated,
  isoTimestampOf,
  LimitPlan,
  LimitRule,
  PinOutcome,
  pinRequired,
  Pricing,
  priceInWallet,
  priceTransaction,
  Program,
  ProgramCatalogue,
  refuseMissingPin,
  responseCodeForApproval,
  responseCodeForDecline,
  startOfNextLocalMonth,
  suspendedByBalances,
  verifyPinAttempt,
  WalletBalances,
} from '@lib/programs';
import { AtomicStepPlan, BALANCES_KEY, Check, HOLDS_KEY, KeyRef, keys, maskPan, Op, StepKeys } from '@lib/store';
import { approvalEffects, DEBIT_KINDS, feeJson, originalWrite, walletFieldsOf } from '../shared/approval-effects';
import { num, transactionExpectation } from '../shared/transaction-writes';
import { AccountSnapshot, openHoldAt } from './account-snapshot';
import type { ParsedRequest } from './parse-request';

/**
 * The decision of one authorisation request, in the spec's order of checks (network-interface.md):
 * what can be decided from the card and the message is decided here, in TypeScript, from the
 * snapshot; what depends on numbers that move under concurrent requests (limit counters, the
 * available balance) becomes checks of the atomic step, in the same order, so the first failing
 * check still decides. The plan carries the versions of the card, account and TI record it was
 * computed from (and, for an incremental authorisation, the stored hold): if any changed, the step
 * refuses it and the engine recomputes.
 */
export interface PlanInput {
  readonly catalogue: ProgramCatalogue;
  readonly program: Program;
  readonly request: ParsedRequest;
  readonly snapshot: AccountSnapshot;
  readonly mti: string;
  readonly processingCode: string;
  /** Retry identity (MTI, 32, 11, 7): the dedupe key. */
  readonly messageKey: string;
  /** Identity as field 90 of a reversal names this message (see message-identity.ts). */
  readonly originalKey: string;
  readonly nowMs: InstantMs;
  readonly eventId: string;
  readonly authCode: string;
  readonly holdId: string;
  /** The PIN in the message, decrypted (undefined: no PIN block, or not a valid block). */
  readonly pinEntered: string | undefined;
  readonly pinCorrect: boolean;
  readonly cvv2Correct: boolean | undefined;
  /** PIN change (processing 92): keyed check of the new PIN of field 48 `NP`, computed by the caller. */
  readonly newPinCheck?: string;
}

export interface AuthorisationPlan {
  readonly stepKeys: StepKeys;
  readonly plan: AtomicStepPlan;
  readonly record: DecisionRecord;
}

/** The fee-usage counter of the premium free ATM quota: home-currency ATM withdrawals this month. */
export function feeUsageCounterKey(program: Program, nowMs: InstantMs): string {
  return `fee-usage.atm-home.month:${calendarDayOf(nowMs, program.timeZone).monthId}`;
}

const json = (m: Money): MoneyJson => ({ minor: m.amountMinor.toString(), currency: m.currency });

function declineOutcome(reason: DeclineReason, fees: FeeJson[] = []): DeclineOutcome {
  return { reason: declineReasonName(reason), responseCode: responseCodeForDecline(reason), fees };
}

/**
 * Card and account checks before the PIN check, in order; the first that fails decides. A message
 * declined here never reaches the PIN check: its PIN, right or wrong, leaves the try count alone.
 */
function cardChecks(input: PlanInput): DeclineReason | undefined {
  const { program, request, snapshot, nowMs } = input;
  const { card, account } = snapshot;
  if (!request.txn.incremental && request.transactionId !== undefined && snapshot.transactionKnown) return DeclineReason.DuplicateTransactionId;
  // An increment adds to the open hold of its original; without one there is nothing to add to.
  if (request.txn.incremental && (snapshot.transaction?.status !== 'held' || openHoldAt(snapshot, nowMs) === undefined)) return DeclineReason.TransactionNotSupported;
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
  return checkPermissions(program, request.txn, {
    cardForm: card.form,
    deviceWallet: request.deviceWallet,
    merchantInitiated: request.merchantInitiated,
    recurringConsentRevoked: snapshot.consentRevoked,
  });
}

/** The checks from the PIN check on, decided before the step, in order: PIN, CVV2, SCA, suspension. */
function checksFromPin(input: PlanInput, pricing: Pricing, pin: PinOutcome | undefined): DeclineReason | undefined {
  const { program, request, snapshot } = input;
  if (pin !== undefined && pin.outcome === 'declined') return pin.reason;
  if (input.cvv2Correct === false) return DeclineReason.Cvv2Mismatch;
  const sca = scaDecision(input, pricing);
  if (sca?.outcome === 'declined') return sca.reason;
  if (DEBIT_KINDS.has(request.kind) && accountSuspended(program, snapshot)) return DeclineReason.AccountSuspended;
  return undefined;
}

/** The account is suspended by its balances (suspendedByBalances: any wallet's available below zero). */
export function accountSuspended(program: Program, snapshot: AccountSnapshot): boolean {
  return suspendedByBalances(program.walletCurrencies.map((code) => snapshot.balances.get(walletFieldsOf(code).available) ?? 0n));
}

/**
 * PIN verification when the message carries a PIN, or the transaction requires one (pinRequired:
 * ATM, chip at a POS). A required PIN that is missing is refused without counting a try
 * (refuseMissingPin); undefined: no PIN check for this message.
 */
function pinDecision(input: PlanInput): PinOutcome | undefined {
  const { request, snapshot, program } = input;
  if (request.pinBlock === undefined && !pinRequired(request.txn)) return undefined;
  const max = program.pin.maxConsecutiveWrong;
  const state = { consecutiveWrong: snapshot.card.pinTries, blocked: snapshot.card.pinTries >= max };
  if (request.pinBlock === undefined) return refuseMissingPin(state);
  return verifyPinAttempt(state, input.pinCorrect, max);
}

function scaDecision(input: PlanInput, pricing: Pricing | undefined) {
  const { request, snapshot, program } = input;
  const ecommerce = request.field25 === '59';
  if (!ecommerce) return undefined;
  const eur = program.sca.exemptionMaxAmount.currency;
  const billing = pricing?.billingAmount ?? request.txn.transactionAmount;
  const measured = equivalentIn(input.catalogue.rates, calendarDayOf(input.nowMs, program.timeZone).dayId, billing, eur);
  return decideSca(
    program.sca,
    { exemptedCount: snapshot.card.scaExemptCount, exemptedTotal: money(BigInt(snapshot.card.scaExemptSumMinor), eur) },
    {
      ecommerce,
      kind: request.kind,
      merchantInitiated: isMerchantInitiated(request.merchantInitiated),
      accountVerification: request.kind === 'account-verification',
      scaPerformed: request.scaPerformed,
      // No reference rate to measure it against the EUR ceilings: no exemption (decideSca).
      amount: measured.ok ? measured.value : undefined,
    },
  );
}

/**
 * The available balances the wallet choice reads (priceTransaction): only a held transaction
 * currency's own wallet is ever looked at, so only that one is built, not one per wallet.
 */
function availableBalances(program: Program, snapshot: AccountSnapshot, currency: CurrencyCode): WalletBalances {
  const balances = new Map<CurrencyCode, Money>();
  if (program.walletCurrencies.includes(currency)) {
    balances.set(currency, money(snapshot.balances.get(walletFieldsOf(currency).available) ?? 0n, currency));
  }
  return balances;
}

function feeUsage(input: PlanInput): FeeUsage {
  return { accountCurrencyAtmWithdrawalsThisMonth: Number(input.snapshot.counters.get(feeUsageCounterKey(input.program, input.nowMs)) ?? 0n) };
}

function price(input: PlanInput, usage: FeeUsage): Pricing | undefined {
  const { program, request, snapshot, catalogue, nowMs } = input;
  const available = availableBalances(program, snapshot, request.txn.transactionAmount.currency);
  const priced = priceTransaction(program, request.txn, available, usage, nowMs, catalogue.rates);
  return priced.ok ? priced.value : undefined;
}

/**
 * Partial approval (`PA=Y`, response `10`): the largest amount, in the transaction currency, whose
 * amount plus fees the available balance of the wallet covers. Fees depend on the amount (a
 * percentage, a minimum), so the amount is found by bisection over the pure pricing.
 */
function partialPricing(input: PlanInput, full: Pricing, availableMinor: bigint, usage: FeeUsage): { amount: Money; pricing: Pricing } | undefined {
  const { program, request, catalogue, nowMs } = input;
  const requested = request.txn.transactionAmount;
  const priceOf = (amountMinor: bigint) => {
    const txn = { ...request.txn, transactionAmount: money(amountMinor, requested.currency) };
    const priced = priceInWallet(program, txn, full.walletCurrency, usage, nowMs, catalogue.rates);
    return priced.ok && priced.value.totalDebit.amountMinor <= availableMinor ? priced.value : undefined;
  };
  let low = 1n;
  let high = requested.amountMinor - 1n;
  let best: { amount: Money; pricing: Pricing } | undefined;
  while (low <= high) {
    const mid = (low + high) / 2n;
    const priced = priceOf(mid);
    if (priced) {
      best = { amount: money(mid, requested.currency), pricing: priced };
      low = mid + 1n;
    } else high = mid - 1n;
  }
  return best;
}

export function planAuthorisation(input: PlanInput): AuthorisationPlan {
  const { program, request, snapshot, nowMs } = input;
  const { account, card } = snapshot;
  const k = new StepKeys(account.accountId);
  const cardKey = k.ref(keys.card(account.accountId, card.cardId));
  const accountKey = k.ref(keys.account(account.accountId));
  const usage = feeUsage(input);
  const pricing = price(input, usage);
  const pin = pinDecision(input);
  const beforePin = pricing === undefined ? DeclineReason.TransactionNotSupported : cardChecks(input);
  const predecline = beforePin ?? checksFromPin(input, pricing!, pin);
  // network-interface.md "PIN tries": the try count changes only when the PIN check is reached,
  // that is when no check before it declined (a wrong PIN counts, a right one resets, even if a
  // later check declines). The step's reused-TI check (94) also comes before it (see below).
  const pinCount = beforePin === undefined ? pinCountOps(input, pin, cardKey) : [];
  const wallet = pricing?.walletCurrency ?? program.accountCurrency;
  const fields = walletFieldsOf(wallet);
  const transactionKey = request.transactionId ? k.ref(keys.transaction(account.accountId, request.transactionId)) : undefined;

  const plan: AtomicStepPlan = {
    dedupe: { key: k.ref(keys.message(account.accountId, input.messageKey)), ttlMs: 24 * 3600 * 1000 },
    expect: [
      { key: cardKey, field: 'version', value: String(card.version) },
      { key: accountKey, field: 'version', value: String(account.version) },
    ],
    checks: [],
    onApprove: [],
    onDecline: {},
    always: [],
    report: [
      { key: BALANCES_KEY, field: fields.ledger },
      { key: BALANCES_KEY, field: fields.available },
    ],
  };
  if (transactionKey !== undefined) plan.expect!.push(transactionExpectation(transactionKey, snapshot.transaction));
  const openHold = openHoldAt(snapshot, nowMs);
  if (request.txn.incremental && openHold) plan.expect!.push({ key: HOLDS_KEY, field: openHold.record.holdId, value: openHold.raw });

  // Every processed original registers its TI, approved or declined (a later, different original
  // with the same TI is a 94); a 94 itself writes nothing, so the first original's record stays.
  // The write is the same wherever a decline carries it, so it is built once.
  const registersOriginal = transactionKey !== undefined && !request.txn.incremental;
  const declinedWrite: Op[] = registersOriginal ? [originalWrite(input, transactionKey!, wallet, 'declined', undefined)] : [];

  if (predecline !== undefined) {
    plan.always!.push(...pinCount);
    if (predecline !== DeclineReason.DuplicateTransactionId) plan.always!.push(...declinedWrite);
    return predeclined(k, plan, baseRecord(input, pricing, defaultApproval(input, pricing)), predecline);
  }
  const p = pricing!;
  const declines: Record<string, DeclineOutcome> = {};
  if (registersOriginal) {
    plan.checks!.push({ name: 'transaction-id-reused', type: 'absent', key: transactionKey!, field: 'messageKey' });
    declines['transaction-id-reused'] = declineOutcome(DeclineReason.DuplicateTransactionId);
  }
  addFeeUsageGuard(input, k, plan);
  const debits = DEBIT_KINDS.has(request.kind) && p.totalDebit.amountMinor > 0n;
  if (debits) {
    // Every wallet's available balance (see accountSuspended), checked again in the step.
    for (const code of program.walletCurrencies) {
      plan.checks!.push({ name: 'account-suspended', type: 'min', key: BALANCES_KEY, field: walletFieldsOf(code).available, min: 0 });
    }
    declines['account-suspended'] = declineOutcome(DeclineReason.AccountSuspended);
  }
  const limits = countersFor(program, request.txn, p.billingAmount, nowMs, input.catalogue.rates);
  if (!limits.ok) {
    // Past the PIN check: its count change stands, as for any later decline.
    plan.always!.push(...pinCount, ...declinedWrite);
    return predeclined(k, plan, baseRecord(input, pricing, defaultApproval(input, pricing)), DeclineReason.TransactionNotSupported);
  }
  const counterRef = counterRefs(k);
  addLimitChecks(limits.value, counterRef, plan, declines);

  // Funds: the whole amount, or with PA=Y and a balance that covers only part, the part it covers.
  let approved = { amount: request.txn.transactionAmount, pricing: p, partial: false };
  if (debits) {
    const availableMinor = snapshot.balances.get(fields.available) ?? 0n;
    const covered = availableMinor >= p.totalDebit.amountMinor;
    const partial = request.partialAllowed && !covered ? partialPricing(input, p, availableMinor, usage) : undefined;
    if (partial) approved = { amount: partial.amount, pricing: partial.pricing, partial: true };
    // A partial amount was computed from the balance read: if it moved down since, recompute (a
    // smaller part may still be approved) rather than decline; likewise a full amount that was
    // covered when read and a terminal that accepts a part.
    const stale = partial !== undefined || (request.partialAllowed && covered);
    const funds: Check = { name: 'funds', type: 'hbump', key: BALANCES_KEY, field: fields.available, by: -num(approved.pricing.totalDebit.amountMinor), min: 0, move: false };
    if (stale) funds.stale = stale;
    plan.checks!.push(funds);
    const accountAvailable = snapshot.balances.get(walletFieldsOf(program.accountCurrency).available) ?? 0n;
    const declineFee = insufficientFundsDeclineFee(program, request.txn, money(accountAvailable, program.accountCurrency));
    declines.funds = declineOutcome(DeclineReason.InsufficientFunds, feeJson(declineFee));
    plan.onDecline!.funds = declineFee.map((fee): Op => ({ type: 'post', currency: program.accountCurrency, by: -num(fee.amount.amountMinor), covered: true }));
  }

  const effects = approvalEffects({
    program,
    request,
    snapshot,
    approvedAmount: approved.amount,
    pricing: approved.pricing,
    mti: input.mti,
    processingCode: input.processingCode,
    messageKey: input.messageKey,
    originalKey: input.originalKey,
    holdId: input.holdId,
    nowMs,
    transactionKey,
  });
  const approvedLimits = approved.partial ? countersFor(program, request.txn, approved.pricing.billingAmount, nowMs, input.catalogue.rates) : limits;
  if (effects.countsAgainstLimits && approvedLimits.ok) plan.onApprove!.push(...limitMoves(approvedLimits.value, k, counterRef));
  plan.onApprove!.push(...pinCount, ...cardUpdates(input, approved.pricing, cardKey), ...effects.ops);
  // A declined original still registers its TI, and every check of the step but the reused TI
  // comes after the PIN check, so its declines keep the PIN count change too. The reused-TI
  // decline (94, before the PIN check) does neither: its list is empty.
  plan.onDeclineOther = [...declinedWrite, ...pinCount];
  if (plan.onDecline!.funds) plan.onDecline!.funds = [...plan.onDecline!.funds, ...declinedWrite, ...pinCount];
  if (registersOriginal) plan.onDecline!['transaction-id-reused'] = [];

  const record = baseRecord(input, pricing, {
    type: 'authorization.approved',
    responseCode: responseCodeForApproval(approved.partial ? ApprovalKind.PartiallyApproved : approvalKindOf(input)),
    authCode: input.authCode,
    approvedAmount: json(approved.amount),
    fees: effects.fees,
    hold: effects.hold,
    holdEffect: effects.holdEffect,
    posted: effects.posted,
  });
  if (effects.reversedBeforeArrival) record.approved.reversedBeforeArrival = true;
  record.declines = declines;
  // Field 6 of what is approved: on a partial approval, of the part.
  if (approved.partial) record.billing = json(approved.pricing.billingAmount);
  return { stepKeys: k, plan, record };
}

/** A decision taken before the step: the step only records it (and runs `always`), no check, no approval op. */
function predeclined(k: StepKeys, plan: AtomicStepPlan, record: DecisionRecord, reason: DeclineReason): AuthorisationPlan {
  record.predeclined = declineOutcome(reason);
  plan.checks = [];
  plan.onApprove = [];
  return { stepKeys: k, plan, record };
}

function approvalKindOf(input: PlanInput): ApprovalKind {
  return input.request.kind === 'account-verification' ? ApprovalKind.VerifiedNoReasonToDecline : ApprovalKind.Approved;
}

/** The PIN try count the PIN check leaves, when it changes: the op that stores it. */
function pinCountOps(input: PlanInput, pin: PinOutcome | undefined, cardKey: number): Op[] {
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

/** `limit:<rule name>`, the step check (and decline) name of a limit rule, built once per rule. */
const limitCheckNames = new WeakMap<LimitRule, string>();

function limitCheckName(rule: LimitRule): string {
  let name = limitCheckNames.get(rule);
  if (name === undefined) {
    name = `limit:${rule.name}`;
    limitCheckNames.set(rule, name);
  }
  return name;
}

function addLimitChecks(limits: LimitPlan, counterRef: CounterRefs, plan: AtomicStepPlan, declines: Record<string, DeclineOutcome>): void {
  limits.checks.forEach((check) => {
    const name = limitCheckName(check.rule);
    const by = num(check.increment);
    const max = num(check.limit);
    let c: Check;
    if (check.sumKeys.length === 0) c = { name, type: 'const', pass: check.increment <= check.limit };
    else if (check.sumKeys.length === 1) c = { name, type: 'bump', key: counterRef(check.sumKeys[0]), by, max, move: false };
    else c = { name, type: 'bumpSum', keys: check.sumKeys.map(counterRef), by, max, move: false };
    plan.checks!.push(c);
    declines[name] = declineOutcome(check.declineReason);
  });
}

/** The step key of an account-relative counter key. */
type CounterRefs = (counterKey: string) => KeyRef;

/**
 * Counter key refs of one plan, each built once: the moves of an approval name the very counters
 * its checks read (k.ref answers the same ref for a key it knows, so refs are unchanged).
 */
function counterRefs(k: StepKeys): CounterRefs {
  const refs = new Map<string, KeyRef>();
  return (counterKey) => {
    let ref = refs.get(counterKey);
    if (ref === undefined) {
      ref = k.ref(keys.counter(k.accountId, counterKey));
      refs.set(counterKey, ref);
    }
    return ref;
  };
}

/** Limit counters move by the approved amount (on a partial approval, the part approved). */
export function limitMoves(limits: LimitPlan, k: StepKeys, counterRef: CounterRefs = counterRefs(k)): Op[] {
  return limits.moves.map((move) => ({
    type: 'bump' as const,
    key: counterRef(move.key),
    by: num(move.increment),
    expireAt: move.expiresAt + 24 * 3600 * 1000,
  }));
}

/** SCA exemption counters and, for a PIN change, the new PIN: both bump the card's version. */
function cardUpdates(input: PlanInput, approvedPricing: Pricing, cardKey: number): Op[] {
  const { snapshot } = input;
  const ops: Op[] = [];
  const sca = scaDecision(input, approvedPricing);
  if (sca && sca.outcome !== 'declined' && sca.outcome !== 'out-of-scope') {
    ops.push({
      type: 'hset',
      key: cardKey,
      values: { scaExemptCount: sca.onApproval.exemptedCount, scaExemptSumMinor: num(sca.onApproval.exemptedTotal.amountMinor), version: snapshot.card.version + 1 },
    });
  }
  if (input.request.kind === 'pin-change' && input.newPinCheck !== undefined) {
    ops.push({ type: 'hset', key: cardKey, values: { pinCheck: input.newPinCheck, pinTries: 0, version: snapshot.card.version + 1 } });
  }
  return ops;
}

type ApprovalJson = DecisionRecord['approved'];

/** The approval a predeclined record carries: what the message would have been approved as. */
function defaultApproval(input: PlanInput, pricing: Pricing | undefined): ApprovalJson {
  return {
    type: 'authorization.approved',
    responseCode: responseCodeForApproval(approvalKindOf(input)),
    authCode: input.authCode,
    approvedAmount: json(input.request.txn.transactionAmount),
    fees: pricing ? feeJson(pricing.fees) : [],
    hold: null,
    holdEffect: null,
    posted: null,
  };
}

function baseRecord(input: PlanInput, pricing: Pricing | undefined, approved: ApprovalJson): DecisionRecord {
  const { request, snapshot, nowMs, program } = input;
  const wallet = pricing?.walletCurrency ?? program.accountCurrency;
  const context: Record<string, string> = { channel: request.txn.channel, entryMode: request.txn.entryMode, kind: request.kind };
  if (pricing?.conversion) context.field10 = pricing.conversion.field10;
  return {
    v: 1,
    eventId: input.eventId,
    occurredAt: isoTimestampOf(nowMs),
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
    approved,
    predeclined: null,
    declines: {},
    balanceCurrency: wallet,
    context,
  };
}
