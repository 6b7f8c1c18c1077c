/**
 * The engine's hot state in Redis, as typed records. Hash fields are strings on the wire; these
 * functions are the only place that converts them. No card data in clear: a PAN is kept as its
 * keyed hash plus first 6 / last 4; PIN and CVV2 only as keyed verification hashes.
 */
export type AccountStatus = 'active' | 'restricted' | 'blocked' | 'closed';

export interface AccountRecord {
  accountId: string;
  program: string;
  status: AccountStatus;
  /** Bumped on every change of status: steps computed from an older version are refused. */
  version: number;
  billing: 'monthly' | 'yearly' | 'none';
  openedAt: number;
  homeCurrency: string;
  holderName: string;
  holderEmail: string;
  /** Number of loads so far (the first load has its own rules). */
  loadCount: number;
}

export type CardState = 'inactive' | 'active' | 'blocked-temporary' | 'blocked-total' | 'lost' | 'stolen' | 'restricted';
export type CardForm = 'physical' | 'virtual';

export interface CardRecord {
  cardId: string;
  accountId: string;
  form: CardForm;
  state: CardState;
  /** YYMM, as printed; the card expires at the end of that month. */
  expiry: string;
  panHash: string;
  panFirst6: string;
  panLast4: string;
  /** Keyed hashes binding the PAN to the PIN / CVV2 (never the values). */
  pinCheck: string;
  cvv2Check: string;
  /** Consecutive wrong PINs (spec: the third and every later PIN transaction -> 75). */
  pinTries: number;
  /** SCA exemption counters since the last SCA (spec: per card). */
  scaExemptCount: number;
  scaExemptSumMinor: number;
  /** Bumped on every change of a field above: steps computed from an older version are refused. */
  version: number;
  issuedAt: number;
}

export function accountToHash(a: AccountRecord): Record<string, string> {
  return {
    accountId: a.accountId,
    program: a.program,
    status: a.status,
    version: String(a.version),
    billing: a.billing,
    openedAt: String(a.openedAt),
    homeCurrency: a.homeCurrency,
    holderName: a.holderName,
    holderEmail: a.holderEmail,
    loadCount: String(a.loadCount),
  };
}

export function accountFromHash(h: Record<string, string>): AccountRecord | null {
  if (!h.accountId) return null;
  return {
    accountId: h.accountId,
    program: h.program,
    status: h.status as AccountStatus,
    version: Number(h.version ?? 0),
    billing: (h.billing ?? 'none') as AccountRecord['billing'],
    openedAt: Number(h.openedAt),
    homeCurrency: h.homeCurrency,
    holderName: h.holderName ?? '',
    holderEmail: h.holderEmail ?? '',
    loadCount: Number(h.loadCount ?? 0),
  };
}

export function cardToHash(c: CardRecord): Record<string, string> {
  return {
    cardId: c.cardId,
    accountId: c.accountId,
    form: c.form,
    state: c.state,
    expiry: c.expiry,
    panHash: c.panHash,
    panFirst6: c.panFirst6,
    panLast4: c.panLast4,
    pinCheck: c.pinCheck,
    cvv2Check: c.cvv2Check,
    pinTries: String(c.pinTries),
    scaExemptCount: String(c.scaExemptCount),
    scaExemptSumMinor: String(c.scaExemptSumMinor),
    version: String(c.version),
    issuedAt: String(c.issuedAt),
  };
}

export function cardFromHash(h: Record<string, string>): CardRecord | null {
  if (!h.cardId) return null;
  return {
    cardId: h.cardId,
    accountId: h.accountId,
    form: h.form as CardForm,
    state: h.state as CardState,
    expiry: h.expiry,
    panHash: h.panHash,
    panFirst6: h.panFirst6,
    panLast4: h.panLast4,
    pinCheck: h.pinCheck,
    cvv2Check: h.cvv2Check,
    pinTries: Number(h.pinTries ?? 0),
    scaExemptCount: Number(h.scaExemptCount ?? 0),
    scaExemptSumMinor: Number(h.scaExemptSumMinor ?? 0),
    version: Number(h.version ?? 0),
    issuedAt: Number(h.issuedAt),
  };
}

/** Balances hash fields of one wallet. */
export const walletFields = (currency: string) => ({ ledger: `${currency}:ledger`, available: `${currency}:avail` }) as const;

export function maskPan(first6: string, last4: string): string {
  return `${first6}******${last4}`;
}
