import type { HoldRecord } from '@lib/store';
import {
  ApprovedEventType,
  DecisionRecord,
  DeclineOutcome,
  FeeJson,
  finalDecision,
  HoldEffectJson,
  MoneyJson,
  ReversalJson,
  StandInJson,
  StoredDecisionJson,
} from './decision-record';

/**
 * The `card.authorizations` event (schemas/card.authorizations.v1.schema.json) and the pure
 * mapping from an outbox entry, as atomic-step.lua writes it, to that event. The relay calls
 * `toAuthorizationEvent` for each entry; nothing here does I/O or reads the clock.
 */
export const CARD_AUTHORIZATIONS_TOPIC = 'card.authorizations';
export const AUTHORIZATION_SCHEMA_VERSION = 1;

export type AuthorizationEventType = ApprovedEventType | 'authorization.declined' | 'hold.expired';

export interface AuthorizationEvent {
  schemaVersion: typeof AUTHORIZATION_SCHEMA_VERSION;
  eventId: string;
  type: AuthorizationEventType;
  occurredAt: string;
  accountId: string;
  cardId: string | null;
  /** First 6 + last 4; for hold.expired, as the hold kept it (null for an older hold). */
  panMasked: string | null;
  transactionId: string | null;
  mti: string | null;
  processingCode: string | null;
  /**
   * Transaction amount and currency; for hold.expired, the original authorisation's (a hold kept
   * before it did: the amount held, in the wallet currency).
   */
  amount: MoneyJson;
  billing: MoneyJson | null;
  fx: { rate: string; markupPercent: string } | null;
  fees: FeeJson[];
  mcc: string | null;
  merchant: { id: string | null; name: string | null; country: string | null };
  responseCode: string | null;
  authCode: string | null;
  approvedAmount: MoneyJson | null;
  declineReason: string | null;
  /** released: what an expiry gave back to the available balance (hold.expired only). */
  hold: { holdId: string; expiresAt: string; released: MoneyJson | null } | null;
  /** What an approved message did to its hold (opened, grown, released, cleared, reversed). */
  holdEffect: HoldEffectJson | null;
  /** Signed amount posted to the ledger by this message (debit negative), wallet currency. */
  posted: MoneyJson | null;
  /** reversal.applied: what the reversal asked for and found. */
  reversal: ReversalJson | null;
  /** advice.applied: the network's stand-in decision. */
  standIn: StandInJson | null;
  flags: { lateAfterExpiry: boolean; unmatched: boolean; reversedBeforeArrival: boolean };
  balancesAfter: { ledger: MoneyJson; available: MoneyJson };
  context: Record<string, string>;
}

/**
 * Back-office events (account.loaded, card.issued; settlement's fee.charged) ride in the same account outbox, as a
 * `decision` entry whose record is `{event: <the final event>}` (libs/back-office step-runner).
 * They go to the same topic: one account's money movements stay in one ordered stream. Their
 * fields are the back office's; the schema (not this type) says what they must hold.
 */
export type BackOfficeEventType = 'account.loaded' | 'card.issued' | 'fee.charged';

export interface BackOfficeEvent {
  schemaVersion: typeof AUTHORIZATION_SCHEMA_VERSION;
  eventId: string;
  type: BackOfficeEventType;
  occurredAt: string;
  accountId: string;
  [field: string]: unknown;
}

/** Any event of the `card.authorizations` topic. */
export type CardAuthorizationsEvent = AuthorizationEvent | BackOfficeEvent;

/** The `kind` field of an outbox entry (atomic-step.lua, steps 1 and 7). */
export type OutboxEntryKind = 'decision' | 'hold.expired';

/** An entry's fields as XRANGE returns them (field -> value). */
export type OutboxEntryFields = Readonly<Record<string, string>>;

export type EventBuildResult = { ok: true; event: CardAuthorizationsEvent } | { ok: false; reason: string };

