import fc from 'fast-check';
import { Money, money } from '@lib/money';
import { DeclineReason } from '../decisions/decline-reason';
import { CardTransaction } from '../transaction';
import { LimitRule, Program } from '../program';
import { applyMoves, checkLimits, countersFor, limitStatuses, LimitPlan, sumKeysOf } from './limits';
import { addDays, addMonths, localDateOf, startOfLocalDay } from '../calendar/zoned-time';
import {
  FRANCE,
  GERMANY,
  MEXICO,
  UNITED_KINGDOM,
  amount,
  at,
  atmTxn,
  catalogue,
  eur,
  onlineTxn,
  posTxn,
  program,
  txn,
} from '../spec-helpers';

const NOW = at('2026-11-18T12:00:00+01:00');
const rates = () => catalogue().rates;

function plan(p: Program, t: CardTransaction, billing: Money = t.transactionAmount, now = NOW): LimitPlan {
  const result = countersFor(p, t, billing, now, rates());
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

function usageOf(counters: Map<string, bigint>): (key: string) => bigint {
  return (key) => counters.get(key) ?? 0n;
}

/** Prefills every key a rule reads at `now` so that their sum is `used` (all in the oldest bucket). */
function prefill(p: Program, ruleName: string, used: bigint, now = NOW): Map<string, bigint> {
  const rule = p.limits.find((r) => r.name === ruleName);
  if (rule === undefined) throw new Error(`no rule ${ruleName} in ${p.id}`);
  const keys = sumKeysOf(rule, localDateOf(now, p.timeZone));
  return new Map(keys.length === 0 ? [] : [[keys[keys.length - 1], used]]);
}

type Row = {
  cite: string;
  programId: 'eur-standard' | 'eur-premium' | 'travel-multicurrency';
  rule: string;
  /** A transaction in scope of the rule, of a given EUR amount (billing in EUR). */
  make: (billing: Money<'EUR'>) => { txn: CardTransaction; billing: Money };
  limit: string; // major EUR for amounts, integer for counts
};

const eurAtm = (b: Money<'EUR'>) => ({ txn: atmTxn(b), billing: b });
const eurPos = (b: Money<'EUR'>) => ({ txn: posTxn(b), billing: b });
const eurOnline = (b: Money<'EUR'>) => ({ txn: onlineTxn(b), billing: b });
// Travel: EUR is a held currency, Germany is abroad -> "à l'étranger dans nos 18 devises".
const heldAbroadAtm = (b: Money<'EUR'>) => ({ txn: atmTxn(b, GERMANY), billing: b });
const heldAbroadPos = (b: Money<'EUR'>) => ({ txn: posTxn(b, GERMANY), billing: b });
// MXN is not one of the 18: taken from the EUR wallet, billing amount in EUR.
const otherAbroadAtm = (b: Money<'EUR'>) => ({ txn: atmTxn(amount('100.00', 'MXN'), MEXICO), billing: b });
const otherAbroadPos = (b: Money<'EUR'>) => ({ txn: posTxn(amount('100.00', 'MXN'), MEXICO), billing: b });
const domesticAtm = eurAtm;
const domesticPos = eurPos;

const A004 = 'seed 004 annex "Limites de dépenses sur les comptes en euros"';
const A002 = 'seed 002 annex 1 "Limites"';

const ROWS: Row[] = [
  // eur-standard ("Accès gratuit")
  {
    cite: `${A004}, "Limite par retrait DAB": 100 €`,
    programId: 'eur-standard',
    rule: 'atm.perTransaction.amount',
    make: eurAtm,
    limit: '100',
  },
  {
    cite: `${A004}, "Limite de retrait DAB, Quotidienne": 3 times`,
    programId: 'eur-standard',
    rule: 'atm.perDay.count',
    make: eurAtm,
    limit: '3',
  },
  {
    cite: `${A004}, "Limite de retrait DAB, Quotidienne": 100 €`,
    programId: 'eur-standard',
    rule: 'atm.perDay.amount',
    make: eurAtm,
    limit: '100',
  },
  {
    cite: `${A004}, "Limite de retrait DAB, Mensuelle": 500 €`,
    programId: 'eur-standard',
    rule: 'atm.perMonth.amount',
    make: eurAtm,
    limit: '500',
  },
  {
    cite: `${A004}, "Limite de paiement ou virement par transaction": 1 500 €`,
    programId: 'eur-standard',
    rule: 'payment.perTransaction.amount',
    make: eurPos,
    limit: '1500',
  },
  {
    cite: `${A004}, "Limite de paiement, Quotidienne": 20 times`,
    programId: 'eur-standard',
    rule: 'payment.perDay.count',
    make: eurOnline,
    limit: '20',
  },
  {
    cite: `${A004}, "Limite de paiement, Quotidienne": 1 500 €`,
    programId: 'eur-standard',
    rule: 'payment.perDay.amount',
    make: eurPos,
    limit: '1500',
  },
  {
    cite: `${A004}, "Limite de paiement, Mensuelle": 1 500 €`,
    programId: 'eur-standard',
    rule: 'payment.perMonth.amount',
    make: eurOnline,
    limit: '1500',
  },
  // eur-premium ("Offre Premium")
  {
    cite: `${A004}, "Limite par retrait DAB" (Premium): 200 €`,
    programId: 'eur-premium',
    rule: 'atm.perTransaction.amount',
    make: eurAtm,
    limit: '200',
  },
  {
    cite: `${A004}, "Limite de retrait DAB, Quotidienne" (Premium): 3 times`,
    programId: 'eur-premium',
    rule: 'atm.perDay.count',
    make: eurAtm,
    limit: '3',
  },
  {
    cite: `${A004}, "Limite de retrait DAB, Quotidienne" (Premium): 200 €`,
    programId: 'eur-premium',
    rule: 'atm.perDay.amount',
    make: eurAtm,
    limit: '200',
  },
  {
    cite: `${A004}, "Limite de retrait DAB, Mensuelle" (Premium): 1 000 €`,
    programId: 'eur-premium',
    rule: 'atm.perMonth.amount',
    make: eurAtm,
    limit: '1000',
  },
  {
    cite: `${A004}, "Limite de paiement ou virement par transaction" (Premium): 3 000 €`,
    programId: 'eur-premium',
    rule: 'payment.perTransaction.amount',
    make: eurOnline,
    limit: '3000',
  },
  {
    cite: `${A004}, "Limite de paiement, Quotidienne" (Premium): 20 times`,
    programId: 'eur-premium',
    rule: 'payment.perDay.count',
    make: eurPos,
    limit: '20',
  },
  {
    cite: `${A004}, "Limite de paiement, Quotidienne" (Premium): 3 000 €`,
    programId: 'eur-premium',
    rule: 'payment.perDay.amount',
    make: eurPos,
    limit: '3000',
  },
  {
    cite: `${A004}, "Limite de paiement, Mensuelle" (Premium): 3 000 €`,
    programId: 'eur-premium',
    rule: 'payment.perMonth.amount',
    make: eurPos,
    limit: '3000',
  },
  // travel-multicurrency
  {
    cite: `${A002}, "Montant maximal de retrait au distributeur par mois": 1000€`,
    programId: 'travel-multicurrency',
    rule: 'atm.perMonth.amount',
    make: domesticAtm,
    limit: '1000',
  },
  {
    cite: `${A002}, "À L'ÉTRANGER DANS NOS 18 DEVISES", "Nombre maximum de transactions": 15`,
    programId: 'travel-multicurrency',
    rule: 'abroadHeld.perDay.count',
    make: heldAbroadPos,
    limit: '15',
  },
  {
    cite: `${A002}, "À L'ÉTRANGER DANS NOS 18 DEVISES", "Limite de retrait aux guichets automatiques": 2`,
    programId: 'travel-multicurrency',
    rule: 'abroadHeldAtm.perDay.count',
    make: heldAbroadAtm,
    limit: '2',
  },
  {
    cite: `${A002}, "À L'ÉTRANGER DANS NOS 18 DEVISES", "Montant maximal de retraits par jour": 550€`,
    programId: 'travel-multicurrency',
    rule: 'abroadHeldAtm.perDay.amount',
    make: heldAbroadAtm,
    limit: '550',
  },
  {
    cite: `${A002}, "HORS DE NOS 18 DEVISES", "Montant maximal de retrait d'ATM (réinitialisé tous les 7 jours)": 400€`,
    programId: 'travel-multicurrency',
    rule: 'abroadOtherAtm.rolling.amount',
    make: otherAbroadAtm,
    limit: '400',
  },
  {
    cite: `${A002}, "HORS DE NOS 18 DEVISES", "Limite de retrait aux guichets automatiques quotidiens": 2`,
    programId: 'travel-multicurrency',
    rule: 'abroadOtherAtm.perDay.count',
    make: otherAbroadAtm,
    limit: '2',
  },
  {
    cite: `${A002}, "HORS DE NOS 18 DEVISES", "Nombre maximum de transactions quotidiens": 15`,
    programId: 'travel-multicurrency',
    rule: 'abroadOther.perDay.count',
    make: otherAbroadPos,
    limit: '15',
  },
  {
    cite: `${A002}, "Limites Hebdomadaires", "Montant maximal de retrait": 250€`,
    programId: 'travel-multicurrency',
    rule: 'withdrawal.rolling.amount',
    make: domesticAtm,
    limit: '250',
  },
  {
    cite: `${A002}, "Limites Hebdomadaires", "Montant maximal de dépense": 200€`,
    programId: 'travel-multicurrency',
    rule: 'spend.rolling.amount',
    make: domesticPos,
    limit: '200',
  },
];

describe('limit tables: every row at, just under and just over its boundary', () => {
  it('covers every configured limit of the three programs', () => {
    const covered = new Set(ROWS.map((r) => `${r.programId}/${r.rule}`));
    for (const p of catalogue().programs.values()) {
      for (const rule of p.limits) expect(covered).toContain(`${p.id}/${rule.name}`);
    }
  });

  describe.each(ROWS)('$cite ($programId $rule)', (row) => {
    const p = program(row.programId);
    const rule = p.limits.find((r) => r.name === row.rule)!;

    it('has the seed value in config', () => {
      const expected = rule.measure === 'count' ? BigInt(row.limit) : eur(row.limit).amountMinor;
      expect(rule.limit).toBe(expected);
    });

    if (rule.measure === 'count') {
      const limit = BigInt(row.limit);
      it.each([
        ['just under: transaction N-1', limit - 2n, true],
        ['at: transaction N', limit - 1n, true],
        ['just over: transaction N+1', limit, false],
      ])('%s', (_label, alreadyCounted, allowed) => {
        const { txn: t, billing } = row.make(eur('1.00'));
        const result = checkLimits(plan(p, t, billing), usageOf(prefill(p, row.rule, alreadyCounted)));
        expect(result.allowed).toBe(allowed);
        if (!result.allowed) {
          expect(result.reason).toBe(DeclineReason.CountLimitExceeded);
          expect(result.check.rule.name).toBe(row.rule);
        }
      });
    } else {
      const limitMinor = eur(row.limit).amountMinor;
      // Per transaction: the transaction alone. Windows: 10.00 EUR already used by the window's
      // counter, then a transaction that lands just under, at or just over the limit.
      const alreadyUsed = rule.window.kind === 'transaction' ? 0n : limitMinor - 1000n;
      it.each([
        ['just under (limit - 0.01)', -1n, true],
        ['at (limit)', 0n, true],
        ['just over (limit + 0.01)', 1n, false],
      ])('%s', (_label, delta, allowed) => {
        const { txn: t, billing } = row.make(money(limitMinor - alreadyUsed + delta, 'EUR'));
        const result = checkLimits(plan(p, t, billing), usageOf(prefill(p, row.rule, alreadyUsed)));
        expect(result.allowed).toBe(allowed);
        if (!result.allowed) {
          expect(result.reason).toBe(DeclineReason.AmountLimitExceeded);
          expect(result.check.rule.name).toBe(row.rule);
        }
      });
    }
  });
});

describe('limit plan', () => {
  const standard = program('eur-standard');
  const travel = program('travel-multicurrency');

  it('names the exact keys, increments and expiries the engine must move (eur-standard ATM)', () => {
    const p = plan(standard, atmTxn(eur('40.00')));
    expect(p.checks.map((c) => [c.rule.name, c.sumKeys, c.increment])).toEqual([
      ['atm.perDay.count', ['atm.count.day:2026-11-18'], 1n],
      ['atm.perTransaction.amount', [], 4000n],
      ['atm.perDay.amount', ['atm.amount.day:2026-11-18'], 4000n],
      ['atm.perMonth.amount', ['atm.amount.month:2026-11'], 4000n],
    ]);
    expect(p.moves).toEqual([
      { key: 'atm.count.day:2026-11-18', increment: 1n, expiresAt: at('2026-11-19T00:00:00+01:00') },
      { key: 'atm.amount.day:2026-11-18', increment: 4000n, expiresAt: at('2026-11-19T00:00:00+01:00') },
      { key: 'atm.amount.month:2026-11', increment: 4000n, expiresAt: at('2026-12-01T00:00:00+01:00') },
    ]);
  });

  it('checks count limits before amount limits (network-interface.md order of checks)', () => {
    const counters = new Map([
      ['atm.count.day:2026-11-18', 3n],
      ['atm.amount.day:2026-11-18', 9000n],
    ]);
    const result = checkLimits(plan(standard, atmTxn(eur('50.00'))), usageOf(counters));
    expect(result.allowed === false && result.reason).toBe(DeclineReason.CountLimitExceeded);
  });

  it('treats an incremental authorisation as no new transaction for counts but adds its amount', () => {
    const incremental = { ...posTxn(eur('100.00')), incremental: true, preAuthorisation: true };
    const p = plan(standard, incremental);
    expect(p.checks.every((c) => c.rule.measure === 'amount')).toBe(true);
    const counters = new Map([
      ['payment.count.day:2026-11-18', 20n],
      ['payment.amount.day:2026-11-18', 140000n],
    ]);
    expect(checkLimits(p, usageOf(counters)).allowed).toBe(true);
    counters.set('payment.amount.day:2026-11-18', 140001n);
    const result = checkLimits(p, usageOf(counters));
    expect(result.allowed === false && result.reason).toBe(DeclineReason.AmountLimitExceeded);
  });

  it.each([
    ['refund', txn({ kind: 'refund', transactionAmount: eur('5000.00') })],
    ['balance inquiry', txn({ kind: 'balance-inquiry', channel: 'atm', transactionAmount: eur('0') })],
    ['PIN change', txn({ kind: 'pin-change', channel: 'atm', transactionAmount: eur('0') })],
    ['account verification', txn({ kind: 'account-verification', transactionAmount: eur('0') })],
  ])('gives a %s no limit check', (_label, t) => {
    expect(plan(standard, t).checks).toEqual([]);
  });

  it('scopes travel limits by region and currency class', () => {
    const names = (t: CardTransaction, billing: Money = t.transactionAmount) =>
      plan(travel, t, billing).checks.map((c) => c.rule.name);
    expect(names(atmTxn(eur('20.00'), FRANCE))).toEqual(['atm.perMonth.amount', 'withdrawal.rolling.amount']);
    expect(names(atmTxn(amount('20.00', 'GBP'), UNITED_KINGDOM))).toEqual([
      'abroadHeld.perDay.count',
      'abroadHeldAtm.perDay.count',
      'atm.perMonth.amount',
      'abroadHeldAtm.perDay.amount',
      'withdrawal.rolling.amount',
    ]);
    expect(names(atmTxn(amount('400.00', 'MXN'), MEXICO), eur('18.70'))).toEqual([
      'abroadOtherAtm.perDay.count',
      'abroadOther.perDay.count',
      'atm.perMonth.amount',
      'abroadOtherAtm.rolling.amount',
      'withdrawal.rolling.amount',
    ]);
  });

  it('measures a GBP wallet amount against EUR limits at the reference rate of the day, half-up', () => {
    // 2026-11-18 GBP rate in config/fx: 1 EUR = 0.88079 GBP; 100.00 GBP = 113.5349... EUR -> 113.53
    const p = plan(travel, atmTxn(amount('100.00', 'GBP'), UNITED_KINGDOM), amount('100.00', 'GBP'));
    const rate = catalogue()
      .rates.days.find((d) => d.day === '2026-11-18')!
      .rates.get('GBP')!;
    const expected = BigInt(rate.pow(-1).mul(10000).toDecimalPlaces(0, 4).toString());
    expect(p.measuredAmount).toEqual(money(expected, 'EUR'));
  });

  it('moves a day key shared by a per-day and a rolling rule once, kept for the longest window', () => {
    const p = plan(travel, atmTxn(amount('5000', 'MXN'), MEXICO), eur('230.00'));
    const dayKey = p.moves.filter((m) => m.key === 'abroadOtherAtm.amount.day:2026-11-18');
    expect(dayKey).toEqual([
      {
        key: 'abroadOtherAtm.amount.day:2026-11-18',
        increment: 23000n,
        expiresAt: at('2026-11-25T00:00:00+01:00'),
      },
    ]);
  });
});

describe('calendar edges (Europe/Paris)', () => {
  const standard = program('eur-standard');
  const travel = program('travel-multicurrency');

  it('puts 23:59:59 and 00:00:00 in different Paris days (and UTC day differs from Paris day)', () => {
    const lateKeys = plan(
      standard,
      atmTxn(eur('10.00')),
      undefined,
      at('2026-11-18T23:59:59+01:00'),
    ).moves.map((m) => m.key);
    const midnightKeys = plan(
      standard,
      atmTxn(eur('10.00')),
      undefined,
      at('2026-11-19T00:00:00+01:00'),
    ).moves.map((m) => m.key);
    expect(lateKeys).toContain('atm.amount.day:2026-11-18');
    expect(midnightKeys).toContain('atm.amount.day:2026-11-19');
    // 2026-11-18T23:30Z is already 2026-11-19 in Paris.
    expect(plan(standard, atmTxn(eur('1.00')), undefined, Date.UTC(2026, 10, 18, 23, 30)).moves[0].key).toBe(
      'atm.count.day:2026-11-19',
    );
  });

  it('rolls the month at Paris midnight on the last day of the month (and of the year)', () => {
    const keys = (iso: string) =>
      plan(standard, atmTxn(eur('1.00')), undefined, at(iso)).moves.map((m) => m.key);
    expect(keys('2026-11-30T23:59:59+01:00')).toContain('atm.amount.month:2026-11');
    expect(keys('2026-12-01T00:00:00+01:00')).toContain('atm.amount.month:2026-12');
    expect(keys('2026-12-31T23:59:59+01:00')).toContain('atm.amount.month:2026-12');
    expect(keys('2027-01-01T00:00:00+01:00')).toContain('atm.amount.month:2027-01');
    expect(keys('2028-02-29T12:00:00+01:00')).toContain('atm.amount.day:2028-02-29');
  });

  it('keeps DST change days whole: 2026-03-29 (23 h) and 2026-10-25 (25 h)', () => {
    const dayKey = (instant: number) => plan(standard, atmTxn(eur('1.00')), undefined, instant).moves[1];
    // Spring forward: 00:30 (+01:00) and 23:30 (+02:00) are the same Paris day; the day ends 23 h after it began.
    expect(dayKey(at('2026-03-29T00:30:00+01:00')).key).toBe('atm.amount.day:2026-03-29');
    expect(dayKey(at('2026-03-29T23:30:00+02:00')).key).toBe('atm.amount.day:2026-03-29');
    expect(dayKey(at('2026-03-29T23:59:59+02:00')).expiresAt).toBe(at('2026-03-30T00:00:00+02:00'));
    expect(at('2026-03-30T00:00:00+02:00') - at('2026-03-29T00:00:00+01:00')).toBe(23 * 3_600_000);
    // Fall back: 00:30 (+02:00) and 23:30 (+01:00) are the same day; the day is 25 h long.
    expect(dayKey(at('2026-10-25T00:30:00+02:00')).key).toBe('atm.amount.day:2026-10-25');
    expect(dayKey(at('2026-10-25T23:30:00+01:00')).key).toBe('atm.amount.day:2026-10-25');
    expect(dayKey(at('2026-10-25T02:30:00+01:00')).expiresAt).toBe(at('2026-10-26T00:00:00+01:00'));
    expect(at('2026-10-26T00:00:00+01:00') - at('2026-10-25T00:00:00+02:00')).toBe(25 * 3_600_000);
    expect(dayKey(at('2026-10-26T00:00:00+01:00')).key).toBe('atm.amount.day:2026-10-26');
  });

  it('slides the rolling 7-day window by whole Paris days', () => {
    // seed 002 "Montant maximal de dépense" 200 EUR per 7 days. 150 EUR spent on 2026-11-16.
    const counters = new Map<string, bigint>();
    const first = plan(travel, posTxn(eur('150.00')), undefined, at('2026-11-16T09:00:00+01:00'));
    expect(checkLimits(first, usageOf(counters)).allowed).toBe(true);
    applyMoves(first, counters);
    const tryAt = (iso: string, major: string) =>
      checkLimits(plan(travel, posTxn(eur(major)), undefined, at(iso)), usageOf(counters));
    expect(tryAt('2026-11-22T23:59:59+01:00', '50.00').allowed).toBe(true); // 150 + 50 = 200, still day 7 of the window
    expect(tryAt('2026-11-22T23:59:59+01:00', '50.01').allowed).toBe(false); // day 7: 150 still counts
    expect(tryAt('2026-11-23T00:00:00+01:00', '200.00').allowed).toBe(true); // day 8: 2026-11-16 left the window
    expect(first.moves.find((m) => m.key === 'spend.amount.day:2026-11-16')?.expiresAt).toBe(
      at('2026-11-23T00:00:00+01:00'),
    );
  });

  it('slides a rolling window across the October DST change', () => {
    const counters = new Map<string, bigint>([['spend.amount.day:2026-10-21', 20000n]]);
    const tryAt = (iso: string) =>
      checkLimits(plan(travel, posTxn(eur('0.01')), undefined, at(iso)), usageOf(counters)).allowed;
    expect(tryAt('2026-10-27T23:59:59+01:00')).toBe(false);
    expect(tryAt('2026-10-28T00:00:00+01:00')).toBe(true);
  });
});

describe('limit status for display', () => {
  it('shows used, remaining and resetsAt per limit', () => {
    const standard = program('eur-standard');
    const counters = new Map([
      ['atm.count.day:2026-11-18', 2n],
      ['atm.amount.month:2026-11', 45000n],
    ]);
    const statuses = limitStatuses(standard, usageOf(counters), NOW);
    expect(statuses.find((s) => s.name === 'atm.perDay.count')).toEqual({
      name: 'atm.perDay.count',
      window: 'day',
      unit: 'count',
      used: 2n,
      limit: 3n,
      remaining: 1n,
      resetsAt: at('2026-11-19T00:00:00+01:00'),
    });
    expect(statuses.find((s) => s.name === 'atm.perMonth.amount')).toMatchObject({
      unit: 'EUR',
      used: 45000n,
      remaining: 5000n,
      resetsAt: at('2026-12-01T00:00:00+01:00'),
    });
    const travelStatus = limitStatuses(program('travel-multicurrency'), () => 0n, NOW).find(
      (s) => s.name === 'spend.rolling.amount',
    );
    expect(travelStatus?.window).toBe('rolling-7d');
  });
});

describe('limit properties', () => {
  it('are monotone in amount: if an amount passes, every smaller amount passes', () => {
    const programs = [...catalogue().programs.values()];
    const makers = [eurAtm, eurPos, eurOnline, heldAbroadAtm, otherAbroadAtm, otherAbroadPos];
    fc.assert(
      fc.property(
        fc.constantFrom(...programs),
        fc.constantFrom(...makers),
        fc.bigInt({ min: 1n, max: 500_000n }),
        fc.bigInt({ min: 1n, max: 500_000n }),
        fc.bigInt({ min: 0n, max: 300_000n }),
        (p, make, a, b, alreadyUsed) => {
          const [small, large] = a <= b ? [a, b] : [b, a];
          const usage = () => alreadyUsed;
          const decide = (minor: bigint) => {
            const { txn: t, billing } = make(money(minor, 'EUR'));
            return checkLimits(plan(p, t, billing), usage).allowed;
          };
          return !decide(large) || decide(small);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('countersFor: keys and expiries cached per rule and local day', () => {
  // What countersFor computed before any cache: from the local date of `now`, every time.
  function referenceExpiry(rule: LimitRule, now: number, timeZone: string): number {
    const date = localDateOf(now, timeZone);
    switch (rule.window.kind) {
      case 'transaction':
      case 'day':
        return startOfLocalDay(addDays(date, 1), timeZone);
      case 'rolling':
        return startOfLocalDay(addDays(date, rule.window.days), timeZone);
      case 'month':
        return startOfLocalDay(addMonths(date, 1), timeZone);
      case 'year':
        return startOfLocalDay({ year: date.year + 1, month: 1, day: 1 }, timeZone);
    }
  }

  function expectUncachedKeys(p: Program, t: CardTransaction, now: number): void {
    const result = plan(p, t, eur('10.00'), now);
    const date = localDateOf(now, p.timeZone);
    const moves = new Map<string, number>();
    for (const check of result.checks) {
      expect(check.sumKeys).toEqual(sumKeysOf(check.rule, date));
      const key = check.rule.window.kind === 'transaction' ? undefined : check.sumKeys[0];
      if (key === undefined || check.increment === 0n) continue;
      moves.set(key, Math.max(moves.get(key) ?? 0, referenceExpiry(check.rule, now, p.timeZone)));
    }
    expect(result.moves.map((m) => [m.key, m.expiresAt])).toEqual([...moves]);
  }

  const transactions = [
    posTxn(eur('12.00')),
    atmTxn(eur('20.00')),
    onlineTxn(eur('5.00')),
    atmTxn(eur('20.00'), GERMANY),
    posTxn(amount('10.00', 'MXN'), MEXICO),
  ];
  // Both sides of Paris midnight, of both DST changes, of a month end and of a year end.
  const instants = [
    '2026-03-28T22:59:59Z',
    '2026-03-28T23:00:00Z',
    '2026-03-29T01:30:00Z',
    '2026-03-29T21:59:59Z',
    '2026-03-29T22:00:00Z',
    '2026-10-25T00:30:00Z',
    '2026-10-25T01:30:00Z',
    '2026-10-25T22:59:59Z',
    '2026-10-25T23:00:00Z',
    '2026-11-30T22:59:59Z',
    '2026-11-30T23:00:00Z',
    '2026-12-31T22:59:59Z',
    '2026-12-31T23:00:00Z',
  ].map((iso) => Date.parse(iso));

  it.each(['eur-standard', 'eur-premium', 'travel-multicurrency'] as const)(
    '%s: the same keys and expiries as computed afresh, in any order',
    (id) => {
      const p = program(id);
      for (const now of [...instants, ...[...instants].reverse()]) {
        for (const t of transactions) expectUncachedKeys(p, t, now);
      }
    },
  );

  it('never serves a rule the keys of another time zone (a program copy sharing its rules)', () => {
    const paris = program('eur-premium');
    const newYork: Program = { ...paris, timeZone: 'America/New_York' };
    // 03:30 in Paris on 19 November is still 18 November in New York.
    const now = Date.parse('2026-11-19T02:30:00Z');
    for (const p of [paris, newYork, paris, newYork]) expectUncachedKeys(p, posTxn(eur('12.00')), now);
    expect(plan(newYork, posTxn(eur('12.00')), eur('12.00'), now).moves[0].key).toBe(
      'payment.count.day:2026-11-18',
    );
    expect(plan(paris, posTxn(eur('12.00')), eur('12.00'), now).moves[0].key).toBe(
      'payment.count.day:2026-11-19',
    );
  });
});
