import { join } from 'path';
import { findRepoRoot } from '@lib/config';
import { currency, CurrencyCode, money } from '@lib/money';
import {
  CardTransaction,
  channelOf,
  countersFor,
  dayIdOf,
  entryModeFromFields,
  kindFromProcessingCode,
  LimitRule,
  loadProgramCatalogue,
  localDateOf,
  priceTransaction,
  Program,
} from '@lib/programs';
import { keys } from '@lib/store';
import { EngineHarness } from '../testing/engine-harness';

/**
 * Every limit row and the fee rows of the three programs, through the real engine and Redis: the
 * rule's counter is set just under its limit (approved) and at it (declined with the rule's code).
 * The rows come from config/programs/*.yaml (seed 004 annex "Limites de dépenses", seed 002 annex 1
 * "Limites"), whose values the domain tests check against the seeds row by row; here each row is
 * shown to reach the network answer.
 */
const h = new EngineHarness();
beforeAll(() => h.start('tariff-tables-test'));
afterAll(() => h.stop());

/** A transaction inside a limit rule's scope: channel, region and currency class. */
function shapeFor(program: Program, rule: LimitRule): { field3: string; field22: string; country: string; currencyCode: CurrencyCode; mcc: string } {
  const atm = rule.scope.channels.includes('atm') && !rule.scope.channels.includes('pos');
  const abroad = rule.scope.region === 'abroad';
  let currencyCode: CurrencyCode = program.accountCurrency;
  if (rule.scope.currencyClass === 'held') currencyCode = 'USD';
  if (rule.scope.currencyClass === 'not-held') currencyCode = 'MXN';
  if (abroad && rule.scope.currencyClass === 'any') currencyCode = 'USD';
  const country = !abroad ? program.homeCountry : currencyCode === 'MXN' ? '484' : '840';
  return atm
    ? { field3: '010000', field22: '051', country, currencyCode, mcc: '6011' }
    : { field3: '000000', field22: '051', country, currencyCode, mcc: '5999' };
}

function transactionOf(shape: ReturnType<typeof shapeFor>, amountMinor: bigint): CardTransaction {
  const kind = kindFromProcessingCode(shape.field3, amountMinor)!;
  const entryMode = entryModeFromFields(shape.field22, '00')!;
  return {
    kind,
    channel: channelOf(kind, entryMode, '00'),
    entryMode,
    preAuthorisation: false,
    incremental: false,
    transactionAmount: money(amountMinor, shape.currencyCode),
    acquirerCountry: shape.country,
    mcc: shape.mcc,
  };
}

const BALANCE_MINOR = 100_000_000n;
const catalogue = () => h.deps.catalogue;

// One test per limit row of each program, named after the row (the yaml path below `limits`).
const CATALOGUE = loadProgramCatalogue(join(findRepoRoot(), 'config'));
const LIMIT_ROWS: [string, string, string][] = [...CATALOGUE.programs.values()].flatMap((program) =>
  program.limits.flatMap((rule) => [
    [program.id, rule.name, 'just under'] as [string, string, string],
    [program.id, rule.name, 'at the limit'] as [string, string, string],
  ]),
);

describe('limit rows (real engine)', () => {
  it('covers every row of the three programs', () => {
    expect(new Set(LIMIT_ROWS.map(([p]) => p))).toEqual(new Set(['eur-standard', 'eur-premium', 'travel-multicurrency']));
    expect(LIMIT_ROWS.length).toBeGreaterThanOrEqual(2 * 20);
  });

  it.each(LIMIT_ROWS)('%s %s: %s', async (programId, ruleName, side) => {
    const program = catalogue().programs.get(programId)!;
    const rule = program.limits.find((r) => r.name === ruleName)!;
    const over = side === 'at the limit';
    const shape = shapeFor(program, rule);
    const perTransaction = rule.window.kind === 'transaction';
    // A small transaction for window rules; the limit itself (and one minor unit more) for a per-transaction rule.
    const amountMinor = perTransaction && shape.currencyCode === program.accountCurrency ? rule.limit : 10n ** BigInt(currency(shape.currencyCode).exponent) * 10n;
    const card = await h.cardOn(programId, BALANCE_MINOR);
    const txnAmount = perTransaction && over ? amountMinor + 1n : amountMinor;
    const txn = transactionOf(shape, txnAmount);
    const available = new Map([[program.accountCurrency, money(BALANCE_MINOR, program.accountCurrency)]]);
    const pricing = priceTransaction(program, txn, available, { accountCurrencyAtmWithdrawalsThisMonth: 0 }, h.clock.nowMs(), catalogue().rates);
    if (!pricing.ok) throw new Error(`${rule.name}: ${JSON.stringify(pricing.error)}`);
    const plan = countersFor(program, txn, pricing.value.billingAmount, h.clock.nowMs(), catalogue().rates);
    if (!plan.ok) throw new Error(`${rule.name}: no limit plan`);
    const check = plan.value.checks.find((c) => c.rule.name === rule.name);
    expect(check).toBeDefined();
    if (!perTransaction) {
      // Used so far: the limit minus this transaction's increment (just under), or one more.
      const used = check!.limit - check!.increment + (over ? 1n : 0n);
      await h.redis.set(keys.counter(card.accountId, check!.sumKeys[0]), used.toString());
    }
    const response = await h.send(
      h.request(card, {
        processingCode: shape.field3,
        amountMinor: txnAmount,
        currencyNumeric: currency(shape.currencyCode).numeric,
        country: shape.country,
        mcc: shape.mcc,
        entryMode: shape.field22,
        pinBlock: h.pinBlocks.encode(card.pin, card.pan),
      }),
    );
    expect(response.get(39)).toBe(!over ? '00' : rule.measure === 'count' ? '65' : '61');
  });
});

