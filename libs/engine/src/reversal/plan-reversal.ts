import type { HoldEffectJson, MoneyJson, ReversalJson } from '@lib/events';
import { InstantMs, Program } from '@lib/programs';
import { AtomicStepPlan, BALANCES_KEY, HOLDS_KEY, IncrementRecord, incrementField, keys, KeyRef, Op, pendingReversalField, StepKeys, TransactionRecord, walletFields } from '@lib/store';
import { AccountSnapshot, openHoldAt, SnapshotHold } from '../authorise/account-snapshot';
import { followUpRecord } from '../shared/follow-up';
import { sameOriginal } from '../shared/message-identity';
import type { PlannedStep } from '../shared/run-decision';
import { moneyJson, proportionalMinor, transactionExpectation, transactionWrite } from '../shared/transaction-writes';
import type { ParsedReversal } from './parse-reversal';

/**
 * A reversal (0400 / 0420) as one atomic step. It is always answered `00` (the card known); what
 * it changes depends on the TI record and the message its field 90 names:
 * - the transaction's original: a full reversal (remains 0) ends the hold (`reversed`) or, for a
 *   posted 0200, credits the amount and fees back; a partial one releases (or credits) the part of
 *   the billing amount above what remains, fees staying until clearing;
 * - one incremental authorisation: the same, on that increment's amount only;
 * - a message not seen yet (no original for the TI, or an increment still in flight): stored on
 *   the TI record and applied when that message arrives (it then leaves no hold and no fee);
 * - a target already reversed, completed, declined or whose hold expired: nothing (`nothing-left`).
 * A repeated reversal changes nothing: a retry by the dedupe key, another reversal of the same
 * target because what remains authorised is already at most its field 95.
 */
export interface ReversalPlanInput {
  readonly program: Program;
  readonly reversal: ParsedReversal;
  readonly snapshot: AccountSnapshot;
  readonly mti: string;
  readonly messageKey: string;
  readonly nowMs: InstantMs;
  readonly eventId: string;
}

interface Effect {
  ops: Op[];
  reversal: ReversalJson;
  holdEffect: HoldEffectJson | null;
  posted: MoneyJson | null;
  billingMinor: number | null;
  /** The hold whose stored value the effect was computed from (pinned by the plan). */
  hold?: SnapshotHold;
}

export function planReversal(input: ReversalPlanInput): PlannedStep {
  const { program, reversal, snapshot, nowMs } = input;
  const accountId = snapshot.account.accountId;
  const tr = snapshot.transaction!;
  const k = new StepKeys(accountId);
  const transactionKey = k.ref(keys.transaction(accountId, reversal.transactionId));
  const wallet = tr.wallet ?? program.accountCurrency;
  const effect = reversalEffect(input, tr, transactionKey);
  const plan: AtomicStepPlan = {
    dedupe: { key: k.ref(keys.message(accountId, input.messageKey)), ttlMs: 24 * 3600 * 1000 },
    expect: [transactionExpectation(transactionKey, tr)],
    onApprove: effect.ops,
    report: [
      { key: BALANCES_KEY, field: walletFields(wallet).ledger },
      { key: BALANCES_KEY, field: walletFields(wallet).available },
    ],
  };
  if (effect.hold) plan.expect!.push({ key: HOLDS_KEY, field: effect.hold.record.holdId, value: effect.hold.raw });
  const record = followUpRecord('reversal.applied', reversal, snapshot, {
    eventId: input.eventId,
    nowMs,
    mti: input.mti,
    balanceCurrency: wallet,
    billing: effect.billingMinor === null ? null : moneyJson(effect.billingMinor, wallet),
  });
  record.approved = { ...record.approved, holdEffect: effect.holdEffect, posted: effect.posted, reversal: effect.reversal, ...(tr.status === undefined ? { unmatched: true } : {}) };
  record.context = { target: reversal.targetKey };
  return { stepKeys: k, plan, record };
}

function reversalEffect(input: ReversalPlanInput, tr: TransactionRecord, transactionKey: KeyRef): Effect {
  const { reversal } = input;
  if (tr.status === undefined || (!sameOriginal(reversal.targetKey, tr.originalKey) && !tr.increments.has(reversal.targetKey))) {
    return storeUntilArrival(input, tr, transactionKey);
  }
  const increment = sameOriginal(reversal.targetKey, tr.originalKey) ? undefined : tr.increments.get(reversal.targetKey);
  if (increment !== undefined) return reverseIncrement(input, tr, transactionKey, increment);
  return reverseTransaction(input, tr, transactionKey);
}

function nothingLeft(target: ReversalJson['target'], remainsMinor: number): Effect {
  return { ops: [], reversal: { target, remainsMinor: String(remainsMinor), reversedMinor: '0', state: 'nothing-left' }, holdEffect: null, posted: null, billingMinor: null };
}

/** The reversed message is not known yet: kept on the TI record (the smaller remains wins). */
function storeUntilArrival(input: ReversalPlanInput, tr: TransactionRecord, transactionKey: KeyRef): Effect {
  const { reversal, nowMs, messageKey } = input;
  const earlier = tr.pendingReversals.get(reversal.targetKey);
  const remainsMinor = earlier === undefined ? reversal.remainsMinor : Math.min(earlier.remainsMinor, reversal.remainsMinor);
  const stored = JSON.stringify({ remainsMinor, messageKey, receivedAt: nowMs });
  const target = tr.status === undefined || sameOriginal(reversal.targetKey, tr.originalKey) ? 'transaction' : 'increment';
  return {
    ops: [transactionWrite(transactionKey, tr, { [pendingReversalField(reversal.targetKey)]: stored }, nowMs)],
    reversal: { target, remainsMinor: String(reversal.remainsMinor), reversedMinor: '0', state: 'stored' },
    holdEffect: null,
    posted: null,
    billingMinor: null,
  };
}

