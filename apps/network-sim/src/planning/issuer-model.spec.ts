import { join } from 'path';
import { findRepoRoot } from '@lib/config';
import { CurrencyCode, money } from '@lib/money';
import { CardTransaction, dayIdOf, localDateOf, loadProgramCatalogue, MS_PER_DAY, MS_PER_HOUR, TransactionKind } from '@lib/programs';
import { ACCELERATED_TIMING, IssuerModel, ModelOutcome, REAL_CLOCK_TIMING } from './issuer-model';

const catalogue = loadProgramCatalogue(join(findRepoRoot(), 'config'));
const program = (id: string) => catalogue.programs.get(id)!;
/** Monday 1 February 2027, 10:00 in Paris (past the rate table: one rate for every day). */
const T0 = Date.parse('2027-02-01T09:00:00Z');
const day = (ms: number) => dayIdOf(localDateOf(ms, 'Europe/Paris'));
/** The file of the day after T0 is applied from about midnight after it; surely 2 days later. */
const PRESENTED_DAY = day(T0 + MS_PER_DAY);
const SURELY_APPLIED = T0 + 4 * MS_PER_DAY;

function txn(amountMinor: bigint, currency: CurrencyCode, options: { kind?: TransactionKind; country?: string; mcc?: string } = {}): CardTransaction {
  const kind = options.kind ?? 'purchase';
  return {
    kind,
    channel: kind === 'cash-withdrawal' || kind === 'balance-inquiry' ? 'atm' : 'pos',
    entryMode: 'chip',
    preAuthorisation: false,
    incremental: false,
    transactionAmount: money(amountMinor, currency),
    acquirerCountry: options.country ?? '250',
    mcc: options.mcc ?? (kind === 'purchase' ? '5411' : '6011'),
  };
}

/** A model with no reserve (the planner's reserve is a spending policy, not a rule). */
function model(programId: string, funding: Partial<Record<CurrencyCode, bigint>>, timing = ACCELERATED_TIMING): IssuerModel {
  const m = new IssuerModel(program(programId), catalogue.rates, 0n, timing);
  for (const [currency, minor] of Object.entries(funding)) m.credit(currency as CurrencyCode, minor);
  return m;
}

/** Decides and books an approval that must be given. */
function approve(m: IssuerModel, ref: string, t: CardTransaction, atMs: number, mti = '0100'): Extract<ModelOutcome, { approved: true }> {
  const outcome = m.decide(t, atMs);
  if (!outcome.approved) throw new Error(`expected an approval, got ${JSON.stringify(outcome)}`);
  m.book(ref, t, outcome, atMs, mti);
  return outcome;
}

const codeOf = (outcome: ModelOutcome) => (outcome.approved ? '00' : outcome.code);

