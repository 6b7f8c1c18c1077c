import fc from 'fast-check';
import { IsoMessage } from '@lib/iso8583';
import { HoldExpirySweeper } from './expiry/hold-expiry-sweeper';
import { balancesOf, DAY_MS, EngineHarness, NOW } from './testing/engine-harness';
import { completionAdvice, incrementalRequest, reversalRequest } from './testing/messages';

/**
 * Property test against the real Redis: random interleavings of authorisations (purchases and
 * pre-authorisations, some accepting a partial approval), incremental authorisations,
 * completions, full and partial reversals, network retries, loads and the passing of time on one
 * account. After every step the test's own model must agree with the store:
 *   available = loads - posted debits - open holds, ledger = loads - posted debits,
 * and the engine's decisions must follow from the model's balance (00 only when covered, 51 only
 * when not, 10 for exactly what is available, 05 exactly while the balance is negative). At the
 * end every hold has ended exactly once: cleared, reversed or expired.
 *
 * The program is eur-premium with EUR purchases: no payment fee, so the model needs no fee table;
 * its one fee is the 0.15 decline fee on 51, which the model charges when the balance covers it.
 */
const h = new EngineHarness();
let sweeper: HoldExpirySweeper;
beforeAll(async () => {
  await h.start('holds-property-test');
  sweeper = new HoldExpirySweeper(h.redis, h.clock);
});
afterAll(() => h.stop());

type Command =
  | { kind: 'auth'; amount: number; preAuth: boolean; partial: boolean }
  | { kind: 'increment'; tx: number; amount: number; partial: boolean }
  | { kind: 'complete'; tx: number; amount: number }
  | { kind: 'reverse'; tx: number; remainsPercent: number; advice: boolean }
  | { kind: 'retry'; message: number }
  | { kind: 'advance'; hours: number }
  | { kind: 'load'; amount: number };