/** Gives back `amount` of an open hold: a release, or the hold's end when it takes all that is left. */
function release(hold: SnapshotHold, amount: number): { op: Op; effect: HoldEffectJson; ended: boolean } {
  const { holdId, currency, remainingMinor } = hold.record;
  if (amount >= remainingMinor) {
    return { op: { type: 'release', holdId, close: true }, effect: { holdId, currency, effect: 'reversed', amountMinor: String(remainingMinor), remainingMinor: '0' }, ended: true };
  }
  return { op: { type: 'release', holdId, by: amount }, effect: { holdId, currency, effect: 'released', amountMinor: String(amount), remainingMinor: String(remainingMinor - amount) }, ended: false };
}

function reverseTransaction(input: ReversalPlanInput, tr: TransactionRecord, transactionKey: KeyRef): Effect {
  const { reversal, nowMs, snapshot } = input;
  const authorised = tr.authorisedMinor;
  const remains = reversal.remainsMinor;
  const full = remains === 0;
  const reversedMinor = authorised - remains;
  const applied = (extra: Partial<Effect> & { ops: Op[] }): Effect => ({
    holdEffect: null,
    posted: null,
    billingMinor: null,
    ...extra,
    reversal: { target: 'transaction', remainsMinor: String(remains), reversedMinor: String(reversedMinor), state: 'applied' },
  });
  if (reversedMinor <= 0 && !(full && tr.status === 'approved')) return nothingLeft('transaction', remains);
  switch (tr.status) {
    case 'held': {
      const hold = openHoldAt(snapshot, nowMs);
      // The hold already ended (expired): nothing is left to give back.
      if (hold === undefined) return nothingLeft('transaction', remains);
      const billingPart = full ? tr.billedMinor : proportionalMinor(tr.billedMinor, reversedMinor, authorised);
      const released = release(hold, full ? hold.record.remainingMinor : billingPart);
      const values: Record<string, string | number> = released.ended
        ? { status: 'reversed', authorisedMinor: 0, billedMinor: 0, feesMinor: 0 }
        : { authorisedMinor: remains, billedMinor: tr.billedMinor - billingPart };
      return applied({ ops: [released.op, transactionWrite(transactionKey, tr, values, nowMs)], holdEffect: released.effect, billingMinor: billingPart, hold });
    }
    case 'posted': {
      // A 0200 was posted at once: the reversal credits it back (fees too on a full reversal).
      const billingPart = full ? tr.billedMinor : proportionalMinor(tr.billedMinor, reversedMinor, authorised);
      const credit = full ? tr.billedMinor + tr.feesMinor : billingPart;
      const wallet = tr.wallet!;
      const values: Record<string, string | number> = full ? { status: 'reversed', authorisedMinor: 0, billedMinor: 0, feesMinor: 0 } : { authorisedMinor: remains, billedMinor: tr.billedMinor - billingPart };
      return applied({
        ops: [{ type: 'post', currency: wallet, by: credit }, transactionWrite(transactionKey, tr, values, nowMs)],
        posted: moneyJson(credit, wallet),
        billingMinor: billingPart,
      });
    }
    case 'approved':
      // Nothing was held or posted (a card check, a refund authorisation): only the state moves.
      return full ? applied({ ops: [transactionWrite(transactionKey, tr, { status: 'reversed', authorisedMinor: 0 }, nowMs)] }) : nothingLeft('transaction', remains);
    default:
      return nothingLeft('transaction', remains);
  }
}

function reverseIncrement(input: ReversalPlanInput, tr: TransactionRecord, transactionKey: KeyRef, increment: IncrementRecord): Effect {
  const { reversal, nowMs, snapshot } = input;
  const remains = reversal.remainsMinor;
  const full = remains === 0;
  const reversedMinor = increment.amountMinor - remains;
  const hold = openHoldAt(snapshot, nowMs);
  if (reversedMinor <= 0 || tr.status !== 'held' || hold === undefined) return nothingLeft('increment', remains);
  const billingPart = full ? increment.billedMinor : proportionalMinor(increment.billedMinor, reversedMinor, increment.amountMinor);
  const feesPart = full ? increment.feesMinor : 0;
  const released = release(hold, billingPart + feesPart);
  const next: IncrementRecord = { amountMinor: remains, billedMinor: increment.billedMinor - billingPart, feesMinor: increment.feesMinor - feesPart };
  const values = released.ended
    ? { status: 'reversed', authorisedMinor: 0, billedMinor: 0, feesMinor: 0, [incrementField(reversal.targetKey)]: JSON.stringify(next) }
    : {
        [incrementField(reversal.targetKey)]: JSON.stringify(next),
        authorisedMinor: tr.authorisedMinor - reversedMinor,
        billedMinor: tr.billedMinor - billingPart,
        feesMinor: tr.feesMinor - feesPart,
      };
  return {
    ops: [released.op, transactionWrite(transactionKey, tr, values, nowMs)],
    reversal: { target: 'increment', remainsMinor: String(remains), reversedMinor: String(reversedMinor), state: 'applied' },
    holdEffect: released.effect,
    posted: null,
    billingMinor: billingPart,
    hold,
  };
}