describe('IssuerModel: account suspended (05) while a wallet is below zero', () => {
  it('predicts 05 for a purchase once a presentment above the hold took the EUR balance below zero', () => {
    const m = model('eur-standard', { EUR: 10_000n });
    approve(m, 'dinner', txn(9_000n, 'EUR', { mcc: '5812' }), T0);
    // Presented at 110.00 (a tip): 20.00 beyond the 90.00 held, with 10.00 left.
    m.present('dinner', { processingDay: PRESENTED_DAY, amountMinor: 11_000n, currency: 'EUR', final: true });
    const coffee = txn(500n, 'EUR');
    // Before the file is posted the hold still stands: 10.00 available.
    expect(m.bounds('EUR', T0 + MS_PER_HOUR)).toEqual({ low: 1_000n, high: 1_000n });
    expect(codeOf(m.decide(coffee, T0 + MS_PER_HOUR))).toBe('00');
    // While settlement may or may not have applied it, the model cannot tell (nothing is planned).
    expect(m.decide(coffee, T0 + 2 * MS_PER_DAY)).toMatchObject({ approved: false, code: null });
    // Applied for sure: -10.00 available, every debit is suspended, whatever the limits and funds.
    expect(m.bounds('EUR', SURELY_APPLIED)).toEqual({ low: -1_000n, high: -1_000n });
    expect(m.decide(coffee, SURELY_APPLIED)).toEqual({ approved: false, code: '05', declineFeeMinor: 0n });
    expect(codeOf(m.decide(txn(2_000n, 'EUR', { kind: 'cash-withdrawal' }), SURELY_APPLIED))).toBe('05');
    expect(codeOf(m.decide(txn(0n, 'EUR', { kind: 'balance-inquiry' }), SURELY_APPLIED))).toBe('05');
    // An ATM withdrawal beyond the per-transaction amount limit (100.00): 61 before, and now 05,
    // which comes first in the order of checks.
    const bigCash = txn(20_000n, 'EUR', { kind: 'cash-withdrawal' });
    expect(codeOf(m.decide(bigCash, T0 + MS_PER_HOUR))).toBe('61');
    expect(codeOf(m.decide(bigCash, SURELY_APPLIED))).toBe('05');
    // An account verification is not a debit: not suspended.
    expect(codeOf(m.decide(txn(0n, 'EUR', { kind: 'account-verification' }), SURELY_APPLIED))).toBe('00');
  });

  it('predicts approvals again once a load brings the balance back to 0 or more', () => {
    const m = model('eur-standard', { EUR: 10_000n });
    approve(m, 'dinner', txn(9_000n, 'EUR', { mcc: '5812' }), T0);
    m.present('dinner', { processingDay: PRESENTED_DAY, amountMinor: 11_000n, currency: 'EUR', final: true });
    const coffee = txn(500n, 'EUR');
    // 9.99 repays all but a cent: still suspended.
    m.credit('EUR', 999n, SURELY_APPLIED);
    expect(codeOf(m.decide(coffee, SURELY_APPLIED + 1_000))).toBe('05');
    // One more cent: the balance is 0, which suspends nothing; the coffee is 51 (no funds), with no
    // decline fee (the balance does not cover it).
    m.credit('EUR', 1n, SURELY_APPLIED + 2_000);
    expect(m.decide(coffee, SURELY_APPLIED + 3_000)).toEqual({ approved: false, code: '51', declineFeeMinor: 0n });
    m.credit('EUR', 5_000n, SURELY_APPLIED + 4_000);
    expect(codeOf(m.decide(coffee, SURELY_APPLIED + 5_000))).toBe('00');
  });

  it('predicts 05 for a purchase paid from EUR while another wallet (GBP) of a multi-currency program is below zero', () => {
    const m = model('travel-multicurrency', { EUR: 50_000n, GBP: 5_000n });
    const pub = approve(m, 'pub', txn(4_500n, 'GBP', { country: '826', mcc: '5812' }), T0);
    expect(pub.walletCurrency).toBe('GBP');
    m.present('pub', { processingDay: PRESENTED_DAY, amountMinor: 6_000n, currency: 'GBP', final: true });
    expect(m.bounds('GBP', SURELY_APPLIED)).toEqual({ low: -1_000n, high: -1_000n });
    expect(m.bounds('EUR', SURELY_APPLIED)).toEqual({ low: 50_000n, high: 50_000n });
    // At home in EUR, and in Thailand (no THB wallet: paid from EUR): 05 all the same.
    expect(codeOf(m.decide(txn(1_000n, 'EUR'), SURELY_APPLIED))).toBe('05');
    expect(codeOf(m.decide(txn(50_000n, 'THB', { country: '764', mcc: '5812' }), SURELY_APPLIED))).toBe('05');
    // A GBP load of 10.00 brings the wallet to 0: approved again.
    m.credit('GBP', 1_000n, SURELY_APPLIED + 1_000);
    const thai = m.decide(txn(50_000n, 'THB', { country: '764', mcc: '5812' }), SURELY_APPLIED + 2_000);
    expect(thai).toMatchObject({ approved: true, walletCurrency: 'EUR' });
  });

  it('follows holds: an exact presentment changes nothing, a reversal gives the hold back, a late one debits after the expiry', () => {
    const m = model('eur-standard', { EUR: 5_000n });
    approve(m, 'exact', txn(2_000n, 'EUR'), T0);
    m.present('exact', { processingDay: PRESENTED_DAY, amountMinor: 2_000n, currency: 'EUR', final: true });
    approve(m, 'timeout', txn(1_000n, 'EUR'), T0 + 60_000);
    m.reverse('timeout', T0 + 80_000);
    approve(m, 'late', txn(1_500n, 'EUR'), T0 + 120_000);
    // Presented 12 days later: the 7-day hold expired before, the presentment is debited in full.
    m.present('late', { processingDay: day(T0 + 12 * MS_PER_DAY), amountMinor: 1_700n, currency: 'EUR', final: true });
    expect(m.bounds('EUR', T0 + MS_PER_HOUR)).toEqual({ low: 1_500n, high: 1_500n });
    expect(m.bounds('EUR', SURELY_APPLIED)).toEqual({ low: 1_500n, high: 1_500n });
    // Between the expiry (7 days) and the late presentment: the hold's 15.00 are back.
    expect(m.bounds('EUR', T0 + 10 * MS_PER_DAY)).toEqual({ low: 3_000n, high: 3_000n });
    expect(m.bounds('EUR', T0 + 16 * MS_PER_DAY)).toEqual({ low: 1_300n, high: 1_300n });
  });

  it('a completion after the hold expired posts the final amount below zero: 05', () => {
    const m = model('eur-premium', { EUR: 30_000n });
    const rental = { ...txn(25_000n, 'EUR', { mcc: '7512' }), preAuthorisation: true };
    approve(m, 'car', rental, T0);
    // Spends what the pre-authorisation left, then the hold expires (15 days) and the car comes back late.
    approve(m, 'shopping', txn(5_000n, 'EUR'), T0 + MS_PER_HOUR);
    m.present('shopping', { processingDay: PRESENTED_DAY, amountMinor: 5_000n, currency: 'EUR', final: true });
    approve(m, 'more', txn(20_000n, 'EUR'), T0 + 18 * MS_PER_DAY);
    m.complete('car', 10_000n, T0 + 18 * MS_PER_DAY + MS_PER_HOUR);
    expect(m.bounds('EUR', T0 + 18 * MS_PER_DAY + 2 * MS_PER_HOUR)).toEqual({ low: -5_000n, high: -5_000n });
    expect(codeOf(m.decide(txn(100n, 'EUR'), T0 + 18 * MS_PER_DAY + 2 * MS_PER_HOUR))).toBe('05');
  });

  it('a stand-in advice holds like an approval, so a wallet it overdraws suspends the account', () => {
    const m = model('eur-standard', { EUR: 1_000n });
    const advice = txn(3_000n, 'EUR');
    // The network approved on the issuer's behalf: the model books it whatever the balance.
    m.book('stand-in', advice, { approved: true, walletCurrency: 'EUR', billingMinor: 3_000n, feesMinor: 0n, totalDebitMinor: 3_000n }, T0, '0120');
    expect(m.bounds('EUR', T0 + 1_000)).toEqual({ low: -2_000n, high: -2_000n });
    expect(codeOf(m.decide(txn(100n, 'EUR'), T0 + 1_000))).toBe('05');
  });

  it('on the real clock, clearing comes after the traffic: a presentment above the hold suspends nothing during the run', () => {
    const m = model('eur-standard', { EUR: 10_000n }, REAL_CLOCK_TIMING);
    approve(m, 'dinner', txn(9_000n, 'EUR', { mcc: '5812' }), T0);
    m.present('dinner', { processingDay: PRESENTED_DAY, amountMinor: 11_000n, currency: 'EUR', final: true });
    expect(m.bounds('EUR', SURELY_APPLIED)).toEqual({ low: 1_000n, high: 1_000n });
    expect(codeOf(m.decide(txn(500n, 'EUR'), SURELY_APPLIED))).toBe('00');
  });

  it('a copy decides on its own: booking on it leaves the original untouched', () => {
    const m = model('eur-standard', { EUR: 10_000n });
    approve(m, 'dinner', txn(9_000n, 'EUR', { mcc: '5812' }), T0);
    const copy = m.clone();
    copy.present('dinner', { processingDay: PRESENTED_DAY, amountMinor: 11_000n, currency: 'EUR', final: true });
    expect(codeOf(copy.decide(txn(500n, 'EUR'), SURELY_APPLIED))).toBe('05');
    expect(codeOf(m.decide(txn(500n, 'EUR'), SURELY_APPLIED))).toBe('00');
  });
});