describe('fee rows (real engine): field 28 and the balance move are the tariff lines', () => {
  // [program, processing code, amount, currency numeric, country, expected total fee minor] — each
  // value hand-computed from the seed tariff (seed 004 annex "Conditions tarifaires", seed 002 annex 1 "Tarifs").
  const cases: [string, string, string, number, string, string, bigint][] = [
    ['eur-standard: ATM in EUR 1.50', 'eur-standard', '010000', 5_000, '978', '250', 150n],
    ['eur-premium: ATM in EUR, first of the month free', 'eur-premium', '010000', 5_000, '978', '250', 0n],
    ['eur-standard: balance inquiry 0.50', 'eur-standard', '310000', 0, '978', '250', 50n],
    ['eur-standard: payment in EUR 0', 'eur-standard', '000000', 5_000, '978', '250', 0n],
    ['travel: ATM in EUR below 200 -> 1.75', 'travel-multicurrency', '010000', 5_000, '978', '250', 175n],
    ['travel: ATM in EUR at 200 -> free', 'travel-multicurrency', '010000', 20_000, '978', '250', 0n],
    ['eur-premium: balance inquiry 0.50', 'eur-premium', '310000', 0, '978', '250', 50n],
  ];
  it.each(cases)('%s', async (_name, programId, field3, amountMinor, currencyNumeric, country, expectedFee) => {
    const card = await h.cardOn(programId, 1_000_000n);
    const before = await h.wallet(card.accountId);
    const response = await h.send(
      h.request(card, { processingCode: field3, amountMinor, currencyNumeric, country, mcc: field3 === '000000' ? '5999' : '6011', pinBlock: h.pinBlocks.encode(card.pin, card.pan) }),
    );
    expect(response.get(39)).toBe('00');
    const fee = response.has(28) ? BigInt(response.get(28)!.slice(1)) : 0n;
    expect(fee).toBe(expectedFee);
    const after = await h.wallet(card.accountId);
    expect(before.available - after.available).toBe(BigInt(amountMinor) + fee);
  });

  it('eur-standard: USD payment abroad = 0.65 % + 0.60 and 2 % FX on field 6 (seed 004 annex)', async () => {
    const card = await h.cardOn('eur-standard', 1_000_000n);
    const response = await h.send(h.request(card, { amountMinor: 10_000, currencyNumeric: '840', country: '840', mcc: '5999' }));
    const billing = BigInt(response.get(6)!);
    const half = (n: bigint, d: bigint) => (2n * n + d) / (2n * d);
    expect(BigInt(response.get(28)!.slice(1))).toBe(half(billing * 65n, 10_000n) + 60n + half(billing * 2n, 100n));
    expect(dayIdOf(localDateOf(h.clock.nowMs(), 'Europe/Paris'))).toBe('2026-11-22');
  });

  it('eur-standard: USD ATM abroad = 2 % of field 6, minimum 3.00, plus 2 % FX (seed 004 annex)', async () => {
    const card = await h.cardOn('eur-standard', 1_000_000n);
    const response = await h.send(
      h.request(card, { processingCode: '010000', amountMinor: 2_000, currencyNumeric: '840', country: '840', mcc: '6011', pinBlock: h.pinBlocks.encode(card.pin, card.pan) }),
    );
    const billing = BigInt(response.get(6)!);
    const half = (n: bigint, d: bigint) => (2n * n + d) / (2n * d);
    const atmFee = half(billing * 2n, 100n) < 300n ? 300n : half(billing * 2n, 100n);
    expect(BigInt(response.get(28)!.slice(1))).toBe(atmFee + half(billing * 2n, 100n));
  });
});
