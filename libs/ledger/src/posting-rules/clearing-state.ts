/**
 * What settlement remembers about the clearing of one `TI`, kept as `clr:*` fields of the
 * gateway's transaction record (libs/store transaction-record.ts) and written in the same atomic
 * step as the clearing's balance moves, so the next record of the same `TI` (a split shipment, a
 * refund, a representment) is matched against an exact, current state.
 */
export interface ClearedState {
  /** Presentments applied so far (the first pays the fixed part of the fees; later ones do not). */
  readonly presentments: number;
  /** Wallet the presentments were debited from (refunds and chargebacks go back to it). */
  readonly wallet: string | undefined;
  /**
   * Part of an amount already posted at authorisation (0200, completion) that presentments have
   * matched, wallet minor units: only the difference beyond it is posted again.
   */
  readonly coveredMinor: bigint;
  /** Refunds applied so far (for ops; one purchase can have several). */
  readonly refunds: number;
  /**
   * What representments and chargeback-reversals took back from the holder against one chargeback
   * (its id), wallet minor units: a second record against the same chargeback takes only the rest
   * (both may be applied before the chargeback's row is closed in the ledger).
   */
  readonly reclaimed?: { readonly disputeId: string; readonly minor: bigint };
}

export const NOTHING_CLEARED: ClearedState = { presentments: 0, wallet: undefined, coveredMinor: 0n, refunds: 0 };

export const CLEARED_FIELDS = {
  presentments: 'clr:presentments',
  wallet: 'clr:wallet',
  coveredMinor: 'clr:coveredMinor',
  refunds: 'clr:refunds',
  reclaimedDispute: 'clr:reclaimedDispute',
  reclaimedMinor: 'clr:reclaimedMinor',
} as const;

export function clearedStateFromHash(hash: Readonly<Record<string, string>>): ClearedState {
  return {
    presentments: Number(hash[CLEARED_FIELDS.presentments] ?? 0),
    wallet: hash[CLEARED_FIELDS.wallet] || undefined,
    coveredMinor: BigInt(hash[CLEARED_FIELDS.coveredMinor] ?? '0'),
    refunds: Number(hash[CLEARED_FIELDS.refunds] ?? 0),
    ...(hash[CLEARED_FIELDS.reclaimedDispute]
      ? { reclaimed: { disputeId: hash[CLEARED_FIELDS.reclaimedDispute], minor: BigInt(hash[CLEARED_FIELDS.reclaimedMinor] ?? '0') } }
      : {}),
  };
}

export function clearedStateToHash(state: ClearedState): Record<string, string> {
  const hash: Record<string, string> = {
    [CLEARED_FIELDS.presentments]: String(state.presentments),
    [CLEARED_FIELDS.coveredMinor]: state.coveredMinor.toString(),
    [CLEARED_FIELDS.refunds]: String(state.refunds),
  };
  if (state.wallet !== undefined) hash[CLEARED_FIELDS.wallet] = state.wallet;
  if (state.reclaimed !== undefined) {
    hash[CLEARED_FIELDS.reclaimedDispute] = state.reclaimed.disputeId;
    hash[CLEARED_FIELDS.reclaimedMinor] = state.reclaimed.minor.toString();
  }
  return hash;
}