/**
 * What a hold record keeps of the message that opened it (copied when the hold is opened, see
 * approval-effects.ts), so that its hold.expired event carries the card and merchant of the
 * original authorisation (http-and-events.md "Each authorisation event carries at least"). Holds
 * opened before these fields were kept lack them: their events carry null there, as before.
 */
export interface HoldOrigin {
  /** The authorisation's transaction amount (field 4 / 49), billing amount and FX, as its event had them. */
  readonly amount?: MoneyJson;
  readonly billing?: MoneyJson | null;
  readonly fx?: { rate: string; markupPercent: string } | null;
  readonly panMasked?: string;
  readonly mti?: string;
  readonly processingCode?: string;
  readonly mcc?: string;
  readonly merchant?: {
    readonly id: string | null;
    readonly name: string | null;
    readonly country: string | null;
  };
}

/** A hold record as the outbox's hold.expired entry carries it. */
export type ExpiringHold = HoldRecord & HoldOrigin;

/** eventId of a hold's expiry: deterministic, so a replayed or re-relayed expiry dedupes downstream. */
export function holdExpiredEventId(accountId: string, holdId: string): string {
  return `hold-expired:${accountId}:${holdId}`;
}

/**
 * Maps one outbox entry of `accountId`'s outbox to its event. A malformed entry is a bug of the
 * writer: it comes back as a reason (never thrown), and the relay dead-letters it. The reason
 * names fields, never their values (they may hold card data). The event is not validated here:
 * `validateEvent` (or `encodeAuthorizationEvent`, which does both) checks it against the schema.
 */
