import type Redis from 'ioredis';
import { ok } from '@lib/money';
import type { Program } from '@lib/programs';
import {
  AtomicStepPlan,
  BALANCES_KEY,
  CardSecrets,
  StepKeys,
  cardToHash,
  eventRecord,
  keys,
  runStep,
  walletFields,
} from '@lib/store';
import { AccountState, liveCardField, programOf, readAccountState } from '../shared/account-state';
import {
  BackOfficeDeps,
  MAX_STEP_ATTEMPTS,
  RandomSource,
  pauseBeforeRetry,
} from '../shared/back-office-deps';
import { Answer, busy, notFound, refuse } from '../shared/errors';
import { IdempotencyRequest } from '../shared/idempotency';
import {
  IdempotencySlot,
  idempotencyExpect,
  idempotencyStore,
  judgeRequest,
  refusalPlan,
} from '../shared/idempotent-step';
import { isWellFormedId } from '../shared/validation';
import { expiryFor, generateCvv2, generatePan, generatePin } from './card-numbers';
import { parseIssueCard } from './issue-card.command';
import { AcceptedIssue, IssueCardResult, decideIssue, issueRefusal } from './plan-issue';

/** PAN draws before giving up: a collision in 10^9 numbers per BIN is rare; ten in a row is a bug. */
const MAX_PAN_DRAWS = 10;

/**
 * `POST /v1/accounts/{id}/cards`. Order of writes, so that a crash at any point leaves nothing
 * usable half-made and never a charged fee without a card:
 *   1. the directories (`dir:pan:<hash>` taken with NX, which also makes the PAN unique, and
 *      `dir:card:<id>`) and the account's card set are written first; alone they point at a card
 *      that does not exist yet, which every reader treats as unknown;
 *   2. the atomic step is the commit: it re-checks the premises (no live card of this form,
 *      balances and status unchanged), takes the creation fee, writes the card record (keyed
 *      hashes only), marks the form's live card, appends `card.issued` and stores the replay
 *      answer (masked, no card data) for the Idempotency-Key;
 *   3. if the step does not commit (refusal, retries exhausted, error), step 1 is undone.
 * The card numbers in clear leave this function only in the returned answer.
 */
export class IssueCardUseCase {
  constructor(private readonly deps: BackOfficeDeps) {}

  async execute(
    accountId: string,
    body: unknown,
    idempotency: IdempotencyRequest | undefined,
  ): Promise<Answer<IssueCardResult>> {
    const parsed = parseIssueCard(body);
    if (!parsed.ok) return { outcome: refuse({ code: 'validation', ...parsed.error }), replayed: false };
    if (!isWellFormedId(accountId)) return { outcome: notFound('account'), replayed: false };
    const { redis, catalogue, clock, random, secrets } = this.deps;
    let reservation: Reservation | undefined;
    let committed = false;
    try {
      for (let attempt = 0; attempt < MAX_STEP_ATTEMPTS; attempt += 1) {
        await pauseBeforeRetry(attempt);
        const nowMs = clock.nowMs();
        const state = await readAccountState(redis, accountId, idempotency?.key);
        if (!state) return { outcome: notFound('account'), replayed: false };
        const judged = judgeRequest<IssueCardResult>(idempotency, state.storedAnswer, nowMs);
        if (judged.kind === 'answer') return judged.answer;
        const program = programOf(catalogue.programs, state.account);
        const stepKeys = new StepKeys(accountId);
        // Refusals are decided before any card number is drawn or reserved.
        const refusal = issueRefusal(program, state, parsed.value);
        if (refusal !== undefined) {
          if (judged.slot === undefined) return { outcome: refusal, replayed: false };
          const stored = await runStep(
            redis,
            stepKeys,
            refusalPlan(stepKeys, judged.slot, nowMs, refusal.error),
            nowMs,
          );
          if (stored.status === 'stale') continue;
          return { outcome: refusal, replayed: false };
        }
        reservation ??= await reserveCard(redis, secrets, random, accountId);
        const numbers = {
          cardId: reservation.cardId,
          pan: reservation.pan,
          expiry: expiryFor(nowMs, program.timeZone),
          cvv2: reservation.cvv2,
          pin: reservation.pin,
        };
        const decision = decideIssue({
          program,
          state,
          command: parsed.value,
          numbers,
          secrets,
          nowMs,
          eventId: random.uuid(),
        });
        if (!decision.ok)
          throw new Error(
            `card issuance on ${accountId}: refused after its checks passed (${decision.error.code})`,
          );
        const result = await runStep(
          redis,
          stepKeys,
          issuePlan(stepKeys, program, state, decision.value, judged.slot, nowMs),
          nowMs,
          eventRecord(decision.value.event),
        );
        if (result.status === 'stale') continue;
        if (result.status !== 'done' || result.outcome.declined !== false) {
          throw new Error(`card issuance on ${accountId}: unexpected step result ${JSON.stringify(result)}`);
        }
        committed = true;
        return { outcome: ok(decision.value.answer), replayed: false };
      }
      return { outcome: busy(), replayed: false };
    } finally {
      if (reservation && !committed) await releaseCard(redis, accountId, reservation);
    }
  }
}

