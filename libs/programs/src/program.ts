import type { CurrencyCode, Decimal, Money } from '@lib/money';

/**
 * A card program as validated data (card-programs.md: "a program is data, not code"). Built only
 * by parse-program.ts from config/programs/*.yaml; every rule module reads its numbers from here.
 * Amounts without a named currency are in `accountCurrency`.
 */
export interface Program {
  readonly id: string;
  readonly name: string;
  /** The file it came from, for error messages and audit. */
  readonly sourceFile: string;
  /** IANA zone of the program's calendar days and months (Europe/Paris for all three). */
  readonly timeZone: string;
  /** ISO 3166 numeric country: field 19 equal to it is domestic, anything else abroad. */
  readonly homeCountry: string;
  /** Home wallet, currency of every limit, fee and load limit unless a currency is named. */
  readonly accountCurrency: CurrencyCode;
  /** Held wallet currencies, the account currency first (travel: the 18 currencies of seed 002). */
  readonly walletCurrencies: readonly CurrencyCode[];
  readonly limits: readonly LimitRule[];
  readonly loads: LoadRules;
  readonly fees: FeeSchedule;
  readonly holds: HoldRules;
  readonly restrictedCategories: readonly McRange[];
  readonly cardForms: CardFormRules;
  readonly pin: { readonly maxConsecutiveWrong: number };
  readonly sca: ScaRules;
}

/** Where a card transaction happens: cash machine, card-present terminal, card-not-present. */
export type Channel = 'atm' | 'pos' | 'ecommerce';
export const CHANNELS: readonly Channel[] = ['atm', 'pos', 'ecommerce'];

/** How the card data reached the terminal (field 22, first two digits). */
export type EntryMode = 'chip' | 'contactless' | 'magstripe' | 'manual' | 'ecommerce';
export const ENTRY_MODES: readonly EntryMode[] = ['chip', 'contactless', 'magstripe', 'manual', 'ecommerce'];

export type Region = 'any' | 'domestic' | 'abroad';
export type CurrencyClass = 'any' | 'held' | 'not-held';

/** A limit's window. `rolling` = the current local day and the `days - 1` days before it. */
export type LimitWindow =
  | { readonly kind: 'transaction' }
  | { readonly kind: 'day' }
  | { readonly kind: 'month' }
  | { readonly kind: 'year' }
  | { readonly kind: 'rolling'; readonly days: number };

export type LimitMeasure = 'count' | 'amount';

/** Which transactions a group of limits applies to (one key under `limits:` in the yaml). */
export interface LimitScope {
  readonly name: string;
  readonly channels: readonly Channel[];
  readonly region: Region;
  readonly currencyClass: CurrencyClass;
}

/** One limit: e.g. `atm.perDay.amount` = at most 100.00 EUR of ATM withdrawals per Paris day. */
export interface LimitRule {
  /** `<scope>.<window key>.<measure>`, the yaml path below `limits`. */
  readonly name: string;
  readonly scope: LimitScope;
  readonly window: LimitWindow;
  readonly measure: LimitMeasure;
  /** A count, or minor units of the account currency. */
  readonly limit: bigint;
}

export type LoadMethod = 'sepa-transfer' | 'p2p' | 'card-credit' | 'card-debit';
export const LOAD_METHODS: readonly LoadMethod[] = ['sepa-transfer', 'p2p', 'card-credit', 'card-debit'];

export interface LoadRules {
  readonly firstLoad: {
    readonly min: Money;
    readonly max: Money;
    readonly methods: readonly LoadMethod[];
  } | null;
  readonly perLoadMin: Money;
  readonly perLoadMax: Money;
  /** Per-currency minimum load in that currency (seed 002: "15€ / £10 / NKr100 ..."). */
  readonly minimumByCurrency: ReadonlyMap<CurrencyCode, Money>;
  readonly perDayCount: number | null;
  readonly perDayAmount: Money | null;
  readonly cardPerDayCount: number | null;
  readonly cardPerDayAmount: Money | null;
  readonly perMonthAmount: Money | null;
  readonly perYearAmount: Money | null;
  /** Consolidated balance cap after the load (all wallets, in the account currency). */
  readonly maxBalance: Money;
}

