import { finalDecision, StoredDecisionJson } from '@lib/events';
import { BalanceBlock, buildResponse, IsoMessage, packAdditionalAmounts, packFeeAmount } from '@lib/iso8583';
import { currencyByAlpha } from '@lib/money';

function balanceBlock(amountType: '01' | '02', currency: string, minor: bigint): BalanceBlock {
  return { accountType: '00', amountType, currency, sign: minor < 0n ? 'D' : 'C', amountMinor: minor < 0n ? -minor : minor };
}

/**
 * The network response of a decided message, from the request and the stored decision only, so a
 * retried message (same MTI, 32, 11, 7) gets the very same answer (network-interface.md).
 * Every 0110 / 0210 carries 39, 38 on approval, 54 (ledger and available after), 6 / 10 / 51 for
 * a non-account currency, and 28 when a fee was charged; so do the answers to advices, completions
 * and reversals (0130, 0230, 0410, 0430), whose records are built the same way.
 */
export function responseFromDecision(request: IsoMessage, stored: StoredDecisionJson): IsoMessage {
  const { record, outcome } = stored;
  const decision = finalDecision(stored);
  const response = buildResponse(request, decision.approved ? record.approved.responseCode : decision.responseCode)!;
  if (decision.approved && record.approved.authCode) response.set(38, record.approved.authCode);
  // A partial approval answers the approved amount in field 4 (network-interface.md code 10).
  if (decision.approved && record.approved.responseCode === '10') response.setPadded(4, record.approved.approvedAmount.minor);
  const fees = decision.approved ? record.approved.fees : decision.fees;
  if (outcome.report.length === 2) setBalances(response, record.balanceCurrency, BigInt(outcome.report[0]), BigInt(outcome.report[1]));
  const walletCurrency = currencyByAlpha(record.balanceCurrency);
  if (record.billing && record.context.field10 && walletCurrency) {
    response.setPadded(6, record.billing.minor);
    response.set(10, record.context.field10);
    response.set(51, walletCurrency.numeric);
  }
  const feesMinor = fees.reduce((total, fee) => total + BigInt(fee.amount.minor), 0n);
  if (feesMinor > 0n) response.set(28, packFeeAmount({ sign: 'D', amountMinor: feesMinor }));
  return response;
}

/**
 * Field 54: the ledger and available balances of the wallet `currencyAlpha` (network-interface.md:
 * "54 when the card is known"). Left unset for a currency the money table does not know.
 */
export function setBalances(response: IsoMessage, currencyAlpha: string, ledgerMinor: bigint, availableMinor: bigint): IsoMessage {
  const currency = currencyByAlpha(currencyAlpha);
  if (currency === undefined) return response;
  return response.set(54, packAdditionalAmounts([balanceBlock('01', currency.numeric, ledgerMinor), balanceBlock('02', currency.numeric, availableMinor)]));
}
