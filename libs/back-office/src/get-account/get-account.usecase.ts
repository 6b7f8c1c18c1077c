import { ok } from '@lib/money';
import { HoldRecord, accountFromHash, keys } from '@lib/store';
import { programOf } from '../shared/account-state';
import { BackOfficeDeps } from '../shared/back-office-deps';
import { Outcome, notFound } from '../shared/errors';
import { isWellFormedId } from '../shared/validation';
import { AccountView, buildAccountView, viewCounterKeys } from './account-view';

/** `GET /v1/accounts/{id}`: balances per wallet, open holds and limits with their use, from Redis. */
export class GetAccountUseCase {
  constructor(private readonly deps: BackOfficeDeps) {}

  async execute(accountId: string): Promise<Outcome<AccountView>> {
    if (!isWellFormedId(accountId)) return notFound('account');
    const { redis, catalogue, clock } = this.deps;
    const nowMs = clock.nowMs();
    const [accountReply, balancesReply, holdsReply] =
      (await redis
        .pipeline()
        .hgetall(keys.account(accountId))
        .hgetall(keys.balances(accountId))
        .hgetall(keys.holds(accountId))
        .exec()) ?? [];
    for (const [error] of [accountReply, balancesReply, holdsReply]) if (error) throw error;
    const account = accountFromHash(accountReply[1] as Record<string, string>);
    if (!account) return notFound('account');
    const program = programOf(catalogue.programs, account);
    const counterKeys = viewCounterKeys(program, nowMs, catalogue.rates);
    const values =
      counterKeys.length > 0 ? await redis.mget(counterKeys.map((key) => keys.counter(accountId, key))) : [];
    const counters = new Map(counterKeys.map((key, i) => [key, BigInt(values[i] ?? '0')]));
    const holds = Object.values(holdsReply[1] as Record<string, string>).map(
      (raw) => JSON.parse(raw) as HoldRecord,
    );
    return ok(
      buildAccountView({
        account,
        program,
        balances: balancesReply[1] as Record<string, string>,
        holds,
        counters,
        nowMs,
        rates: catalogue.rates,
      }),
    );
  }
}
