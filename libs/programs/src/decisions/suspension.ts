/**
 * network-interface.md `05`: "a negative balance suspends every debit until a load brings the
 * balance back to 0 or more". Our reading: the available balance of any wallet below zero. The
 * available balance is never above the ledger balance (available = ledger - open holds), so this
 * covers a negative ledger (clearing above the hold, late completion) and a stand-in advice whose
 * hold overdrew the account (its ledger is still positive, but the money is owed all the same).
 * Derived from the balances, never stored: the engine declines debits `05` on it, and the back
 * office's account view shows the account `suspended`.
 */
export function suspendedByBalances(availableMinorByWallet: Iterable<bigint>): boolean {
  for (const available of availableMinorByWallet) if (available < 0n) return true;
  return false;
}