export function toAuthorizationEvent(accountId: string, fields: OutboxEntryFields): EventBuildResult {
  try {
    switch (fields.kind) {
      case 'decision':
        return storedEvent(
          accountId,
          parseJsonField<StoredDecisionJson | StoredBackOfficeEvent>(fields, 'decision'),
        );
      case 'hold.expired':
        return holdExpiredEvent(accountId, parseJsonField<ExpiringHold>(fields, 'hold'), fields);
      default:
        return { ok: false, reason: `unknown outbox entry kind ${JSON.stringify(fields.kind ?? null)}` };
    }
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

interface StoredBackOfficeEvent {
  record: { event: BackOfficeEvent };
  outcome: StoredDecisionJson['outcome'];
}

function storedEvent(
  accountId: string,
  stored: StoredDecisionJson | StoredBackOfficeEvent,
): EventBuildResult {
  if (stored?.record !== null && typeof stored?.record === 'object' && 'event' in stored.record)
    return backOfficeEvent(accountId, stored as StoredBackOfficeEvent);
  return decisionEvent(accountId, stored as StoredDecisionJson);
}

/** A back-office event is published as its writer built it, once its step applied. */
function backOfficeEvent(accountId: string, stored: StoredBackOfficeEvent): EventBuildResult {
  const { event } = stored.record;
  if (event === null || typeof event !== 'object')
    return { ok: false, reason: 'back-office record.event is not an object' };
  // The back office publishes only applied steps; a declined one carrying an event is a bug.
  if (stored.outcome?.declined !== false)
    return { ok: false, reason: 'back-office event of a step that did not apply' };
  if (event.accountId !== accountId)
    return { ok: false, reason: 'back-office event accountId differs from its outbox account' };
  return { ok: true, event };
}

function decisionEvent(accountId: string, stored: StoredDecisionJson): EventBuildResult {
  const { record, outcome } = stored;
  if (record?.v !== 1)
    return { ok: false, reason: `decision record version ${JSON.stringify(record?.v ?? null)} is not 1` };
  // An entry in another account's outbox would be relayed under the wrong key (and order).
  if (record.accountId !== accountId)
    return { ok: false, reason: 'decision record accountId differs from its outbox account' };
  const balancesAfter = reportedBalances(record, outcome?.report);
  const decision = finalDecision(stored);
  const decided = decision.approved ? approvedFields(record.approved) : declinedFields(decision);
  return { ok: true, event: decisionEventOf(record, decided, balancesAfter) };
}

/** The fields that depend on the decision (approved or declined). */
type DecidedFields = Pick<
  AuthorizationEvent,
  | 'type'
  | 'responseCode'
  | 'authCode'
  | 'approvedAmount'
  | 'fees'
  | 'declineReason'
  | 'hold'
  | 'holdEffect'
  | 'posted'
  | 'reversal'
  | 'standIn'
  | 'flags'
>;

function approvedFields(approved: DecisionRecord['approved']): DecidedFields {
  return {
    type: approved.type,
    responseCode: approved.responseCode,
    authCode: approved.authCode,
    approvedAmount: approved.approvedAmount,
    fees: approved.fees,
    declineReason: null,
    hold: approved.hold
      ? { holdId: approved.hold.holdId, expiresAt: approved.hold.expiresAt, released: null }
      : null,
    holdEffect: approved.holdEffect ?? null,
    posted: approved.posted ?? null,
    reversal: approved.reversal ?? null,
    standIn: approved.standIn ?? null,
    flags: {
      lateAfterExpiry: approved.lateAfterExpiry === true,
      unmatched: approved.unmatched === true,
      reversedBeforeArrival: approved.reversedBeforeArrival === true,
    },
  };
}

function declinedFields(decline: DeclineOutcome): DecidedFields {
  return {
    type: 'authorization.declined',
    responseCode: decline.responseCode,
    authCode: null,
    approvedAmount: null,
    fees: decline.fees,
    declineReason: decline.reason,
    hold: null,
    holdEffect: null,
    posted: null,
    reversal: null,
    standIn: null,
    flags: noFlags(),
  };
}

const noFlags = (): AuthorizationEvent['flags'] => ({
  lateAfterExpiry: false,
  unmatched: false,
  reversedBeforeArrival: false,
});

/**
 * One object literal with every field, in the schema's order. (Not `{...common, ...decided}`: V8
 * builds an object spread followed by more properties in a slow path, ~20 us per event here, which
 * capped the relay's throughput.)
 */
function decisionEventOf(
  record: DecisionRecord,
  d: DecidedFields,
  balancesAfter: AuthorizationEvent['balancesAfter'],
): AuthorizationEvent {
  return {
    schemaVersion: AUTHORIZATION_SCHEMA_VERSION,
    eventId: record.eventId,
    type: d.type,
    occurredAt: record.occurredAt,
    accountId: record.accountId,
    cardId: record.cardId,
    panMasked: record.panMasked,
    transactionId: record.transactionId,
    mti: record.mti,
    processingCode: record.processingCode,
    amount: record.amount,
    billing: record.billing,
    fx: record.fx,
    fees: d.fees,
    mcc: record.mcc,
    merchant: record.merchant,
    responseCode: d.responseCode,
    authCode: d.authCode,
    approvedAmount: d.approvedAmount,
    declineReason: d.declineReason,
    hold: d.hold,
    holdEffect: d.holdEffect,
    posted: d.posted,
    reversal: d.reversal,
    standIn: d.standIn,
    flags: d.flags,
    balancesAfter,
    context: record.context,
  };
}

/**
 * The step reports the balances after the decision as `report: [ledger, available]` of the
 * record's `balanceCurrency` (DecisionRecord contract); an event without them is refused.
 */
function reportedBalances(
  record: DecisionRecord,
  report: readonly string[] | undefined,
): AuthorizationEvent['balancesAfter'] {
  if (!Array.isArray(report) || report.length < 2)
    throw new Error('decision outcome.report lacks [ledger, available]');
  return {
    ledger: { minor: integerString(report[0], 'outcome.report[0]'), currency: record.balanceCurrency },
    available: { minor: integerString(report[1], 'outcome.report[1]'), currency: record.balanceCurrency },
  };
}

/**
 * An expired hold (atomic-step.lua step 1): fields hold (HoldRecord JSON), at (ms), ledger and
 * avail (minor). The card, MTI, processing code and merchant come from what the hold kept of its
 * original (HoldOrigin; null for a hold kept before it did).
 */
function holdExpiredEvent(
  accountId: string,
  hold: ExpiringHold,
  fields: OutboxEntryFields,
): EventBuildResult {
  if (typeof hold?.holdId !== 'string' || typeof hold.currency !== 'string')
    return { ok: false, reason: 'hold record lacks holdId or currency' };
  const money = (minor: unknown, field: string): MoneyJson => ({
    minor: integerString(minor, field),
    currency: hold.currency,
  });
  return {
    ok: true,
    event: {
      schemaVersion: AUTHORIZATION_SCHEMA_VERSION,
      eventId: holdExpiredEventId(accountId, hold.holdId),
      type: 'hold.expired',
      occurredAt: isoInstant(fields.at, 'at'),
      accountId,
      cardId: hold.cardId ?? null,
      panMasked: textOrNull(hold.panMasked),
      transactionId: hold.transactionId ?? null,
      mti: textOrNull(hold.mti),
      processingCode: textOrNull(hold.processingCode),
      amount: moneyOrNull(hold.amount) ?? money(hold.amountMinor, 'hold.amountMinor'),
      billing: moneyOrNull(hold.billing),
      fx: fxOrNull(hold.fx),
      fees: [],
      mcc: textOrNull(hold.mcc),
      merchant: {
        id: textOrNull(hold.merchant?.id),
        name: textOrNull(hold.merchant?.name),
        country: textOrNull(hold.merchant?.country),
      },
      responseCode: null,
      authCode: null,
      approvedAmount: null,
      declineReason: null,
      hold: {
        holdId: hold.holdId,
        expiresAt: isoInstant(hold.expiresAt, 'hold.expiresAt'),
        released: money(hold.remainingMinor, 'hold.remainingMinor'),
      },
      holdEffect: null,
      posted: null,
      reversal: null,
      standIn: null,
      flags: noFlags(),
      balancesAfter: { ledger: money(fields.ledger, 'ledger'), available: money(fields.avail, 'avail') },
      context: holdContext(hold),
    },
  };
}

function holdContext(hold: ExpiringHold): Record<string, string> {
  const context: Record<string, string> = {};
  if (typeof hold.kind === 'string') context.holdKind = hold.kind;
  return context;
}

/** Money the hold kept, or null (a hold from before it was kept, or Lua's cjson null). */
function moneyOrNull(value: unknown): MoneyJson | null {
  const m = value as { minor?: unknown; currency?: unknown } | null | undefined;
  return m && typeof m === 'object' && typeof m.minor === 'string' && typeof m.currency === 'string' ? { minor: m.minor, currency: m.currency } : null;
}

function fxOrNull(value: unknown): { rate: string; markupPercent: string } | null {
  const fx = value as { rate?: unknown; markupPercent?: unknown } | null | undefined;
  return fx && typeof fx === 'object' && typeof fx.rate === 'string' && typeof fx.markupPercent === 'string' ? { rate: fx.rate, markupPercent: fx.markupPercent } : null;
}

/** A string the hold kept, or null (a hold from before it was kept, or Lua's cjson null). */
function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function parseJsonField<T>(fields: OutboxEntryFields, name: string): T {
  const raw = fields[name];
  if (raw === undefined) throw new Error(`outbox entry lacks field ${name}`);
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new Error(`outbox entry field ${name} is not JSON`);
  }
}

/**
 * Minor units as an integer string. Lua's cjson writes numbers, Redis replies write strings;
 * either must be an exact integer (a float here would be a money bug, never rounded away).
 */
function integerString(value: unknown, field: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && /^-?(0|[1-9][0-9]*)$/.test(value)) return value;
  throw new Error(`${field} is not an integer amount`);
}

/** Epoch milliseconds (number or digit string) as ISO 8601 UTC. */
function isoInstant(value: unknown, field: string): string {
  const ms = typeof value === 'string' && /^[0-9]{1,15}$/.test(value) ? Number(value) : value;
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0)
    throw new Error(`${field} is not an epoch-ms instant`);
  return new Date(ms).toISOString();
}
