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

/**
 * What one message did to a hold (issue 6, holds lifecycle). `opened` / `grown` take availability,
 * `released` gives part of it back (a partial reversal) and `cleared` / `reversed` end the hold:
 * together with the `hold.expired` outbox entries, every hold has exactly one end.
 */
export interface HoldEffectJson {
  holdId: string;
  currency: string;
  effect: 'opened' | 'grown' | 'released' | 'cleared' | 'reversed';
  /** Minor units taken (opened, grown) or given back (released, cleared, reversed). */
  amountMinor: string;
  /** What the hold still takes from the available balance after this message (0 once ended). */
  remainingMinor: string;
}

/** reversal.applied: what the reversal asked for and what it found. */
export interface ReversalJson {
  /** The message field 90 names: the transaction's original, or one incremental authorisation. */
  target: 'transaction' | 'increment';
  /** Field 95's first amount: what remains authorised (0 = full reversal), transaction currency. */
  remainsMinor: string;
  /** What this reversal took off the authorised amount, transaction currency. */
  reversedMinor: string;
  /**
   * `applied`: released / credited now; `stored`: the target is unknown yet, the reversal is kept on
   * the TI record and applied when it arrives; `nothing-left`: the target is already reversed,
   * completed, expired or declined (a repeated reversal changes nothing).
   */
  state: 'applied' | 'stored' | 'nothing-left';
}

/** advice.applied: the network's stand-in decision (fields 39 and 38 of the 0120). */
export interface StandInJson {
  responseCode: string;
  authCode: string | null;
  /** False when the advice changed nothing (a stand-in decline, or an original already applied). */
  applied: boolean;
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
  approved: {
    type: ApprovedEventType;
    responseCode: string;
    authCode: string | null;
    approvedAmount: MoneyJson;
    fees: FeeJson[];
    hold: { holdId: string; expiresAt: string } | null;
    // Optional fields added by the holds lifecycle (issue 6); absent on older records.
    /** What the message did to its hold when approved (absent or null: nothing). */
    holdEffect?: HoldEffectJson | null;
    /** Signed amount posted to the ledger by this message (debit negative), wallet currency. */
    posted?: MoneyJson | null;
    /** completion.applied: the hold had expired before the completion; it is posted all the same. */
    lateAfterExpiry?: boolean;
    /** completion.applied / reversal.applied / advice.applied: no original known for the TI. */
    unmatched?: boolean;
    /** authorization.approved / advice.applied: a reversal of this message arrived first (no hold, no fee). */
    reversedBeforeArrival?: boolean;
    reversal?: ReversalJson;
    standIn?: StandInJson;
  };
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
  /** Holds the step expired before deciding (each has its own hold.expired outbox entry). */
  expired?: string[];
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