const amount = fc.integer({ min: 1, max: 12_000 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('auth' as const), amount, preAuth: fc.boolean(), partial: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('increment' as const), tx: fc.nat(), amount, partial: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('complete' as const), tx: fc.nat(), amount: fc.integer({ min: 0, max: 15_000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('reverse' as const), tx: fc.nat(), remainsPercent: fc.constantFrom(0, 0, 25, 50, 90, 100), advice: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retry' as const), message: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('load' as const), amount: fc.integer({ min: 1_000, max: 30_000 }) }) },
);

interface TxModel {
  readonly request: IsoMessage;
  status: 'held' | 'declined' | 'completed' | 'reversed' | 'expired';
  /** Approved with a hold (which must end exactly once). */
  readonly opened: boolean;
  authorised: number;
  held: number;
  expiresAt: number;
}

const DECLINE_FEE = 15;

class Model {
  loads: number;
  posted = 0;
  readonly txs: TxModel[] = [];
  readonly sent: { message: IsoMessage; response: IsoMessage }[] = [];

  constructor(initial: number) {
    this.loads = initial;
  }

  get holds(): number {
    return this.txs.reduce((total, tx) => total + tx.held, 0);
  }

  get available(): number {
    return this.loads - this.posted - this.holds;
  }

  expireAt(nowMs: number): void {
    for (const tx of this.txs) {
      if (tx.status === 'held' && tx.expiresAt <= nowMs) {
        tx.status = 'expired';
        tx.held = 0;
      }
    }
  }
}

async function run(commands: Command[]): Promise<void> {
  h.clock.set(NOW);
  const initial = 10_000;
  const card = await h.cardOn('eur-premium', BigInt(initial));
  const model = new Model(initial);
  const send = async (message: IsoMessage) => {
    const response = await h.send(message);

    model.sent.push({ message, response });
    return response;
  };
  const fail = (what: string): never => {
    throw new Error(`${what}; model available ${model.available}`);
  };
  /** A decision of a debit request from the model's balance before it (no limit is modelled: 61 / 65 may come). */
  const decide = (code: string | undefined, asked: number, partial: boolean, before: number): number => {
    if (before < 0) return code === '05' ? 0 : fail(`expected 05 with a negative balance, got ${code}`);
    switch (code) {
      case '00':
        return asked <= before ? asked : fail(`00 for ${asked} over ${before}`);
      case '10':
        return partial && asked > before && before > 0 ? before : fail(`10 for ${asked} with ${before} (PA ${partial})`);
      case '51':
        if (asked <= before || (partial && before > 0)) fail(`51 for ${asked} with ${before}`);
        if (before >= DECLINE_FEE) model.posted += DECLINE_FEE;
        return 0;
      case '61':
      case '65':
        return 0;
      default:
        return fail(`unexpected ${code}`);
    }
  };

  for (const c of commands) {
    const now = h.clock.nowMs();
    const pick = (i: number) => (model.txs.length === 0 ? undefined : model.txs[i % model.txs.length]);
    switch (c.kind) {
      case 'auth': {
        const request = h.request(card, { amountMinor: c.amount, ...(c.preAuth ? { condition: '06', mcc: '7011' } : {}), tags: c.partial ? { PA: 'Y' } : {} });
        const before = model.available;
        const response = await send(request);
        const approved = decide(response.get(39), c.amount, c.partial, before);
        if (approved > 0 && BigInt(response.get(4)!) !== BigInt(approved)) fail(`field 4 ${response.get(4)} for an approval of ${approved}`);
        model.txs.push({ request, status: approved > 0 ? 'held' : 'declined', opened: approved > 0, authorised: approved, held: approved, expiresAt: now + (c.preAuth ? 15 : 7) * DAY_MS });
        break;
      }
      case 'increment': {
        const tx = pick(c.tx);
        if (!tx) break;
        const before = model.available;
        const response = await send(incrementalRequest(tx.request, { stan: h.nextStan(), amountMinor: c.amount, tags: c.partial ? { PA: 'Y' } : {} }));
        if (tx.status !== 'held') {
          if (response.get(39) !== '12') fail(`an increment without an open hold answered ${response.get(39)}`);
          break;
        }
        const approved = decide(response.get(39), c.amount, c.partial, before);
        tx.authorised += approved;
        tx.held += approved;
        break;
      }
      case 'complete': {
        const tx = pick(c.tx);
        if (!tx) break;
        const response = await send(completionAdvice(tx.request, { stan: h.nextStan(), amountMinor: c.amount }));
        if (response.get(39) !== '00') fail(`completion answered ${response.get(39)}`);
        if (tx.status === 'completed') break;
        model.posted += c.amount;
        tx.status = 'completed';
        tx.held = 0;
        break;
      }
      case 'reverse': {
        const tx = pick(c.tx);
        if (!tx) break;
        const remains = Math.floor((tx.authorised * c.remainsPercent) / 100);
        const response = await send(reversalRequest(tx.request, { stan: h.nextStan(), amountMinor: tx.authorised, remainsMinor: remains, mti: c.advice ? '0420' : '0400' }));
        if (response.get(39) !== '00') fail(`reversal answered ${response.get(39)}`);
        if (tx.status !== 'held' || remains >= tx.authorised) break;
        const released = tx.authorised - remains;
        tx.authorised = remains;
        if (remains === 0 || released >= tx.held) {
          tx.held = 0;
          tx.status = 'reversed';
        } else tx.held -= released;
        break;
      }
      case 'retry': {
        if (model.sent.length === 0) break;
        const first = model.sent[c.message % model.sent.length];
        const again = await h.send(first.message.clone());
        for (const field of [39, 38, 4, 28, 54]) {
          if (again.get(field) !== first.response.get(field)) fail(`retry of ${first.message.mti} changed field ${field}`);
        }
        break;
      }
      case 'advance':
        h.clock.advance(c.hours * 3600_000);
        await sweeper.sweepAccount(card.accountId, h.clock.nowMs());
        model.expireAt(h.clock.nowMs());
        break;
      case 'load':
        await h.load(card.accountId, c.amount);
        model.loads += c.amount;
        break;
    }
    const wallet = await h.wallet(card.accountId);
    if (wallet.available !== BigInt(model.available) || wallet.ledger !== BigInt(model.loads - model.posted)) {
      fail(`after ${JSON.stringify(c)}: store ledger ${wallet.ledger} available ${wallet.available}, model ledger ${model.loads - model.posted}`);
    }
    await h.expectConserved(card.accountId);
    const last = model.sent.at(-1)?.response;
    if (last?.has(54) && c.kind !== 'retry' && c.kind !== 'advance' && c.kind !== 'load' && balancesOf(last).available !== wallet.available) fail('field 54 is not the balance after');
  }

  // Every hold ends once: age the account past every expiry.
  h.clock.advance(16 * DAY_MS);
  await sweeper.sweepAccount(card.accountId, h.clock.nowMs());
  expect(await h.holds(card.accountId)).toHaveLength(0);
  const opened = new Set<string>();
  const ends = new Map<string, number>();
  for (const { record, outcome } of await h.decisions(card.accountId)) {
    if (outcome.declined !== false || record.predeclined) continue;
    const effect = record.approved.holdEffect;
    if (effect?.effect === 'opened') opened.add(effect.holdId);
    if (effect?.effect === 'cleared' || effect?.effect === 'reversed') ends.set(effect.holdId, (ends.get(effect.holdId) ?? 0) + 1);
  }
  for (const hold of await h.expiredHolds(card.accountId)) ends.set(hold.holdId, (ends.get(hold.holdId) ?? 0) + 1);
  expect([...ends.keys()].sort()).toEqual([...opened].sort());
  expect([...ends.values()].every((count) => count === 1)).toBe(true);
  expect(opened.size).toBe(model.txs.filter((tx) => tx.opened).length);
}

describe('holds lifecycle property (real Redis)', () => {
  it('keeps available = loads - posted - open holds at every step, and ends every hold exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 40 }), async (commands) => run(commands)),
      { numRuns: 15, endOnFailure: true },
    );
  }, 60_000);
});
