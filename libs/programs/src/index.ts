/**
 * Public API of @lib/programs: the card programs' business rules as pure functions over
 * validated data. No I/O except `loadProgramCatalogue` (load-programs.ts), no wall clock: every
 * time-dependent function takes the instant (epoch ms) from the caller.
 */
export type {
  Program,
  Channel,
  EntryMode,
  Region,
  CurrencyClass,
  LimitWindow,
  LimitMeasure,
  LimitScope,
  LimitRule,
  LoadMethod,
  LoadRules,
  FeeFormula,
  FeeSchedule,
  AtmFeeRules,
  ThresholdFee,
  SwapOption,
  SwapRules,
  McRange,
  HoldRules,
  CardForm,
  CardFormRule,
  CardFormRules,
  ScaRules,
} from './program';
export { CHANNELS, ENTRY_MODES, LOAD_METHODS, SWAP_OPTIONS } from './program';

// configuration
export { loadProgramCatalogue, readCatalogueTexts } from './load-programs';
export {
  buildCatalogue,
  type ProgramCatalogue,
  type CatalogueTexts,
  type ConfigText,
} from './config/catalogue';
export { ConfigError } from './config/config-reader';
export { parseProgram } from './config/parse-program';
export {
  parseMerchantCategories,
  inCategories,
  type MerchantCategoryGroups,
} from './config/merchant-categories';

// time
export {
  type InstantMs,
  type LocalDate,
  MS_PER_DAY,
  MS_PER_HOUR,
  localDateOf,
  dayIdOf,
  monthIdOf,
  yearIdOf,
  parseDayId,
  addDays,
  addMonths,
  utcOffsetMs,
  startOfLocalDay,
  startOfNextLocalDay,
  startOfNextLocalMonth,
  startOfNextLocalYear,
  isKnownTimeZone,
  CalendarDay,
  calendarDayOf,
  isoTimestampOf,
} from './calendar/zoned-time';

// transactions
export {
  type TransactionKind,
  type CardTransaction,
  type StoredCredentialUse,
  isMerchantInitiated,
  isSpend,
  kindFromProcessingCode,
  entryModeFromFields,
  terminalTakesPin,
  channelOf,
} from './transaction';

// FX
export {
  type RateTable,
  type RateDay,
  type ReferenceRate,
  type FxError,
  rateOn,
  parseRateTable,
  mergeRateTables,
} from './fx/rate-table';
export { type Conversion, crossRate, convertForBilling, equivalentIn, fxErrorText } from './fx/conversion';
export { type WireRate, encodeWireRate, decodeWireRate } from './fx/wire-rate';

// fees
export {
  type FeeType,
  type FeeLine,
  type FeeUsage,
  type FeeContext,
  type Service,
  type AccountActivity,
  NO_FEE_USAGE,
  applyFormula,
  authorisationFees,
  fxFee,
  insufficientFundsDeclineFee,
  serviceFees,
  subscriptionFee,
  monthlyAccountFees,
  loadFee,
  totalFees,
  totalDebit,
  disclosedMarkupPercent,
} from './fees/fees';
export { type SwapQuote, type SwapError, swapQuote } from './fees/swap';
export {
  type Billing,
  type PeriodCharge,
  type ActivityCount,
  type Collection,
  accountActivityAt,
  addMonthsClamped,
  chargesSubscription,
  collectWithin,
  hasPeriodicFees,
  managementWindow,
  maxPeriodicFeeMinor,
  monthsWithoutTransaction,
  nextChargeDueMs,
  periodCharge,
  periodicFeesDue,
  periodsDue,
} from './fees/periodic-fees';

// pricing (wallet choice + conversion + fees)
export {
  type Pricing,
  type WalletBalances,
  priceTransaction,
  priceInWallet,
  checkFunds,
} from './pricing/price-transaction';

// limits
export {
  type CounterMove,
  type LimitCheck,
  type LimitPlan,
  type LimitResult,
  type LimitStatus,
  countersFor,
  checkLimits,
  applyMoves,
  limitStatuses,
  scopeApplies,
  counterKey,
  sumKeysOf,
} from './limits/limits';
export {
  LoadDeclineReason,
  type LoadRequest,
  type LoadPlan,
  type LoadCounterCheck,
  type LoadResult,
  loadCountersFor,
  checkLoad,
  consolidatedBalance,
} from './limits/load-limits';

// holds
export { holdDays, holdExpiresAt } from './holds/hold-expiry';

// decisions
export {
  DeclineReason,
  DECLINE_REASONS_BY_PRECEDENCE,
  firstDecline,
  ApprovalKind,
} from './decisions/decline-reason';
export {
  type ResponseCode,
  responseCodeForDecline,
  responseCodeForApproval,
  declineReasonName,
} from './decisions/response-codes';
export { type PermissionInput, type PermissionDecline, checkPermissions } from './decisions/permissions';
export { checkCardExpiry } from './decisions/card-expiry';
export {
  type PinTriesState,
  type PinOutcome,
  PIN_TRIES_INITIAL,
  verifyPinAttempt,
  refuseMissingPin,
  pinRequired,
  unblockPin,
} from './decisions/pin-tries';
export { type ScaCounters, type ScaInput, type ScaDecision, decideSca } from './decisions/sca-exemption';
export { suspendedByBalances } from './decisions/suspension';
