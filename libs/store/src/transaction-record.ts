/**
 * The record of one network transaction id (`TI`, field 48), hash `keys.transaction(accountId, TI)`:
 * what the engine needs to apply the follow-up messages of a purchase (incremental
 * authorisations, completion, reversals, stand-in advices) and to answer a new original reusing
 * the TI with `94`.
 *
 * Written only inside atomic steps (as `hset` ops of the step's plan), and every write sets
 * `version` to the version read + 1: a plan carries the version it was computed from in its
 * `expect`, so a reversal and its original (or two follow-ups of one TI) racing on two gateways
 * are serialised by the step, never interleaved.
 *
 * Fields (all strings on the wire):
 * - set by the original (approved or declined): accountId, cardId, mti, messageKey, originalKey,
 *   holdId, openedAt, status, kind, currency, wallet, mcc, country
 * - set on approval: authorisedMinor (transaction currency, original + increments - reversed),
 *   billedMinor and feesMinor (wallet currency, what the hold took or the ledger was debited)
 * - `inc:<originalKey of the increment>`: JSON of each approved incremental authorisation
 * - `rev:<originalKey of the target>`: JSON of a reversal received before its target (applied when
 *   the target arrives: it is answered as usual and leaves no hold and no fee)
 */
export type TransactionStatus =
  /** The original was declined: nothing was held or posted. */
  | 'declined'
  /** Approved and held: clearing (completion, presentment), reversal or expiry follows. */
  | 'held'
  /** Approved and posted at once (0200, fee-only services): final. */
  | 'posted'
  /** Approved with nothing held or posted (account verification, refund authorisation). */
  | 'approved'
  /** Fully reversed. */
  | 'reversed'
  /** Completed by a 0220: the final amount was posted and the rest of the hold released. */
  | 'completed';

export interface IncrementRecord {
  /** Field 4 of the increment (approved part), transaction currency minor units. */
  readonly amountMinor: number;
  /** What it added to the hold, wallet currency: billing amount and fees. */
  readonly billedMinor: number;
  readonly feesMinor: number;
}

export interface PendingReversal {
  /** Field 95's first amount: what remains authorised (0 = full reversal). */
  readonly remainsMinor: number;
  /** The reversal message (its retry identity), for ops. */
  readonly messageKey: string;
  readonly receivedAt: number;
}

export interface TransactionRecord {
  readonly transactionId: string;
  /** 0 when the record does not exist yet. */
  readonly version: number;
  /** Undefined: no original processed yet (only reversals were seen). */
  readonly status: TransactionStatus | undefined;
  readonly accountId: string | undefined;
  readonly cardId: string | undefined;
  readonly mti: string | undefined;
  readonly messageKey: string | undefined;
  /** The original's identity as field 90 of a reversal names it (see `originalKey`). */
  readonly originalKey: string | undefined;
  readonly holdId: string | undefined;
  readonly openedAt: number | undefined;
  readonly kind: string | undefined;
  readonly currency: string | undefined;
  readonly wallet: string | undefined;
  readonly mcc: string | undefined;
  readonly country: string | undefined;
  readonly authorisedMinor: number;
  readonly billedMinor: number;
  readonly feesMinor: number;
  readonly increments: ReadonlyMap<string, IncrementRecord>;
  readonly pendingReversals: ReadonlyMap<string, PendingReversal>;
}

export const INCREMENT_FIELD_PREFIX = 'inc:';
export const PENDING_REVERSAL_FIELD_PREFIX = 'rev:';

/**
 * The identity of a message as field 90 of a reversal carries it (network-interface.md: original
 * MTI + STAN + field 7 + acquirer id zero-padded to 11 digits): the original's own fields give
 * the same string, so a reversal finds its target whatever padding field 32 had.
 */
export function originalKey(mti: string, stan: string, transmissionDateTime: string, acquirerId: string): string {
  return `${mti}:${stan}:${transmissionDateTime}:${acquirerId.padStart(11, '0')}`;
}

export function transactionFromHash(transactionId: string, h: Record<string, string>): TransactionRecord {
  const increments = new Map<string, IncrementRecord>();
  const pendingReversals = new Map<string, PendingReversal>();
  for (const [field, value] of Object.entries(h)) {
    if (field.startsWith(INCREMENT_FIELD_PREFIX)) increments.set(field.slice(INCREMENT_FIELD_PREFIX.length), JSON.parse(value) as IncrementRecord);
    if (field.startsWith(PENDING_REVERSAL_FIELD_PREFIX)) pendingReversals.set(field.slice(PENDING_REVERSAL_FIELD_PREFIX.length), JSON.parse(value) as PendingReversal);
  }
  const optionalNumber = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  return {
    transactionId,
    version: Number(h.version ?? 0),
    status: h.messageKey === undefined ? undefined : ((h.status ?? 'declined') as TransactionStatus),
    accountId: h.accountId,
    cardId: h.cardId,
    mti: h.mti,
    messageKey: h.messageKey,
    originalKey: h.originalKey,
    holdId: h.holdId,
    openedAt: optionalNumber(h.openedAt),
    kind: h.kind,
    currency: h.currency,
    wallet: h.wallet,
    mcc: h.mcc,
    country: h.country,
    authorisedMinor: Number(h.authorisedMinor ?? 0),
    billedMinor: Number(h.billedMinor ?? 0),
    feesMinor: Number(h.feesMinor ?? 0),
    increments,
    pendingReversals,
  };
}

/** The hash fields of an increment or a pending reversal. */
export const incrementField = (key: string): string => `${INCREMENT_FIELD_PREFIX}${key}`;
export const pendingReversalField = (key: string): string => `${PENDING_REVERSAL_FIELD_PREFIX}${key}`;

/** How long a TI record is kept: past the longest hold (15 days) and the clearing window. */
export const TRANSACTION_RECORD_TTL_MS = 45 * 24 * 3600 * 1000;
