import { inCategories } from '../config/merchant-categories';
import { InstantMs, MS_PER_DAY } from '../calendar/zoned-time';
import type { Program } from '../program';
import type { CardTransaction } from '../transaction';

/**
 * How long a hold lasts, in 24-hour days (network-interface.md "Holds": counted in 24-hour days
 * from the authorisation, not calendar days). A pre-authorisation (field 25 = 06) gets the
 * program's `preAuthorisationDays` (15, seed 004 clause 10.3); otherwise the first
 * `byMerchantCategory` entry containing the MCC, else `defaultDays` (our choice: 7, see
 * docs/domain-rules.md).
 */
export function holdDays(program: Program, txn: Pick<CardTransaction, 'preAuthorisation' | 'mcc'>): number {
  if (txn.preAuthorisation) return program.holds.preAuthorisationDays;
  const override = program.holds.byMerchantCategory.find((entry) => inCategories(txn.mcc, entry.categories));
  return override?.days ?? program.holds.defaultDays;
}

/** The instant a hold placed at `authorisedAt` expires. An incremental keeps the original's expiry. */
export function holdExpiresAt(
  program: Program,
  txn: Pick<CardTransaction, 'preAuthorisation' | 'mcc'>,
  authorisedAt: InstantMs,
): InstantMs {
  return authorisedAt + holdDays(program, txn) * MS_PER_DAY;
}
