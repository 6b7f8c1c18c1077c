import { ok } from '@lib/money';
import { InstantMs, Program, serviceFees, totalFees } from '@lib/programs';
import { CardRecord, CardSecrets, CardState, maskPan, walletFields } from '@lib/store';
import { AccountState, CLOSED_STATUSES, balanceOf, liveCardField } from '../shared/account-state';
import { BackOfficeError, Outcome, refuse } from '../shared/errors';
import { MoneyJson, moneyJsonOf, toMoneyJson } from '../shared/money-json';
import { isoOf } from '../shared/time';
import type { IssueCardCommand } from './issue-card.command';

/** The clear card numbers of a new card (never stored, never logged). */
export interface CardNumbers {
  readonly cardId: string;
  readonly pan: string;
  readonly expiry: string;
  readonly cvv2: string;
  readonly pin: string;
}

/** The one answer that carries the card numbers. */
export interface IssuedCard {
  readonly kind: 'issued';
  readonly cardId: string;
  readonly pan: string;
  /** YYMM, as printed. */
  readonly expiry: string;
  readonly cvv2: string;
  readonly pin: string;
  readonly form: CardRecord['form'];
  readonly state: CardState;
}

/** What a replay with the same Idempotency-Key answers: the card, never its numbers again. */
export interface IssuedCardReplay {
  readonly kind: 'issued-earlier';
  readonly cardId: string;
  readonly panMasked: string;
  readonly expiry: string;
  readonly form: CardRecord['form'];
  readonly state: CardState;
}

export type IssueCardResult = IssuedCard | IssuedCardReplay;

/** `card.issued` (docs/back-office.md), appended to the outbox in the issuing step. */
export interface CardIssuedEvent {
  readonly schemaVersion: 1;
  readonly eventId: string;
  readonly type: 'card.issued';
  readonly occurredAt: string;
  readonly accountId: string;
  readonly cardId: string;
  readonly form: CardRecord['form'];
  readonly state: CardState;
  readonly panMasked: string;
  readonly expiry: string;
  readonly fees: readonly { readonly type: string; readonly amount: MoneyJson }[];
  /** The home wallet after the creation fee. */
  readonly balances: { readonly ledger: MoneyJson; readonly available: MoneyJson };
}

export interface AcceptedIssue {
  readonly card: CardRecord;
  readonly feeMinor: bigint;
  readonly answer: IssuedCard;
  /** Stored for a replay instead of the answer: no card data. */
  readonly replay: IssuedCardReplay;
  readonly event: CardIssuedEvent;
}

export interface IssueInput {
  readonly program: Program;
  readonly state: AccountState;
  readonly command: IssueCardCommand;
  readonly numbers: CardNumbers;
  readonly secrets: CardSecrets;
  readonly nowMs: InstantMs;
  readonly eventId: string;
}

/**
 * Why a card cannot be issued, if it cannot (card-programs.md, seed 004 clauses 3.2, 4.5.2): one
 * live card of each form per account, a form the program offers, an open account, the creation
 * fee covered by the available balance. Checked before any card number is drawn.
 */
export function issueRefusal(
  program: Program,
  state: AccountState,
  command: IssueCardCommand,
): { readonly ok: false; readonly error: BackOfficeError } | undefined {
  const { account } = state;
  if (CLOSED_STATUSES.includes(account.status)) {
    return refuse({
      code: 'account-state',
      reason: `the account is ${account.status}: no card can be issued on it`,
      status: account.status,
    });
  }
  if (command.form === 'virtual' && program.cardForms.virtual === null) {
    return refuse({ code: 'card-form-not-offered', reason: `program ${program.id} issues no virtual card` });
  }
  const live = state.accountHash[liveCardField(command.form)];
  if (live) {
    return refuse({
      code: 'card-limit',
      reason: `the account already has a ${command.form} card in use (block it totally, lost or stolen to replace it)`,
      cardId: live,
    });
  }
  const fee = totalFees(
    program.accountCurrency,
    serviceFees(program, { kind: 'card-creation', form: command.form }),
  );
  const available = balanceOf(state.balances, walletFields(program.accountCurrency).available);
  if (available < fee.amountMinor) {
    return refuse({
      code: 'insufficient-funds',
      reason: 'the card creation fee is not covered by the available balance',
      fee: toMoneyJson(fee),
      available: moneyJsonOf(available, program.accountCurrency),
    });
  }
  return undefined;
}

/**
 * Decides an issuance: the refusals of `issueRefusal`, else the card record (keyed hashes only),
 * the one answer with the numbers, the masked replay answer and the `card.issued` event. A
 * physical card is delivered inactive, a virtual one is usable at once (seed 004 clause 9.7).
 */
export function decideIssue(input: IssueInput): Outcome<AcceptedIssue> {
  const { program, state, command, numbers, nowMs } = input;
  const { account } = state;
  const refusal = issueRefusal(program, state, command);
  if (refusal) return refusal;
  const fees = serviceFees(program, { kind: 'card-creation', form: command.form });
  const fee = totalFees(program.accountCurrency, fees);
  const home = walletFields(program.accountCurrency);
  const available = balanceOf(state.balances, home.available);
  const cardState: CardState = command.form === 'physical' ? 'inactive' : 'active';
  const card: CardRecord = {
    cardId: numbers.cardId,
    accountId: account.accountId,
    form: command.form,
    state: cardState,
    expiry: numbers.expiry,
    panHash: input.secrets.panHash(numbers.pan),
    panFirst6: numbers.pan.slice(0, 6),
    panLast4: numbers.pan.slice(-4),
    pinCheck: input.secrets.pinCheck(numbers.pan, numbers.pin),
    cvv2Check: input.secrets.cvv2Check(numbers.pan, numbers.expiry, numbers.cvv2),
    pinTries: 0,
    scaExemptCount: 0,
    scaExemptSumMinor: 0,
    version: 1,
    issuedAt: nowMs,
  };
  const panMasked = maskPan(card.panFirst6, card.panLast4);
  const answer: IssuedCard = {
    kind: 'issued',
    cardId: card.cardId,
    pan: numbers.pan,
    expiry: card.expiry,
    cvv2: numbers.cvv2,
    pin: numbers.pin,
    form: card.form,
    state: card.state,
  };
  const replay: IssuedCardReplay = {
    kind: 'issued-earlier',
    cardId: card.cardId,
    panMasked,
    expiry: card.expiry,
    form: card.form,
    state: card.state,
  };
  const event: CardIssuedEvent = {
    schemaVersion: 1,
    eventId: input.eventId,
    type: 'card.issued',
    occurredAt: isoOf(nowMs),
    accountId: account.accountId,
    cardId: card.cardId,
    form: card.form,
    state: card.state,
    panMasked,
    expiry: card.expiry,
    fees: fees.map((line) => ({ type: line.type, amount: toMoneyJson(line.amount) })),
    balances: {
      ledger: moneyJsonOf(balanceOf(state.balances, home.ledger) - fee.amountMinor, program.accountCurrency),
      available: moneyJsonOf(available - fee.amountMinor, program.accountCurrency),
    },
  };
  return ok({ card, feeMinor: fee.amountMinor, answer, replay, event });
}