interface Reservation {
  readonly cardId: string;
  readonly pan: string;
  readonly panHash: string;
  readonly cvv2: string;
  readonly pin: string;
}

/** Step 1: a PAN nobody holds (NX on its directory entry), the card id's entry, the card set. */
async function reserveCard(
  redis: Redis,
  secrets: CardSecrets,
  random: RandomSource,
  accountId: string,
): Promise<Reservation> {
  const cardId = random.id('card');
  for (let draw = 0; draw < MAX_PAN_DRAWS; draw += 1) {
    const pan = generatePan(random);
    const panHash = secrets.panHash(pan);
    const taken = await redis.set(keys.panDirectory(panHash), `${accountId}:${cardId}`, 'NX');
    if (taken === null) continue;
    const reservation = { cardId, pan, panHash, cvv2: generateCvv2(random), pin: generatePin(random) };
    const replies =
      (await redis
        .multi()
        .set(keys.cardDirectory(cardId), accountId, 'NX')
        .sadd(keys.cards(accountId), cardId)
        .exec()) ?? [];
    if (replies.some(([error]) => error) || replies[0]?.[1] !== 'OK') {
      await releaseCard(redis, accountId, reservation);
      throw new Error(`card issuance: card id ${cardId} already in the directory`);
    }
    return reservation;
  }
  throw new Error(`card issuance: no free PAN after ${MAX_PAN_DRAWS} draws`);
}

/** Undoes step 1 (only entries that still point at this card). */
async function releaseCard(redis: Redis, accountId: string, reservation: Reservation): Promise<void> {
  const panKey = keys.panDirectory(reservation.panHash);
  if ((await redis.get(panKey)) === `${accountId}:${reservation.cardId}`) await redis.del(panKey);
  await redis
    .multi()
    .del(keys.cardDirectory(reservation.cardId))
    .srem(keys.cards(accountId), reservation.cardId)
    .exec();
}

function issuePlan(
  stepKeys: StepKeys,
  program: Program,
  state: AccountState,
  issue: AcceptedIssue,
  slot: IdempotencySlot | undefined,
  nowMs: number,
): AtomicStepPlan {
  const accountId = state.account.accountId;
  const accountRef = stepKeys.ref(keys.account(accountId));
  const cardRef = stepKeys.ref(keys.card(accountId, issue.card.cardId));
  const home = walletFields(program.accountCurrency);
  const live = liveCardField(issue.card.form);
  const fee = Number(issue.feeMinor);
  return {
    expect: [
      ...idempotencyExpect(stepKeys, slot),
      { key: accountRef, field: 'status', value: state.accountHash.status ?? '' },
      { key: accountRef, field: live, value: '' },
      // The event carries the balances after the fee: they hold only if nothing moved meanwhile.
      { key: BALANCES_KEY, field: home.ledger, value: state.balances[home.ledger] ?? '' },
      { key: BALANCES_KEY, field: home.available, value: state.balances[home.available] ?? '' },
    ],
    // A debit card never spends beyond its available balance: the step re-checks the fee.
    checks:
      fee > 0
        ? [
            {
              name: 'creation-fee',
              type: 'hbump',
              key: BALANCES_KEY,
              field: home.available,
              by: -fee,
              min: 0,
              stale: true,
            },
          ]
        : [],
    onApprove: [
      ...(fee > 0 ? [{ type: 'hbump' as const, key: BALANCES_KEY, field: home.ledger, by: -fee }] : []),
      { type: 'hset', key: cardRef, values: cardToHash(issue.card) },
      { type: 'hset', key: accountRef, values: { [live]: issue.card.cardId } },
      ...idempotencyStore(stepKeys, slot, nowMs, ok(issue.replay)),
    ],
    publish: true,
  };
}
