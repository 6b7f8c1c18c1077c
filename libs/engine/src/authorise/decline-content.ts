import { IsoMessage } from '@lib/iso8583';
import { DeclineReason } from '@lib/programs';
import type { EngineDeps } from '../engine-deps';
import { walletFieldsOf } from '../shared/approval-effects';
import type { CardDirectory } from '../shared/card-directory';
import { retryKeyOf } from '../shared/message-identity';
import { decline } from '../shared/step-guard';
import { readSnapshot } from './account-snapshot';
import { setBalances } from './build-response';

/**
 * `12` / `13`, refused from the message's content alone (a request or an advice): decided before
 * any state is read, so they keep their place in the order of checks (ahead of `94` and `14`,
 * DeclineReason), yet the answer carries field 54 when the card is known (network-interface.md).
 * One read of the account and nothing written: such a decline changes no state, so it has no event
 * (docs/events.md, "no event without its change") and registers no TI; the balances are those of
 * the account currency's wallet, as for any decline decided before pricing. An unknown card: no
 * 54, no `14`.
 */
export async function declineContent(
  deps: EngineDeps,
  cards: CardDirectory,
  request: IsoMessage,
  pan: string | undefined,
  reason: DeclineReason,
): Promise<IsoMessage> {
  const response = decline(request, reason);
  if (pan === undefined) return response;
  const location = await cards.locate(pan);
  if (location === undefined) return response;
  const snapshot = await readSnapshot(deps.redis, {
    ...location,
    transactionId: undefined,
    messageKey: retryKeyOf(request),
    merchantId: undefined,
    counterKeys: [],
  });
  const program = snapshot ? deps.catalogue.programs.get(snapshot.account.program) : undefined;
  if (!snapshot || !program) return response;
  const wallet = walletFieldsOf(program.accountCurrency);
  return setBalances(response, program.accountCurrency, snapshot.balances.get(wallet.ledger) ?? 0n, snapshot.balances.get(wallet.available) ?? 0n);
}