/**
 * A fee formula: max(min, percent % x base + fixed), capped by max; free for the first
 * `freePerMonth` uses in a calendar month; the first `freeAmountPerMonth` of base in a month
 * carries no fee. Amounts in the account currency.
 */
export interface FeeFormula {
  readonly fixed: Money;
  readonly percent: Decimal;
  readonly min: Money | null;
  readonly max: Money | null;
  readonly freePerMonth: number | null;
  readonly freeAmountPerMonth: Money | null;
}

/** Seed 002 ATM fee: `fee` when the withdrawal is below `below`, both in `currency`. */
export interface ThresholdFee {
  readonly currency: CurrencyCode;
  readonly below: Money;
  readonly fee: Money;
}

export type AtmFeeRules =
  | {
      readonly kind: 'by-currency-class';
      readonly accountCurrency: FeeFormula;
      readonly foreignCurrency: FeeFormula;
    }
  | {
      readonly kind: 'threshold-by-currency';
      readonly table: ReadonlyMap<CurrencyCode, ThresholdFee>;
      /** Row used for a withdrawal currency outside the table (applied to the billing amount). */
      readonly otherCurrencies: CurrencyCode;
    };

export type SwapOption = 'smart' | 'immediate' | 'three-days' | 'one-week';
export const SWAP_OPTIONS: readonly SwapOption[] = ['smart', 'immediate', 'three-days', 'one-week'];

export interface SwapRules {
  readonly percentByOption: ReadonlyMap<SwapOption, Decimal>;
  readonly maxVolatilitySurchargePercent: Decimal;
  readonly minimumByCurrency: ReadonlyMap<CurrencyCode, Money>;
}

export interface FeeSchedule {
  readonly atmWithdrawal: AtmFeeRules | null;
  readonly payment: { readonly accountCurrency: FeeFormula; readonly foreignCurrency: FeeFormula } | null;
  /** FX markup over the reference rate, charged as its own fee line (field 28, not field 10). */
  readonly fxPercent: Decimal;
  readonly balanceInquiry: FeeFormula | null;
  readonly pinChange: FeeFormula | null;
  readonly declineInsufficientFunds: FeeFormula | null;
  readonly chargeback: FeeFormula | null;
  readonly cardCreation: { readonly physical: Money; readonly virtual: Money } | null;
  readonly cardReplacement: FeeFormula | null;
  readonly balanceRefund: FeeFormula | null;
  readonly subscription: { readonly monthly: Money; readonly yearly: Money } | null;
  readonly accountManagement: {
    readonly fee: Money;
    readonly minTransactions: number;
    readonly windowDays: number;
  } | null;
  readonly inactivity: { readonly fee: Money; readonly months: number } | null;
  readonly loads: ReadonlyMap<LoadMethod, FeeFormula>;
  readonly swap: SwapRules | null;
}

/** An inclusive range of merchant category codes ("3501-3999"; a single code is low = high). */
export interface McRange {
  readonly low: number;
  readonly high: number;
}

export interface HoldRules {
  readonly preAuthorisationDays: number;
  readonly defaultDays: number;
  readonly byMerchantCategory: readonly { readonly categories: readonly McRange[]; readonly days: number }[];
}

export interface CardFormRule {
  readonly channels: readonly Channel[];
  readonly entryModes: readonly EntryMode[];
  /** Entry modes allowed only when the card is in a device wallet (field 48 `DV=Y`). */
  readonly deviceWalletRequiredFor: readonly EntryMode[];
}

export type CardForm = 'physical' | 'virtual';

export interface CardFormRules {
  readonly physical: CardFormRule;
  /** null: the program issues no virtual card. */
  readonly virtual: CardFormRule | null;
}

export interface ScaRules {
  readonly exemptionMaxAmount: Money;
  readonly exemptionMaxCount: number;
  readonly exemptionMaxTotal: Money;
}
