import { InstantMs, localDateOf } from '../calendar/zoned-time';
import { DeclineReason } from './decline-reason';

/**
 * Expiry (`54`): field 14 (YYMM) must equal the card's expiry, and the card is valid until the
 * last day of its expiry month included, in the program's time zone (seed 004 clause 9.1: "elle
 * expirera le dernier jour du mois"). A missing field 14 (card-present) is not a mismatch.
 */
export function checkCardExpiry(
  cardExpiryYymm: string,
  field14: string | undefined,
  now: InstantMs,
  timeZone: string,
): DeclineReason.CardExpired | DeclineReason.ExpiryMismatch | undefined {
  if (field14 !== undefined && field14 !== cardExpiryYymm) return DeclineReason.ExpiryMismatch;
  const today = localDateOf(now, timeZone);
  const expiryMonth =
    2000 * 12 + Number(cardExpiryYymm.slice(0, 2)) * 12 + Number(cardExpiryYymm.slice(2, 4)) - 1;
  const currentMonth = today.year * 12 + today.month - 1;
  return currentMonth > expiryMonth ? DeclineReason.CardExpired : undefined;
}
