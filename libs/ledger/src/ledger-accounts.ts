import type { CurrencyCode } from '@lib/money';

/**
 * The chart of accounts (docs/settlement.md). A ledger account is a code ending with its currency,
 * so every line names its currency twice and the database checks they agree.
 *
 * Sign convention of the lines: debit positive, credit negative. A cardholder wallet is what the
 * issuer owes the holder (a liability): a credit (negative line) raises the holder's balance.
 */
export const ledgerAccounts = {
  /** What the issuer owes one cardholder, per wallet currency. */
  cardholder: (accountId: string, currency: CurrencyCode | string) => `cardholder:${accountId}:${currency}`,
  /** What the issuer owes the card network (credit) or is owed by it (debit), per currency. */
  networkSettlement: (currency: CurrencyCode | string) => `network-settlement:${currency}`,
  /** Fee income per fee type of the tariff (FeeType of @lib/programs), except the FX markup. */
  feeIncome: (feeType: string, currency: CurrencyCode | string) => `fee-income:${feeType}:${currency}`,
  /** The FX markup (fee line `fx`) charged over the reference rate. */
  fxIncome: (currency: CurrencyCode | string) => `fx-income:${currency}`,
  /** Funds received for loads (SEPA transfer, card, p2p) not yet swept to the safeguarding account. */
  loadFunding: (currency: CurrencyCode | string) => `load-funding:${currency}`,
  /** Money that could not be attributed (clearing for an unknown card, a posting that cannot be priced). */
  suspense: (currency: CurrencyCode | string) => `suspense:${currency}`,
} as const;

/** Fee line `fx` is FX income; every other fee type is fee income of its type. */
export function feeAccount(feeType: string, currency: CurrencyCode | string): string {
  return feeType === 'fx' ? ledgerAccounts.fxIncome(currency) : ledgerAccounts.feeIncome(feeType, currency);
}

export const CARDHOLDER_PREFIX = 'cardholder:';

/** The account id and currency of a cardholder account code, or undefined for a house account. */
export function parseCardholderAccount(code: string): { accountId: string; currency: string } | undefined {
  if (!code.startsWith(CARDHOLDER_PREFIX)) return undefined;
  const parts = code.split(':');
  if (parts.length !== 3) return undefined;
  return { accountId: parts[1], currency: parts[2] };
}
