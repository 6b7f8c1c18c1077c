import type { MoneyJson } from '@lib/events';
import { parseCardholderAccount } from './ledger-accounts';

/**
 * A journal entry before it is written: what one event posts. Pure data; the repository writes it
 * with its lines in one transaction, tied to the event id (UNIQUE), so a replayed event posts
 * nothing twice.
 */
export interface JournalLine {
  readonly ledgerAccount: string;
  readonly currency: string;
  /** Signed minor units: debit positive, credit negative; never 0. */
  readonly amountMinor: bigint;
  /** What the line is: `principal`, `fee:<type>` (the FX markup is `fee:fx`). */
  readonly role: string;
}

export interface EntryDraft {
  readonly eventId: string;
  readonly topic: string;
  /** The event type (authorization.approved, presentment, refund, hold.expired, ...). */
  readonly type: string;
  readonly accountId: string | null;
  readonly transactionId: string | null;
  /** ISO 8601 UTC. */
  readonly occurredAt: string;
  /** 'YYYY-MM-DD': the clearing's processing date, or the Paris day of occurredAt. */
  readonly businessDate: string;
  /** true: a fact with no money (hold opened or expired, reversal of a hold); no lines. */
  readonly memo: boolean;
  readonly lines: readonly JournalLine[];
  readonly details: Readonly<Record<string, unknown>>;
}

/** Currencies whose lines do not sum to zero (empty: the entry balances). */
export function unbalancedCurrencies(lines: readonly JournalLine[]): { currency: string; totalMinor: bigint }[] {
  const totals = new Map<string, bigint>();
  for (const line of lines) totals.set(line.currency, (totals.get(line.currency) ?? 0n) + line.amountMinor);
  return [...totals].filter(([, total]) => total !== 0n).map(([currency, totalMinor]) => ({ currency, totalMinor }));
}

/** `<kind>[:<part>...]:<CUR>`: cardholder:<accountId>:EUR, fee-income:<type>:EUR, network-settlement:EUR. */
const LEDGER_ACCOUNT = /^[a-z-]+(:[A-Za-z0-9_-]+)*:[A-Z]{3}$/;
const CURRENCY = /^[A-Z]{3}$/;

/**
 * The invariants of an entry, checked before any write (assertions stay on: a failure is a bug in
 * a posting rule, never an expected outcome). The database checks the balance again.
 */
export function assertValidEntry(entry: EntryDraft): void {
  const unbalanced = unbalancedCurrencies(entry.lines);
  if (unbalanced.length > 0) {
    const what = unbalanced.map((u) => `${u.currency} ${u.totalMinor}`).join(', ');
    throw new Error(`journal entry of event ${entry.eventId} (${entry.type}) does not balance: ${what}`);
  }
  for (const line of entry.lines) {
    if (!LEDGER_ACCOUNT.test(line.ledgerAccount) || !CURRENCY.test(line.currency)) {
      throw new Error(`journal entry of event ${entry.eventId}: malformed ledger account ${JSON.stringify(line.ledgerAccount)} or currency`);
    }
    if (line.amountMinor === 0n) throw new Error(`journal entry of event ${entry.eventId}: zero line on ${line.ledgerAccount}`);
    if (!line.ledgerAccount.endsWith(`:${line.currency}`)) {
      throw new Error(`journal entry of event ${entry.eventId}: line on ${line.ledgerAccount} in ${line.currency}`);
    }
  }
  if (entry.memo && entry.lines.length > 0) throw new Error(`journal entry of event ${entry.eventId}: a memo has no lines`);
  if (!entry.memo && entry.lines.length === 0) throw new Error(`journal entry of event ${entry.eventId}: no lines`);
}

/** Adds lines, dropping zero amounts (a fee of 0 is no line). */
export class LineBuilder {
  private readonly list: JournalLine[] = [];

  add(ledgerAccount: string, currency: string, amountMinor: bigint, role: string): this {
    if (amountMinor !== 0n) this.list.push({ ledgerAccount, currency, amountMinor, role });
    return this;
  }

  get lines(): readonly JournalLine[] {
    return this.list;
  }
}

/**
 * The movement of one cardholder's wallets in an entry, from the holder's side: positive = the
 * balance went up (credit). Statement amounts and the Redis moves use this sign.
 */
export function cardholderMovements(entry: Pick<EntryDraft, 'lines'>): Map<string, { accountId: string; currency: string; deltaMinor: bigint }> {
  const moves = new Map<string, { accountId: string; currency: string; deltaMinor: bigint }>();
  for (const line of entry.lines) {
    const holder = parseCardholderAccount(line.ledgerAccount);
    if (!holder) continue;
    const current = moves.get(line.ledgerAccount) ?? { ...holder, deltaMinor: 0n };
    current.deltaMinor -= line.amountMinor;
    moves.set(line.ledgerAccount, current);
  }
  return moves;
}

// ---- JSON form (the ledger.postings event, the clearing step's stored record) ----

export interface JournalLineJson {
  readonly ledgerAccount: string;
  readonly amount: MoneyJson;
  readonly role: string;
}

export interface EntryDraftJson extends Omit<EntryDraft, 'lines'> {
  readonly lines: readonly JournalLineJson[];
}

export function entryToJson(entry: EntryDraft): EntryDraftJson {
  return {
    ...entry,
    lines: entry.lines.map((l) => ({ ledgerAccount: l.ledgerAccount, amount: { minor: l.amountMinor.toString(), currency: l.currency }, role: l.role })),
  };
}

export function entryFromJson(json: EntryDraftJson): EntryDraft {
  return {
    ...json,
    lines: json.lines.map((l) => ({ ledgerAccount: l.ledgerAccount, currency: l.amount.currency, amountMinor: BigInt(l.amount.minor), role: l.role })),
  };
}
