import { ok } from '@lib/money';
import { AccountRecord, BALANCES_KEY, StepKeys, accountToHash, keys, walletFields, runStep } from '@lib/store';
import { BackOfficeDeps } from '../shared/back-office-deps';
import { Answer, IDEMPOTENCY_CONFLICT_REASON_TEXT, Outcome, refuse } from '../shared/errors';
import {
  IDEMPOTENCY_TTL_MS,
  IdempotencyRequest,
  encodeStoredAnswer,
  judgeStored,
} from '../shared/idempotency';
import { OpenAccountCommand, parseOpenAccount } from './open-account.command';

export interface OpenedAccount {
  readonly accountId: string;
}

/**
 * `POST /v1/accounts`: an account record on a program, its home wallet (EUR, zero), and its entry
 * in the account directory. Other wallets (travel-multicurrency) appear on their first load.
 *
 * With an Idempotency-Key the account id is chosen and stored under the key (SET NX) before the
 * account is written; a retry finds the id and makes sure the account exists, so a crash between
 * the two writes, or two concurrent requests with one key, still end with exactly one account.
 */
export class OpenAccountUseCase {
  constructor(private readonly deps: BackOfficeDeps) {}

  async execute(body: unknown, idempotency: IdempotencyRequest | undefined): Promise<Answer<OpenedAccount>> {
    const parsed = parseOpenAccount(body, this.deps.catalogue.programs);
    if (!parsed.ok) return { outcome: refuse({ code: 'validation', ...parsed.error }), replayed: false };
    const nowMs = this.deps.clock.nowMs();
    if (idempotency === undefined) {
      const accountId = this.deps.random.id('acc');
      await this.createAccount(accountId, parsed.value, nowMs);
      return { outcome: ok({ accountId }), replayed: false };
    }
    const idemKey = keys.globalIdempotency(idempotency.key);
    for (;;) {
      const judged = judgeStored<Outcome<OpenedAccount>>(
        await this.deps.redis.get(idemKey),
        idempotency,
        'ttl-decides',
      );
      if (judged.kind === 'conflict')
        return {
          outcome: refuse({ code: 'idempotency-conflict', reason: IDEMPOTENCY_CONFLICT_REASON_TEXT }),
          replayed: false,
        };
      if (judged.kind === 'replay') {
        // The first request may have stopped between reserving the id and writing the account.
        if (judged.outcome.ok) await this.createAccount(judged.outcome.value.accountId, parsed.value, nowMs);
        return { outcome: judged.outcome, replayed: true };
      }
      const accountId = this.deps.random.id('acc');
      const outcome: Outcome<OpenedAccount> = ok({ accountId });
      const reserved = await this.deps.redis.set(
        idemKey,
        encodeStoredAnswer(idempotency, nowMs, outcome),
        'PX',
        IDEMPOTENCY_TTL_MS,
        'NX',
      );
      if (reserved === null) continue; // another request took the key first: replay its answer
      await this.createAccount(accountId, parsed.value, nowMs);
      return { outcome, replayed: false };
    }
  }

  /** Writes the account once (an existing account is left as it is), then lists it. */
  private async createAccount(accountId: string, command: OpenAccountCommand, nowMs: number): Promise<void> {
    const record: AccountRecord = {
      accountId,
      program: command.program.id,
      status: 'active',
      version: 1,
      billing: command.billing,
      openedAt: nowMs,
      homeCurrency: command.program.accountCurrency,
      holderName: command.holderName,
      holderEmail: command.holderEmail,
      loadCount: 0,
    };
    const stepKeys = new StepKeys(accountId);
    const accountRef = stepKeys.ref(keys.account(accountId));
    const home = walletFields(command.program.accountCurrency);
    const result = await runStep(
      this.deps.redis,
      stepKeys,
      {
        checks: [{ name: 'account-exists', type: 'absent', key: accountRef }],
        onApprove: [
          { type: 'hset', key: accountRef, values: accountToHash(record) },
          { type: 'hset', key: BALANCES_KEY, values: { [home.ledger]: 0, [home.available]: 0 } },
        ],
        publish: false,
      },
      nowMs,
    );
    if (result.status !== 'done')
      throw new Error(`open account ${accountId}: unexpected step status ${result.status}`);
    await this.deps.redis.sadd(keys.accountDirectory(), accountId);
  }
}
