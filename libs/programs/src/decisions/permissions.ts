import { inCategories } from '../config/merchant-categories';
import type { CardForm, Program } from '../program';
import { CardTransaction, isMerchantInitiated, isSpend, StoredCredentialUse } from '../transaction';
import { DeclineReason } from './decline-reason';

export type PermissionDecline =
  | DeclineReason.ChannelNotPermitted
  | DeclineReason.EntryModeNotPermitted
  | DeclineReason.MerchantCategoryRestricted
  | DeclineReason.RecurringConsentRevoked;

export interface PermissionInput {
  readonly cardForm: CardForm;
  /** Field 48 `DV=Y`. */
  readonly deviceWallet: boolean;
  /**
   * Field 48 `MI` (undefined: absent). A revoked consent declines the charges the merchant
   * initiates on the stored card: recurring (`R`) and instalments (`I`), which are monthly charges
   * of the same merchant under the same consent; not `C`, a payment the cardholder initiates.
   */
  readonly merchantInitiated: StoredCredentialUse | undefined;
  /** The holder revoked recurring consent for this merchant (back office). */
  readonly recurringConsentRevoked: boolean;
}

/**
 * The `57` group of the order of checks: channel, card form, merchant category, recurring
 * consent (seed 004 clauses 8.3, 10.1, 1 "Transaction interdite", 5.2). A virtual card: online
 * and contactless from a device wallet only; no ATM, no chip and PIN.
 */
export function checkPermissions(
  program: Program,
  txn: CardTransaction,
  input: PermissionInput,
): PermissionDecline | undefined {
  const rule = input.cardForm === 'virtual' ? program.cardForms.virtual : program.cardForms.physical;
  if (rule === null || !rule.channels.includes(txn.channel)) return DeclineReason.ChannelNotPermitted;
  if (!rule.entryModes.includes(txn.entryMode)) return DeclineReason.EntryModeNotPermitted;
  // "POS needs contactless or chip+PIN" (seed 004 clause 10.1.2): a payment read from the
  // magnetic stripe at a POS is neither (an increment or a refund is not a new card read).
  if (txn.channel === 'pos' && txn.entryMode === 'magstripe' && isSpend(txn.kind) && !txn.incremental)
    return DeclineReason.EntryModeNotPermitted;
  if (rule.deviceWalletRequiredFor.includes(txn.entryMode) && !input.deviceWallet)
    return DeclineReason.EntryModeNotPermitted;
  if (txn.kind !== 'refund' && inCategories(txn.mcc, program.restrictedCategories))
    return DeclineReason.MerchantCategoryRestricted;
  if (isMerchantInitiated(input.merchantInitiated) && input.recurringConsentRevoked)
    return DeclineReason.RecurringConsentRevoked;
  return undefined;
}
