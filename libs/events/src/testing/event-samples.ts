import type { HoldRecord } from '@lib/store';
import type { DecisionRecord, StepOutcomeJson, StoredDecisionJson } from '../decision-record';

/**
 * Decision records and outbox entries shaped as the engine and atomic-step.lua write them, for
 * the tests of the events library and of the relay (which also writes them through the real step).
 */
export const SAMPLE_NOW_MS = Date.UTC(2026, 10, 22, 10, 0, 0);

export function sampleRecord(
  accountId: string,
  eventId: string,
  overrides: Partial<DecisionRecord> = {},
): DecisionRecord {
  return {
    v: 1,
    eventId,
    occurredAt: new Date(SAMPLE_NOW_MS).toISOString(),
    accountId,
    cardId: 'card-1',
    panMasked: '499999******0001',
    transactionId: '123456789012345',
    mti: '0100',
    processingCode: '000000',
    amount: { minor: '1250', currency: 'USD' },
    billing: { minor: '1171', currency: 'EUR' },
    fx: { rate: '0.9213000000000001', markupPercent: '2' },
    mcc: '5411',
    merchant: { id: 'MERCHANT0000001', name: 'SUPERMARCHE PARIS', country: 'FR' },
    approved: {
      type: 'authorization.approved',
      responseCode: '00',
      authCode: 'A1B2C3',
      approvedAmount: { minor: '1250', currency: 'USD' },
      fees: [{ type: 'foreign-payment', amount: { minor: '68', currency: 'EUR' } }],
      hold: { holdId: `hold-${eventId}`, expiresAt: new Date(SAMPLE_NOW_MS + 7 * 86_400_000).toISOString() },
      holdEffect: {
        holdId: `hold-${eventId}`,
        currency: 'EUR',
        effect: 'opened',
        amountMinor: '1239',
        remainingMinor: '1239',
      },
    },
    predeclined: null,
    declines: {
      funds: {
        reason: 'insufficient-funds',
        responseCode: '51',
        fees: [{ type: 'decline', amount: { minor: '15', currency: 'EUR' } }],
      },
    },
    balanceCurrency: 'EUR',
    context: { channel: 'pos', entryMode: 'chip', kind: 'purchase' },
    ...overrides,
  };
}

/** The `decision` field of an outbox entry: the record as stored, with the step's outcome. */
export function storedDecisionJson(
  record: DecisionRecord,
  outcome: StepOutcomeJson = { declined: false, report: ['100000', '98761'] },
): string {
  const stored: StoredDecisionJson = { record, outcome };
  return JSON.stringify(stored);
}

export function decisionEntry(record: DecisionRecord, outcome?: StepOutcomeJson): Record<string, string> {
  return { kind: 'decision', decision: storedDecisionJson(record, outcome), at: String(SAMPLE_NOW_MS) };
}

export function sampleHold(holdId = 'hold-1'): HoldRecord {
  return {
    holdId,
    transactionId: '123456789012345',
    cardId: 'card-1',
    currency: 'EUR',
    amountMinor: 3000,
    remainingMinor: 2500,
    feesMinor: 0,
    openedAt: SAMPLE_NOW_MS,
    expiresAt: SAMPLE_NOW_MS + 15 * 86_400_000,
    kind: 'pre-authorisation',
  };
}

/** An entry as atomic-step.lua step 1 writes it when a hold expires. */
export function holdExpiredEntry(
  hold: HoldRecord = sampleHold(),
  atMs = hold.expiresAt + 1000,
): Record<string, string> {
  return {
    kind: 'hold.expired',
    hold: JSON.stringify(hold),
    at: String(atMs),
    ledger: '100000',
    avail: '100000',
  };
}
