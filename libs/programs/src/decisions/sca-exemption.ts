import { Money, add, greaterThan, lessThanOrEqual, money } from '@lib/money';
import type { ScaRules } from '../program';
import { isSpend, TransactionKind } from '../transaction';
import { DeclineReason } from './decline-reason';

/**
 * PSD2 low-value remote payment exemption (network-interface.md "SCA exemption"): an e-commerce
 * payment (field 25 = 59, cardholder-initiated) without `SC=Y` is approved only if its amount is
 * at most 30.00 EUR and, counting it, the exempted payments since the last SCA are at most 5 and
 * total at most 100.00 EUR; otherwise `1A`. `SC=Y` resets both counters. Per card.
 * Merchant-initiated payments (`MI`) and account verifications are out of scope.
 *
 * Our reading of the scope: only payments are in it (purchases, cashback, cash), so a refund or
 * any other message that pays nothing (verification, inquiry, PIN change) is out of scope and
 * uses no exemption. `MI=R` and `MI=I` are merchant-initiated; `MI=C` ("cardholder-initiated with
 * stored credentials") is a cardholder-initiated payment, so it is in scope.
 *
 * The counters move only if the transaction is finally approved: the caller stores `onApproval`
 * after the later checks (limits, funds) pass, and leaves the state unchanged otherwise.
 */
export interface ScaCounters {
  readonly exemptedCount: number;
  /** Total of the exempted payments since the last SCA, in EUR (the account currency). */
  readonly exemptedTotal: Money;
}

export interface ScaInput {
  readonly ecommerce: boolean;
  /** Field 48 `MI=R` or `MI=I` (isMerchantInitiated); `MI=C` is cardholder-initiated. */
  readonly merchantInitiated: boolean;
  readonly accountVerification: boolean;
  /** The message's kind: only payments are in scope (absent: a purchase). */
  readonly kind?: TransactionKind;
  /** Field 48 `SC=Y`. */
  readonly scaPerformed: boolean;
  /**
   * The payment in EUR: field 6 for an EUR account; for another wallet its EUR equivalent.
   * undefined when it cannot be measured in EUR (no reference rate that day): no exemption.
   */
  readonly amount: Money | undefined;
}

export type ScaDecision =
  | { readonly outcome: 'out-of-scope' }
  | { readonly outcome: 'authenticated'; readonly onApproval: ScaCounters }
  | { readonly outcome: 'exempted'; readonly onApproval: ScaCounters }
  | { readonly outcome: 'declined'; readonly reason: DeclineReason.ScaRequired };

export function decideSca(rules: ScaRules, counters: ScaCounters, input: ScaInput): ScaDecision {
  const payment = input.kind === undefined || isSpend(input.kind);
  if (!input.ecommerce || !payment || input.merchantInitiated || input.accountVerification)
    return { outcome: 'out-of-scope' };
  const code = rules.exemptionMaxAmount.currency;
  if (input.scaPerformed)
    return { outcome: 'authenticated', onApproval: { exemptedCount: 0, exemptedTotal: money(0n, code) } };
  if (input.amount === undefined) return { outcome: 'declined', reason: DeclineReason.ScaRequired };
  const amount = money(input.amount.amountMinor, input.amount.currency);
  if (amount.currency !== code)
    throw new Error(`SCA exemption amounts are in ${code}, got ${amount.currency}`);
  const next: ScaCounters = {
    exemptedCount: counters.exemptedCount + 1,
    exemptedTotal: add(money(counters.exemptedTotal.amountMinor, code), money(amount.amountMinor, code)),
  };
  const withinAmount = lessThanOrEqual(money(amount.amountMinor, code), rules.exemptionMaxAmount);
  const withinCount = next.exemptedCount <= rules.exemptionMaxCount;
  const withinTotal = !greaterThan(next.exemptedTotal, rules.exemptionMaxTotal);
  if (withinAmount && withinCount && withinTotal) return { outcome: 'exempted', onApproval: next };
  return { outcome: 'declined', reason: DeclineReason.ScaRequired };
}
