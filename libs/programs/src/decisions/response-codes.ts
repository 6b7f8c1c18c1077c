import { ApprovalKind, DECLINE_REASONS_BY_PRECEDENCE, DeclineReason } from './decline-reason';

/**
 * The edge mapping from domain outcomes to ISO 8583 field 39 (network-interface.md, "Response
 * codes"). The rules never mention a response code; only this module does.
 */
export type ResponseCode =
  | '00'
  | '10'
  | '85'
  | '05'
  | '12'
  | '13'
  | '14'
  | '30'
  | '41'
  | '43'
  | '51'
  | '54'
  | '55'
  | '57'
  | '61'
  | '62'
  | '65'
  | '75'
  | '78'
  | '82'
  | '91'
  | '94'
  | '96'
  | '1A';

const DECLINE_CODES: { readonly [R in DeclineReason]: ResponseCode } = {
  [DeclineReason.FormatError]: '30',
  [DeclineReason.InvalidAmount]: '13',
  [DeclineReason.DuplicateTransactionId]: '94',
  [DeclineReason.UnknownCard]: '14',
  [DeclineReason.CardLost]: '41',
  [DeclineReason.CardStolen]: '43',
  [DeclineReason.CardRestricted]: '62',
  [DeclineReason.CardNotActivated]: '78',
  [DeclineReason.CardExpired]: '54',
  [DeclineReason.ExpiryMismatch]: '54',
  [DeclineReason.TransactionNotSupported]: '12',
  [DeclineReason.ChannelNotPermitted]: '57',
  [DeclineReason.EntryModeNotPermitted]: '57',
  [DeclineReason.MerchantCategoryRestricted]: '57',
  [DeclineReason.RecurringConsentRevoked]: '57',
  [DeclineReason.PinTriesExceeded]: '75',
  [DeclineReason.PinIncorrect]: '55',
  [DeclineReason.Cvv2Mismatch]: '82',
  [DeclineReason.ScaRequired]: '1A',
  [DeclineReason.AccountSuspended]: '05',
  [DeclineReason.CountLimitExceeded]: '65',
  [DeclineReason.AmountLimitExceeded]: '61',
  [DeclineReason.InsufficientFunds]: '51',
  [DeclineReason.IssuerUnavailable]: '91',
  [DeclineReason.SystemMalfunction]: '96',
};

const APPROVAL_CODES: { readonly [A in ApprovalKind]: ResponseCode } = {
  [ApprovalKind.Approved]: '00',
  [ApprovalKind.PartiallyApproved]: '10',
  [ApprovalKind.VerifiedNoReasonToDecline]: '85',
};

export function responseCodeForDecline(reason: DeclineReason): ResponseCode {
  return DECLINE_CODES[reason];
}

export function responseCodeForApproval(kind: ApprovalKind): ResponseCode {
  return APPROVAL_CODES[kind];
}

/** The enum member name in kebab case: CountLimitExceeded -> "count-limit-exceeded". */
function kebabCase(memberName: string): string {
  return memberName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Every reason's name, built once (a name is written into every decision record, per check). */
const DECLINE_REASON_NAMES: ReadonlyMap<DeclineReason, string> = new Map(
  DECLINE_REASONS_BY_PRECEDENCE.map((reason) => [reason, kebabCase(DeclineReason[reason])]),
);

/** Kebab-case names (e.g. "count-limit-exceeded") for events and logs ("decline reason" of card.authorizations). */
export function declineReasonName(reason: DeclineReason): string {
  return DECLINE_REASON_NAMES.get(reason) ?? kebabCase(DeclineReason[reason]);
}
