import type { CardForm } from '@lib/programs';
import type { CardCredentials } from '../messages/build-message';
import type { PlannedCardholder } from '../planning/plan';
import { BackOfficeClient, BackOfficeError } from './back-office-client';

/**
 * Opens the planned cardholders' accounts through the back office, as a card-program team would:
 * open the account, load it by SEPA transfer (account currency first, then the other wallets),
 * issue each card (the numbers are answered once) and activate the physical ones. Every write
 * carries an Idempotency-Key derived from the run, so a retried call changes nothing.
 */
export interface ProvisionedCardholder {
  readonly index: number;
  readonly accountId: string;
  readonly cards: Partial<Record<CardForm, CardCredentials>>;
}

export interface ProvisionResult {
  readonly cardholders: Map<number, ProvisionedCardholder>;
  /** Failures by reason, e.g. "POST /v1/accounts answered 503". */
  readonly failures: Map<string, number>;
}

async function provisionOne(client: BackOfficeClient, holder: PlannedCardholder, runTag: string): Promise<ProvisionedCardholder> {
  const key = (what: string) => `sim-${runTag}-${holder.index}-${what}`;
  const accountId = await client.openAccount(holder.program, { name: holder.holderName, email: holder.holderEmail }, key('open'));
  for (const [n, funding] of holder.funding.entries()) await client.load(accountId, funding, key(`load-${n}`));
  const cards: Partial<Record<CardForm, CardCredentials>> = {};
  for (const form of holder.cards) {
    const card = await client.issueCard(accountId, form, key(`card-${form}`));
    if (card.state === 'inactive') await client.cardAction(card.cardId, 'activate', key(`activate-${form}`));
    cards[form] = card;
  }
  return { index: holder.index, accountId, cards };
}

export async function provisionCardholders(
  client: BackOfficeClient,
  holders: readonly PlannedCardholder[],
  options: { readonly runTag: string; readonly concurrency: number; readonly onProgress?: (done: number) => void },
): Promise<ProvisionResult> {
  const cardholders = new Map<number, ProvisionedCardholder>();
  const failures = new Map<string, number>();
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < holders.length) {
      const holder = holders[next++];
      try {
        cardholders.set(holder.index, await provisionOne(client, holder, options.runTag));
      } catch (error) {
        const reason = error instanceof BackOfficeError ? `${error.route} answered ${error.status}` : `${(error as Error).name}: ${(error as Error).message}`;
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
      }
      done += 1;
      if (done % 100 === 0) options.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return { cardholders, failures };
}
