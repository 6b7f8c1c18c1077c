/**
 * Why an authorisation is declined: one exhaustive enum, in the order of checks of
 * network-interface.md ("the first that fails decides the response code"). The numeric value is
 * the precedence: when several checks would fail, the smallest value wins (`firstDecline`).
 * ISO response codes are a mapping at the edge (response-codes.ts), not part of the rules.
 */
export enum DeclineReason {
  /** Unparseable message or missing mandatory field (`30`). */
  FormatError = 1,
  /** Zero or negative amount where not allowed (`13`): a message-content check, needs no state. */
  InvalidAmount,
  /** Same `TI` as an earlier, different original (`94`). */
  DuplicateTransactionId,
  /** Unknown PAN (`14`). */
  UnknownCard,
  // Card state (`41`, `43`, `62`, `78`): a card is in one state at a time.
  CardLost,
  CardStolen,
  /** Blocked by the holder (temporary or total) or restricted by the issuer, card or account (`62`). */
  CardRestricted,
  CardNotActivated,
  /** Past the end of the expiry month (`54`). */
  CardExpired,
  /** Field 14 does not match the card (`54`). */
  ExpiryMismatch,
  /** Processing code not allowed for this message or card (`12`). */
  TransactionNotSupported,
  // Channel, card form, merchant category, recurring consent (`57`).
  ChannelNotPermitted,
  EntryModeNotPermitted,
  MerchantCategoryRestricted,
  RecurringConsentRevoked,
  // PIN (`75` before `55`: once the tries are exhausted even a right PIN gets `75`).
  PinTriesExceeded,
  PinIncorrect,
  /** Card-not-present CVV2 wrong (`82`). */
  Cvv2Mismatch,
  /** E-commerce without SCA outside the exemption (`1A`). */
  ScaRequired,
  /** Negative balance suspends every debit (`05`). */
  AccountSuspended,
  /** Any count limit (`65`), checked before every amount limit. */
  CountLimitExceeded,
  /** Any amount limit (`61`): per transaction, day, rolling days, month. */
  AmountLimitExceeded,
  /** Amount plus fees above the available balance (`51`). */
  InsufficientFunds,
  // Not rule outcomes: the engine could not decide. Listed last, outside the precedence chain.
  /** The store did not answer in time (`91`). */
  IssuerUnavailable,
  /** Anything else that went wrong inside the issuer (`96`). */
  SystemMalfunction,
}

/** Every reason, in precedence order. */
export const DECLINE_REASONS_BY_PRECEDENCE: readonly DeclineReason[] = Object.values(DeclineReason)
  .filter((value): value is DeclineReason => typeof value === 'number')
  .sort((a, b) => a - b);

/** The reason that decides among several failed checks: the one checked first. */
export function firstDecline(reasons: readonly DeclineReason[]): DeclineReason | undefined {
  return reasons.reduce<DeclineReason | undefined>(
    (first, reason) => (first === undefined || reason < first ? reason : first),
    undefined,
  );
}

/** An approval outcome (not a decline): `00`, `10` partial, `85` verification. */
export enum ApprovalKind {
  Approved = 'approved',
  PartiallyApproved = 'partially-approved',
  VerifiedNoReasonToDecline = 'verified',
}
