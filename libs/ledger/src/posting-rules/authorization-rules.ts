import type { FeeJson, MoneyJson } from '@lib/events';
import { dayIdOf, localDateOf } from '@lib/programs';
import { EntryDraft, JournalLine, LineBuilder } from '../journal-entry';
import { feeAccount, ledgerAccounts } from '../ledger-accounts';
import type { AuthorizationTopicEvent, CardIssuedEventView, DecisionEventView, FeeChargedEventView, LoadEventView } from './authorization-events';

/**
 * Posting rules of the `card.authorizations` topic, pure (docs/settlement.md, "Posting rules").
 * The ledger follows what the gateway's atomic step did to the ledger balance, never more:
 * - a movement posted at once (0200 final withdrawal, fee-only services such as a balance
 *   inquiry, a completion, the reversal of something posted) is posted: the event's `posted`;
 * - a hold (0100 purchase, increment, partial reversal of a hold, reversal of a hold) moves only
 *   the available balance: it is a memo (no lines), the money moves at clearing;
 * - a decline fee taken on `51` is posted; a decline without fee records nothing;
 * - `hold.expired` is a memo (the gateway's step already gave the availability back);
 * - `account.loaded` credits the holder (funds received), less its load fee;
 * - `card.issued` debits the card creation fee;
 * - `fee.charged` debits the periodic fees taken (subscription, account management, inactivity);
 *   when nothing could be taken it is a memo carrying the shortfall.
 * Returns null when the event records nothing (the consumer still marks it processed).
 */
export const PARIS = 'Europe/Paris';

const DEBIT_KINDS = new Set(['00', '01', '09', '30', '31', '92']);
const HOLD_KINDS = new Set(['00', '01', '09']);
const HOLDING_MTIS = new Set(['0100', '0120']);

export function businessDateOf(occurredAt: string, timeZone = PARIS): string {
  const instant = Date.parse(occurredAt);
  if (Number.isNaN(instant)) throw new Error(`occurredAt ${occurredAt} is not an instant`);
  return dayIdOf(localDateOf(instant, timeZone));
}

function entry(event: AuthorizationTopicEvent, type: string, transactionId: string | null, lines: readonly JournalLine[], details: Record<string, unknown>): EntryDraft {
  return {
    eventId: event.eventId,
    topic: 'card.authorizations',
    type,
    accountId: event.accountId,
    transactionId,
    occurredAt: event.occurredAt,
    businessDate: businessDateOf(event.occurredAt),
    memo: lines.length === 0,
    lines,
    details,
  };
}

function sumIn(currency: string, fees: readonly FeeJson[]): bigint {
  return fees.filter((f) => f.amount.currency === currency).reduce((total, f) => total + BigInt(f.amount.minor), 0n);
}

/**
 * What the gateway posted when the event does not say it (producers before `posted` was added to
 * the event): exactly the engine's rule (libs/engine approval-effects): an approved debit that is
 * not held (not a dual-message 0100/0120 purchase or cash) posts billing plus fees at once.
 * Completions and reversals cannot be derived: undefined.
 */
export function derivedPosted(event: DecisionEventView): MoneyJson | null | undefined {
  if (event.posted !== undefined) return event.posted;
  if (event.type !== 'authorization.approved' && event.type !== 'advice.applied') return event.type === 'hold.expired' ? null : undefined;
  const kind = event.processingCode?.slice(0, 2) ?? '';
  if (!DEBIT_KINDS.has(kind) || event.hold !== null) return null;
  if (event.holdEffect !== undefined && event.holdEffect !== null) return null;
  if (HOLD_KINDS.has(kind) && HOLDING_MTIS.has(event.mti ?? '')) return null;
  const billing = event.billing ?? event.amount;
  const total = BigInt(billing.minor) + sumIn(billing.currency, event.fees);
  return total === 0n ? null : { minor: (-total).toString(), currency: billing.currency };
}

/** Lines of a signed movement of the holder's wallet, with its fees when it is a debit that carries them. */
function movementLines(accountId: string, posted: MoneyJson, fees: readonly FeeJson[]): { lines: readonly JournalLine[]; feesBooked: FeeJson[] } {
  const wallet = posted.currency;
  const delta = BigInt(posted.minor);
  const builder = new LineBuilder().add(ledgerAccounts.cardholder(accountId, wallet), wallet, -delta, 'cardholder');
  const network = ledgerAccounts.networkSettlement(wallet);
  if (delta >= 0n) {
    // A credit (reversal of a posted 0200): the network pays it back.
    builder.add(network, wallet, delta, 'principal');
    return { lines: builder.lines, feesBooked: [] };
  }
  const debit = -delta;
  const walletFees = fees.filter((f) => f.amount.currency === wallet && BigInt(f.amount.minor) > 0n);
  const feeTotal = sumIn(wallet, walletFees);
  // Fees are income only when the posted debit covers them (it always does for a step that
  // posted amount + fees); otherwise the whole debit is principal owed to the network.
  const booked = feeTotal <= debit ? walletFees : [];
  for (const fee of booked) builder.add(feeAccount(fee.type, wallet), wallet, -BigInt(fee.amount.minor), `fee:${fee.type}`);
  builder.add(network, wallet, -(debit - (feeTotal <= debit ? feeTotal : 0n)), 'principal');
  return { lines: builder.lines, feesBooked: booked };
}

