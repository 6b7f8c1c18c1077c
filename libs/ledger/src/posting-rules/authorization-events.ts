import type { FeeJson, MoneyJson } from '@lib/events';
import { Result, err, isCurrencyCode, ok } from '@lib/money';

/**
 * What settlement reads from a `card.authorizations` value. The producers' full contract is the
 * JSON Schema of libs/events (decisions, hold.expired) and the back office's event types
 * (`account.loaded`, `card.issued`, libs/back-office); this parse checks only the fields the
 * posting rules use, so a field added upstream never stops the ledger, and a missing or malformed
 * one is a poison message (dead-lettered with the reason).
 */
export const DECISION_EVENT_TYPES = ['authorization.approved', 'authorization.declined', 'advice.applied', 'reversal.applied', 'completion.applied', 'hold.expired'] as const;
export type DecisionEventType = (typeof DECISION_EVENT_TYPES)[number];

export interface HoldEffectView {
  readonly holdId: string;
  readonly currency: string;
  readonly effect: string;
  readonly amountMinor: string;
  readonly remainingMinor: string;
}

export interface DecisionEventView {
  readonly kind: 'decision';
  readonly eventId: string;
  readonly type: DecisionEventType;
  readonly occurredAt: string;
  readonly accountId: string;
  readonly cardId: string | null;
  readonly transactionId: string | null;
  readonly mti: string | null;
  readonly processingCode: string | null;
  readonly amount: MoneyJson;
  readonly billing: MoneyJson | null;
  readonly fees: readonly FeeJson[];
  readonly hold: { readonly holdId: string; readonly expiresAt: string; readonly released: MoneyJson | null } | null;
  readonly responseCode: string | null;
  readonly declineReason: string | null;
  /**
   * Signed amount the gateway's step posted to the ledger balance (debit negative), wallet
   * currency (DecisionRecord.approved.posted). `undefined`: the event does not carry it (older
   * producers): the rule derives it (see authorization-rules.ts).
   */
  readonly posted: MoneyJson | null | undefined;
  readonly holdEffect: HoldEffectView | null | undefined;
  readonly panMasked: string | null;
  readonly mcc: string | null;
  readonly merchant: Readonly<Record<string, string | null>> | null;
}

export interface LoadEventView {
  readonly kind: 'account.loaded';
  readonly eventId: string;
  readonly occurredAt: string;
  readonly accountId: string;
  readonly loadId: string | null;
  readonly method: string | null;
  readonly amount: MoneyJson;
  readonly fees: readonly FeeJson[];
}

export interface CardIssuedEventView {
  readonly kind: 'card.issued';
  readonly eventId: string;
  readonly occurredAt: string;
  readonly accountId: string;
  readonly cardId: string | null;
  readonly fees: readonly FeeJson[];
}

/** `fee.charged` (settlement's periodic-fee job): what was taken, and what was not. */
export interface FeeChargedEventView {
  readonly kind: 'fee.charged';
  readonly eventId: string;
  readonly occurredAt: string;
  readonly accountId: string;
  readonly periodIndex: number;
  readonly chargeDate: string;
  readonly fees: readonly FeeJson[];
  readonly due: readonly FeeJson[];
  readonly shortfall: MoneyJson;
}

export type AuthorizationTopicEvent = DecisionEventView | LoadEventView | CardIssuedEventView | FeeChargedEventView;

type Obj = Record<string, unknown>;
const ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/;
const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$/;
const MINOR = /^-?(0|[1-9][0-9]{0,17})$/;

class Invalid extends Error {}

function fail(path: string, reason: string): never {
  throw new Invalid(`${path} ${reason}`);
}

function object(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  return value as Obj;
}

function text(o: Obj, name: string, pattern?: RegExp): string {
  const value = o[name];
  if (typeof value !== 'string' || (pattern !== undefined && !pattern.test(value))) fail(`/${name}`, 'is missing or malformed');
  return value;
}

