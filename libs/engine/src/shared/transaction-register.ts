import type Redis from 'ioredis';
import { keys, TRANSACTION_RECORD_TTL_MS } from '@lib/store';

/**
 * The network-wide register of transaction ids (TI). A TI is the network's, not an account's:
 * "same TI as an earlier, different original" is a `94` whatever card the later original names
 * (network-interface.md), and it comes before the unknown-card check in the order of checks. An
 * account's own TI records still decide within the account, atomically in its step; this register
 * answers the question across accounts.
 *
 * Every new original (an authorisation or a stand-in advice, not an increment, completion or
 * reversal, which carry their original's TI) claims its TI with one `SET NX GET`: the first claim
 * wins, so two different originals racing on one TI from two accounts cannot both pass. A message
 * finding the TI already claimed has reused it unless it is the claimant itself (a retry: same
 * retry key) or names the claimant's account, whose TI record then decides (a `94`, or an advice
 * and the authorisation it stood in for).
 *
 * Answers whether the TI was reused.
 */
export async function claimTransactionId(
  redis: Redis,
  transactionId: string,
  accountId: string | undefined,
  messageKey: string,
): Promise<boolean> {
  const claimant = `${accountId ?? ''}|${messageKey}`;
  const previous = (await redis.call('SET', keys.transactionRegister(transactionId), claimant, 'PX', String(TRANSACTION_RECORD_TTL_MS), 'NX', 'GET')) as string | null;
  if (previous === null || previous === claimant) return false;
  const separator = previous.indexOf('|');
  const owner = previous.slice(0, separator);
  const firstMessage = previous.slice(separator + 1);
  if (firstMessage === messageKey) return false;
  return !(accountId !== undefined && owner === accountId);
}