describe('IssuerModel: periodic fees of the settlement side', () => {
  it('takes the most a period can charge into the low bound from the charge day on, never the high bound', () => {
    const m = model('eur-premium', { EUR: 10_000n });
    m.periodicFees(T0, 'monthly', T0 + 70 * MS_PER_DAY);
    // Opened on 1 February: charged on 1 March and 1 April (3.00 + at most 2.50 each).
    expect(m.bounds('EUR', Date.parse('2027-02-28T12:00:00Z'))).toEqual({ low: 10_000n, high: 10_000n });
    expect(m.bounds('EUR', Date.parse('2027-03-02T12:00:00Z'))).toEqual({ low: 9_450n, high: 10_000n });
    expect(m.bounds('EUR', Date.parse('2027-04-02T12:00:00Z'))).toEqual({ low: 8_900n, high: 10_000n });
    // A purchase the balance covers only without the fees: the model cannot tell, so nothing is planned.
    expect(m.decide(txn(9_500n, 'EUR'), Date.parse('2027-03-02T12:00:00Z'))).toMatchObject({ approved: false, code: null });
    // One beyond the high bound is a 51 whatever the fees took.
    expect(codeOf(m.decide(txn(10_100n, 'EUR'), Date.parse('2027-03-02T12:00:00Z')))).toBe('51');
  });

  it('the travel program has no periodic fee', () => {
    const m = model('travel-multicurrency', { EUR: 10_000n });
    m.periodicFees(T0, 'none', T0 + 400 * MS_PER_DAY);
    expect(m.bounds('EUR', T0 + 399 * MS_PER_DAY)).toEqual({ low: 10_000n, high: 10_000n });
  });
});
