/**
 * Every Redis key of the engine is built here and nowhere else (STYLE.md rule 6). Every key of
 * one account carries the hash tag `{a:<accountId>}`, so each atomic step touches one slot and
 * runs unchanged on a Redis Cluster. The only keys outside an account's slot are directories
 * read before a step (PAN hash -> card, card id -> account, TI -> its first original) and the
 * work lists of the relay and the hold sweeper.
 */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

function checkId(kind: string, id: string): string {
  if (!ID_PATTERN.test(id)) throw new Error(`invalid ${kind} id for a Redis key: ${JSON.stringify(id)}`);
  return id;
}

export const accountTag = (accountId: string): string => `{a:${checkId('account', accountId)}}`;

export const keys = {
  /** Hash: program, status, version, billing, openedAt, holder fields. */
  account: (accountId: string) => `${accountTag(accountId)}:account`,
  /** Hash: `<CUR>:ledger` and `<CUR>:avail` per wallet, in minor units. */
  balances: (accountId: string) => `${accountTag(accountId)}:balances`,
  /** Hash per card: state, form, expiry, verification data (keyed hashes only), counters, version. */
  card: (accountId: string, cardId: string) => `${accountTag(accountId)}:card:${checkId('card', cardId)}`,
  /** Set of the account's card ids. */
  cards: (accountId: string) => `${accountTag(accountId)}:cards`,
  /** Hash: holdId -> hold record (JSON). */
  holds: (accountId: string) => `${accountTag(accountId)}:holds`,
  /** Sorted set: open holdIds by expiry instant (ms). */
  holdExpiries: (accountId: string) => `${accountTag(accountId)}:hold-expiries`,
  /** Hash per network transaction id (TI): the original, its hold, reversals seen before it. */
  transaction: (accountId: string, transactionId: string) => `${accountTag(accountId)}:ti:${checkId('transaction', transactionId)}`,
  /** String per limit window bucket, expiring after its window. */
  counter: (accountId: string, counterKey: string) => `${accountTag(accountId)}:ctr:${counterKey}`,
  /** String per network message (MTI + 32 + 11 + 7): the decision record, 24 h. */
  message: (accountId: string, messageKey: string) => `${accountTag(accountId)}:msg:${messageKey}`,
  /** Stream: events decided in an atomic step, waiting for the relay. */
  outbox: (accountId: string) => `${accountTag(accountId)}:outbox`,
  /** Hash: recurring consents revoked, merchantId -> revokedAt. */
  revokedConsents: (accountId: string, cardId: string) => `${accountTag(accountId)}:card:${checkId('card', cardId)}:revoked`,
  /** Hash: idempotency keys of back-office writes for this account. */
  idempotency: (accountId: string) => `${accountTag(accountId)}:idem`,

  // Directories, outside any account slot.
  /** String: keyed hash of a PAN -> `<accountId>:<cardId>`. */
  panDirectory: (panHash: string) => `dir:pan:${panHash}`,
  /** String: card id -> account id. */
  cardDirectory: (cardId: string) => `dir:card:${checkId('card', cardId)}`,
  /**
   * String per network transaction id (TI): `<accountId>|<messageKey>` of the first original that
   * carried it, across every account (a TI is the network's, not an account's: a later, different
   * original with it is a 94 whatever card it names). Kept as long as the TI records.
   */
  transactionRegister: (transactionId: string) => `dir:ti:${checkId('transaction', transactionId)}`,
  /** Set of every account id (reconciliation, sweeps). */
  accountDirectory: () => 'dir:accounts',
  /** Set of account ids whose outbox has entries to relay. */
  outboxPending: () => 'outbox:pending',
  /** Lease of the relay on one account's outbox. */
  outboxLease: (accountId: string) => `outbox:lease:${checkId('account', accountId)}`,
  /** Sorted set: accountId by its earliest open hold expiry (the sweeper's work list). */
  holdExpiryIndex: () => 'holds:expiry-index',
  /** Sorted set: accountId by when its next periodic-fee period is due (the fee job's work list). */
  periodicFeesDue: () => 'fees:due',
  /** Idempotency of back-office writes that create an account (no account yet). */
  globalIdempotency: (key: string) => `idem:${key}`,
  /** The shared simulated clock. */
  simulatedClock: () => 'clock:simulated',
} as const;

/** The network's retry identity of a message (spec: same MTI, field 32, field 11, field 7). */
export function messageKey(mti: string, acquirerId: string, stan: string, transmissionDateTime: string): string {
  return `${mti}:${acquirerId}:${stan}:${transmissionDateTime}`;
}