function decisionPosting(event: DecisionEventView): EntryDraft | null {
  const details: Record<string, unknown> = {
    mti: event.mti,
    processingCode: event.processingCode,
    responseCode: event.responseCode,
    transactionAmount: event.amount,
    billing: event.billing,
    panMasked: event.panMasked,
    mcc: event.mcc,
    merchant: event.merchant,
  };
  if (event.type === 'authorization.declined') {
    const declineFees = event.fees.filter((f) => BigInt(f.amount.minor) > 0n);
    if (declineFees.length === 0) return null;
    const builder = new LineBuilder();
    for (const fee of declineFees) {
      const currency = fee.amount.currency;
      builder.add(ledgerAccounts.cardholder(event.accountId, currency), currency, BigInt(fee.amount.minor), 'cardholder');
      builder.add(feeAccount(fee.type, currency), currency, -BigInt(fee.amount.minor), `fee:${fee.type}`);
    }
    return entry(event, event.type, event.transactionId, builder.lines, { ...details, declineReason: event.declineReason, fees: declineFees });
  }
  if (event.type === 'hold.expired') {
    return entry(event, event.type, event.transactionId, [], { hold: event.hold });
  }
  const posted = derivedPosted(event);
  if (posted === undefined) {
    // The event does not say what the ledger moved and the rule cannot derive it: a memo that
    // reconciliation will flag if the gateway did move the ledger (docs/settlement.md).
    return entry(event, event.type, event.transactionId, [], { ...details, hold: event.hold, holdEffect: event.holdEffect ?? null, postedUnknown: true });
  }
  if (posted !== null && BigInt(posted.minor) !== 0n) {
    const { lines, feesBooked } = movementLines(event.accountId, posted, event.fees);
    return entry(event, event.type, event.transactionId, lines, { ...details, posted, fees: feesBooked, holdEffect: event.holdEffect ?? null });
  }
  const holdEffect = event.holdEffect ?? null;
  if (event.hold === null && holdEffect === null) return null;
  return entry(event, event.type, event.transactionId, [], { ...details, hold: event.hold, holdEffect, fees: event.fees });
}

function loadPosting(event: LoadEventView): EntryDraft {
  const wallet = event.amount.currency;
  const amount = BigInt(event.amount.minor);
  const builder = new LineBuilder()
    .add(ledgerAccounts.loadFunding(wallet), wallet, amount, 'principal')
    .add(ledgerAccounts.cardholder(event.accountId, wallet), wallet, -amount, 'cardholder');
  for (const fee of event.fees) {
    const currency = fee.amount.currency;
    builder.add(ledgerAccounts.cardholder(event.accountId, currency), currency, BigInt(fee.amount.minor), `fee:${fee.type}`);
    builder.add(feeAccount(fee.type, currency), currency, -BigInt(fee.amount.minor), `fee:${fee.type}`);
  }
  return entry(event, 'account.loaded', null, builder.lines, { loadId: event.loadId, method: event.method, amount: event.amount, fees: event.fees });
}

function cardIssuedPosting(event: CardIssuedEventView): EntryDraft | null {
  const builder = new LineBuilder();
  for (const fee of event.fees) {
    const currency = fee.amount.currency;
    builder.add(ledgerAccounts.cardholder(event.accountId, currency), currency, BigInt(fee.amount.minor), 'cardholder');
    builder.add(feeAccount(fee.type, currency), currency, -BigInt(fee.amount.minor), `fee:${fee.type}`);
  }
  if (builder.lines.length === 0) return null;
  return entry(event, 'card.issued', null, builder.lines, { cardId: event.cardId, fees: event.fees });
}

/**
 * The periodic fees of a period: Dr cardholder, Cr `fee-income:<type>` per line taken, exactly
 * what the job's step debited in Redis (the event's `fees`). The business date is the charge day.
 */
function feeChargedPosting(event: FeeChargedEventView): EntryDraft {
  const builder = new LineBuilder();
  for (const fee of event.fees) {
    const currency = fee.amount.currency;
    builder.add(ledgerAccounts.cardholder(event.accountId, currency), currency, BigInt(fee.amount.minor), 'cardholder');
    builder.add(feeAccount(fee.type, currency), currency, -BigInt(fee.amount.minor), `fee:${fee.type}`);
  }
  const details = { periodIndex: event.periodIndex, chargeDate: event.chargeDate, due: event.due, fees: event.fees, shortfall: event.shortfall };
  return { ...entry(event, 'fee.charged', null, builder.lines, details), businessDate: event.chargeDate };
}

export function authorizationTopicPosting(event: AuthorizationTopicEvent): EntryDraft | null {
  switch (event.kind) {
    case 'decision':
      return decisionPosting(event);
    case 'account.loaded':
      return loadPosting(event);
    case 'card.issued':
      return cardIssuedPosting(event);
    case 'fee.charged':
      return feeChargedPosting(event);
  }
}
