/**
 * What one atomic step stores (24 h, for retries) and appends to the account's outbox: the
 * decision computed in TypeScript before the step (the record) and what the step found (the
 * outcome: the check that failed, if any, and the balances after). The relay turns an outbox
 * entry into a `card.authorizations` event with `toAuthorizationEvent`; the gateway turns a stored
 * decision into the network response. Money is always `{minor: string, currency}`.
 */
export interface MoneyJson {
  minor: string;
  currency: string;
}

export interface FeeJson {
  type: string;
  amount: MoneyJson;
}

export type ApprovedEventType = 'authorization.approved' | 'advice.applied' | 'reversal.applied' | 'completion.applied';

export interface DeclineOutcome {
  /** DeclineReason of the domain (e.g. 'insufficient-funds'). */
  reason: string;
  responseCode: string;
  /** Fees charged on this decline (the 51 decline fee), if the step could take them. */
  fees: FeeJson[];
}

export interface DecisionRecord {
  v: 1;
  eventId: string;
  occurredAt: string;
  accountId: string;
  cardId: string | null;
  panMasked: string;
  transactionId: string | null;
  mti: string;
  processingCode: string | null;
  amount: MoneyJson;
  billing: MoneyJson | null;
  fx: { rate: string; markupPercent: string } | null;
  mcc: string | null;
  merchant: { id: string | null; name: string | null; country: string | null };
  /** When approved: the event type, response code, fees, hold. */
  approved: { type: ApprovedEventType; responseCode: string; authCode: string | null; approvedAmount: MoneyJson; fees: FeeJson[]; hold: { holdId: string; expiresAt: string } | null };
  /** Decided before the step (card state, PIN, ...): the step only records it and moves nothing else. */
  predeclined: DeclineOutcome | null;
  /** Per plan check name: what a failure of that check means. */
  declines: Record<string, DeclineOutcome>;
  /** Wallet currency of the balances reported by the step (ledger, then available). */
  balanceCurrency: string;
  /** Free-form context for ops (POS entry mode, channel, region...). */
  context: Record<string, string>;
}

export interface StepOutcomeJson {
  declined: string | false;
  report: string[];
}

export interface StoredDecisionJson {
  record: DecisionRecord;
  outcome: StepOutcomeJson;
}

/** The final decision of a stored step: approved, or the decline that applied. */
export function finalDecision(stored: StoredDecisionJson): { approved: true } | ({ approved: false } & DeclineOutcome) {
  const { record, outcome } = stored;
  if (record.predeclined) return { approved: false, ...record.predeclined };
  if (outcome.declined === false) return { approved: true };
  const decline = record.declines[outcome.declined];
  if (!decline) throw new Error(`decision ${record.eventId}: no decline named ${outcome.declined}`);
  return { approved: false, ...decline };
}