function nullableText(o: Obj, name: string): string | null {
  const value = o[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail(`/${name}`, 'must be a string or null');
  return value;
}

function moneyJson(value: unknown, path: string): MoneyJson {
  const o = object(value, path);
  if (typeof o.minor !== 'string' || !MINOR.test(o.minor)) fail(`${path}/minor`, 'must be an integer string');
  if (typeof o.currency !== 'string' || !isCurrencyCode(o.currency)) fail(`${path}/currency`, 'must be a known ISO 4217 code');
  return { minor: o.minor, currency: o.currency };
}

function nullableMoney(o: Obj, name: string): MoneyJson | null {
  const value = o[name];
  return value === undefined || value === null ? null : moneyJson(value, `/${name}`);
}

function fees(o: Obj): FeeJson[] {
  const value = o.fees ?? [];
  if (!Array.isArray(value)) fail('/fees', 'must be an array');
  return value.map((fee, i) => {
    const f = object(fee, `/fees/${i}`);
    if (typeof f.type !== 'string' || f.type === '') fail(`/fees/${i}/type`, 'must be a fee type');
    return { type: f.type, amount: moneyJson(f.amount, `/fees/${i}/amount`) };
  });
}

function parseDecision(o: Obj, type: DecisionEventType): DecisionEventView {
  const holdValue = o.hold;
  let hold: DecisionEventView['hold'] = null;
  if (holdValue !== undefined && holdValue !== null) {
    const h = object(holdValue, '/hold');
    hold = { holdId: text(h, 'holdId'), expiresAt: typeof h.expiresAt === 'string' ? h.expiresAt : '', released: nullableMoney(h, 'released') };
  }
  if (type === 'hold.expired' && (hold === null || hold.released === null)) fail('/hold', 'of hold.expired must name the hold and what it released');
  const effectValue = o.holdEffect;
  let holdEffect: HoldEffectView | null | undefined = effectValue === undefined ? undefined : null;
  if (effectValue !== undefined && effectValue !== null) {
    const e = object(effectValue, '/holdEffect');
    holdEffect = { holdId: text(e, 'holdId'), currency: text(e, 'currency'), effect: text(e, 'effect'), amountMinor: text(e, 'amountMinor', MINOR), remainingMinor: text(e, 'remainingMinor', MINOR) };
  }
  const merchantValue = o.merchant;
  return {
    kind: 'decision',
    eventId: text(o, 'eventId', ID),
    type,
    occurredAt: text(o, 'occurredAt', INSTANT),
    accountId: text(o, 'accountId', ACCOUNT_ID),
    cardId: nullableText(o, 'cardId'),
    transactionId: nullableText(o, 'transactionId'),
    mti: nullableText(o, 'mti'),
    processingCode: nullableText(o, 'processingCode'),
    amount: moneyJson(o.amount, '/amount'),
    billing: nullableMoney(o, 'billing'),
    fees: fees(o),
    hold,
    responseCode: nullableText(o, 'responseCode'),
    declineReason: nullableText(o, 'declineReason'),
    posted: o.posted === undefined ? undefined : nullableMoney(o, 'posted'),
    holdEffect,
    panMasked: nullableText(o, 'panMasked'),
    mcc: nullableText(o, 'mcc'),
    merchant: merchantValue === undefined || merchantValue === null ? null : (object(merchantValue, '/merchant') as Record<string, string | null>),
  };
}

/** Parses one `card.authorizations` value; the error names the field (never card data). */
export function parseAuthorizationTopicEvent(value: unknown): Result<AuthorizationTopicEvent, string> {
  try {
    const o = object(value, '/');
    const type = o.type;
    if (typeof type !== 'string') fail('/type', 'is missing');
    if ((DECISION_EVENT_TYPES as readonly string[]).includes(type)) return ok(parseDecision(o, type as DecisionEventType));
    if (type === 'account.loaded') {
      return ok({
        kind: 'account.loaded',
        eventId: text(o, 'eventId', ID),
        occurredAt: text(o, 'occurredAt', INSTANT),
        accountId: text(o, 'accountId', ACCOUNT_ID),
        loadId: nullableText(o, 'loadId'),
        method: nullableText(o, 'method'),
        amount: moneyJson(o.amount, '/amount'),
        fees: fees(o),
      });
    }
    if (type === 'card.issued') {
      return ok({
        kind: 'card.issued',
        eventId: text(o, 'eventId', ID),
        occurredAt: text(o, 'occurredAt', INSTANT),
        accountId: text(o, 'accountId', ACCOUNT_ID),
        cardId: nullableText(o, 'cardId'),
        fees: fees(o),
      });
    }
    if (type === 'fee.charged') {
      const period = object(o.period, '/period');
      const index = period.index;
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 1) fail('/period/index', 'must be an integer >= 1');
      return ok({
        kind: 'fee.charged',
        eventId: text(o, 'eventId', ID),
        occurredAt: text(o, 'occurredAt', INSTANT),
        accountId: text(o, 'accountId', ACCOUNT_ID),
        periodIndex: index,
        chargeDate: text(period, 'chargeDate', /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/),
        fees: fees(o),
        due: fees({ fees: o.due }),
        shortfall: moneyJson(o.shortfall, '/shortfall'),
      });
    }
    return err(`/type ${JSON.stringify(type).slice(0, 64)} is not an event type settlement knows`);
  } catch (error) {
    if (error instanceof Invalid) return err(error.message);
    throw error;
  }
}
