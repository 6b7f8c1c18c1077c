import { join } from 'path';
import fc from 'fast-check';
import type { ClearingRecordEvent, DisputeRaisedEvent } from '@lib/clearing';
import { findRepoRoot } from '@lib/config';
import { loadProgramCatalogue } from '@lib/programs';
import { HoldRecord, transactionFromHash } from '@lib/store';
import { assertValidEntry, cardholderMovements } from '../journal-entry';
import { ClearingInput, clearingRecordPosting, disputePosting } from './clearing-rules';
import { NOTHING_CLEARED } from './clearing-state';

const catalogue = loadProgramCatalogue(join(findRepoRoot(), 'config'));
const eurStandard = catalogue.programs.get('eur-standard')!;
const travel = catalogue.programs.get('travel-multicurrency')!;
const TI = '123456789012345';

function record(overrides: Partial<ClearingRecordEvent> = {}): ClearingRecordEvent {
  return {
    schemaVersion: 1,
    eventId: 'CLR-1-000001',
    type: 'presentment',
    occurredAt: '2026-11-23T09:00:00.000Z',
    fileId: 'CLR-1',
    recordId: 'CLR-1-000001',
    line: 2,
    processingDate: '2026-11-23',
    accountId: 'acc1',
    cardId: 'crd1',
    panMasked: '499999******0007',
    transactionId: TI,
    authCode: 'A1B2C3',
    amount: { minor: '1250', currency: 'EUR' },
    mcc: '5411',
    merchant: { id: 'M1', name: 'SHOP', country: 'FR' },
    acquirerId: '12345678',
    final: true,
    ...overrides,
  };
}

function hold(amountMinor: number, currency = 'EUR', remainingMinor = amountMinor): HoldRecord {
  return { holdId: 'h1', transactionId: TI, cardId: 'crd1', currency, amountMinor, remainingMinor, feesMinor: 0, openedAt: 0, expiresAt: 1, kind: 'authorisation' };
}

const heldTransaction = (billedMinor: number, feesMinor = 0, status = 'held', wallet = 'EUR') =>
  transactionFromHash(TI, { messageKey: 'k', status, holdId: 'h1', wallet, kind: 'purchase', billedMinor: String(billedMinor), feesMinor: String(feesMinor), version: '1' });

function input(overrides: Partial<ClearingInput> = {}): ClearingInput {
  return { event: record(), program: eurStandard, rates: catalogue.rates, transaction: heldTransaction(1250), hold: hold(1250), cleared: NOTHING_CLEARED, available: new Map(), ...overrides };
}

const lines = (posting: ReturnType<typeof clearingRecordPosting>) => posting.entry.lines.map((l) => [l.ledgerAccount, l.amountMinor]);

describe('clearing posting rules (clearing.md)', () => {
  it('full clearing of a hold: debit the presented amount, release the rest of the hold', () => {
    const posting = clearingRecordPosting(input());
    expect(posting.match).toBe('hold');
    expect(lines(posting)).toEqual([
      ['cardholder:acc1:EUR', 1250n],
      ['network-settlement:EUR', -1250n],
    ]);
    expect(posting.holdRelease).toEqual({ holdId: 'h1', byMinor: 'all' });
    expect(posting.entry.businessDate).toBe('2026-11-23');
    expect(posting.entry.details.differenceMinor).toBe('0');
    expect(posting.clearedAfter).toEqual({ presentments: 1, wallet: 'EUR', coveredMinor: 0n, refunds: 0 });
  });

  it('over-clearing (a tip): more than the hold is debited all the same', () => {
    const posting = clearingRecordPosting(input({ event: record({ amount: { minor: '1500', currency: 'EUR' } }) }));
    expect(lines(posting)).toEqual([
      ['cardholder:acc1:EUR', 1500n],
      ['network-settlement:EUR', -1500n],
    ]);
    expect(posting.entry.details.differenceMinor).toBe('250');
    expect(posting.holdRelease).toEqual({ holdId: 'h1', byMinor: 'all' });
  });

  it('split shipment: a non-final presentment consumes its part of the hold and keeps the hold', () => {
    const first = clearingRecordPosting(input({ event: record({ amount: { minor: '500', currency: 'EUR' }, final: false }) }));
    expect(first.holdRelease).toEqual({ holdId: 'h1', byMinor: 500n });
    const second = clearingRecordPosting(
      input({ event: record({ eventId: 'CLR-1-000002', recordId: 'CLR-1-000002', amount: { minor: '600', currency: 'EUR' } }), hold: hold(1250, 'EUR', 750), cleared: first.clearedAfter }),
    );
    expect(second.holdRelease).toEqual({ holdId: 'h1', byMinor: 'all' });
    expect(lines(second)).toEqual([
      ['cardholder:acc1:EUR', 600n],
      ['network-settlement:EUR', -600n],
    ]);
    expect(second.clearedAfter.presentments).toBe(2);
  });

  it('re-rates a foreign purchase at the processing day and recomputes the fees on the cleared amount', () => {
    // USD 100.00: 2026-11-20 rate 0.8634833 -> 86.35 EUR; 2026-11-23 rate 0.8640055 -> 86.40 EUR.
    const usd = { amount: { minor: '10000', currency: 'USD' } };
    const authorisedTotal = 8635 + 116 + 173;
    const at23 = clearingRecordPosting(input({ event: record(usd), transaction: heldTransaction(8635, 289), hold: hold(authorisedTotal) }));
    expect(lines(at23)).toEqual([
      ['cardholder:acc1:EUR', 8929n],
      ['network-settlement:EUR', -8640n],
      ['fee-income:foreign-payment:EUR', -116n],
      ['fx-income:EUR', -173n],
    ]);
    expect(at23.entry.details).toMatchObject({ rate: '0.8640055', differenceMinor: '5', billing: { minor: '8640', currency: 'EUR' } });
    const at20 = clearingRecordPosting(input({ event: record({ ...usd, processingDate: '2026-11-20' }), hold: hold(authorisedTotal) }));
    expect(at20.entry.lines[0].amountMinor).toBe(8924n);
  });

  it('later presentments of a split shipment pay only the percentage part of the fees', () => {
    const usd = { amount: { minor: '10000', currency: 'USD' }, final: false };
    const posting = clearingRecordPosting(input({ event: record(usd), hold: hold(9000), cleared: { ...NOTHING_CLEARED, presentments: 1, wallet: 'EUR' } }));
    expect(lines(posting)).toContainEqual(['fee-income:foreign-payment:EUR', -56n]);
  });

  it('clearing after the hold expired: force post, nothing to release', () => {
    const posting = clearingRecordPosting(input({ hold: undefined }));
    expect(posting.match).toBe('no-open-hold');
    expect(posting.holdRelease).toBeNull();
    expect(lines(posting)).toEqual([
      ['cardholder:acc1:EUR', 1250n],
      ['network-settlement:EUR', -1250n],
    ]);
  });

  it('clearing with no authorisation: force post; a travel card pays from the held-currency wallet when it covers it', () => {
    const event = record({ transactionId: null, amount: { minor: '2000', currency: 'USD' } });
    const covered = clearingRecordPosting(input({ event, program: travel, transaction: undefined, hold: undefined, available: new Map([['USD', 5000n]]) }));
    expect(covered.match).toBe('unmatched');
    expect(lines(covered)).toEqual([
      ['cardholder:acc1:USD', 2000n],
      ['network-settlement:USD', -2000n],
    ]);
    const short = clearingRecordPosting(input({ event, program: travel, transaction: undefined, hold: undefined, available: new Map([['USD', 100n]]) }));
    expect(short.entry.lines[0].ledgerAccount).toBe('cardholder:acc1:EUR');
    expect(short.entry.lines.some((l) => l.ledgerAccount === 'fx-income:EUR')).toBe(true);
  });

  it('a transaction posted at authorisation (0200) or by a completion posts only the re-rated difference', () => {
    const same = clearingRecordPosting(input({ transaction: heldTransaction(1250, 150, 'posted'), hold: undefined }));
    expect(same.match).toBe('already-posted');
    expect(same.entry.memo).toBe(true);
    expect(same.entry.lines).toEqual([]);
    const more = clearingRecordPosting(input({ event: record({ amount: { minor: '1300', currency: 'EUR' } }), transaction: heldTransaction(1250, 150, 'completed'), hold: undefined }));
    expect(lines(more)).toEqual([
      ['cardholder:acc1:EUR', 50n],
      ['network-settlement:EUR', -50n],
    ]);
    const less = clearingRecordPosting(input({ event: record({ amount: { minor: '1200', currency: 'EUR' } }), transaction: heldTransaction(1250, 150, 'completed'), hold: undefined }));
    expect(lines(less)).toEqual([
      ['cardholder:acc1:EUR', -50n],
      ['network-settlement:EUR', 50n],
    ]);
  });

  it('refund: the holder is credited in the wallet the purchase was debited from, several times if need be', () => {
    const cleared = { ...NOTHING_CLEARED, presentments: 1, wallet: 'EUR' };
    const refund = clearingRecordPosting(input({ event: record({ type: 'refund', amount: { minor: '500', currency: 'EUR' } }), hold: undefined, cleared }));
    expect(lines(refund)).toEqual([
      ['cardholder:acc1:EUR', -500n],
      ['network-settlement:EUR', 500n],
    ]);
    expect(refund.clearedAfter.refunds).toBe(1);
    const second = clearingRecordPosting(input({ event: record({ type: 'refund', amount: { minor: '300', currency: 'EUR' } }), hold: undefined, cleared: refund.clearedAfter }));
    expect(second.clearedAfter.refunds).toBe(2);
  });

  it('a foreign refund is converted at the processing day rate, without markup', () => {
    const refund = clearingRecordPosting(input({ event: record({ type: 'refund', amount: { minor: '10000', currency: 'USD' } }), hold: undefined }));
    expect(lines(refund)).toEqual([
      ['cardholder:acc1:EUR', -8640n],
      ['network-settlement:EUR', 8640n],
    ]);
  });

  it('representment and chargeback-reversal debit the holder again, the amount only, against an open chargeback', () => {
    for (const type of ['representment', 'chargeback-reversal'] as const) {
      const posting = clearingRecordPosting(input({ event: record({ type, amount: { minor: '1250', currency: 'EUR' } }), hold: undefined, openDispute: { disputeId: 'dsp1', amountMinor: 1250n, currency: 'EUR' } }));
      expect(lines(posting)).toEqual([
        ['cardholder:acc1:EUR', 1250n],
        ['network-settlement:EUR', -1250n],
      ]);
    }
  });

  it('takes back no more than the chargeback credited: the rest is suspense against the network', () => {
    const posting = clearingRecordPosting(input({ event: record({ type: 'representment', amount: { minor: '4000', currency: 'EUR' } }), hold: undefined, openDispute: { disputeId: 'dsp1', amountMinor: 1000n, currency: 'EUR' } }));
    expect(lines(posting)).toEqual([
      ['cardholder:acc1:EUR', 1000n],
      ['network-settlement:EUR', -4000n],
      ['suspense:EUR', 3000n],
    ]);
    expect(posting.clearedAfter.reclaimed).toEqual({ disputeId: 'dsp1', minor: 1000n });
  });

  it('a second record against the same chargeback takes only what is left of its credit (same batch: the chargeback still open)', () => {
    const dispute = { disputeId: 'dsp1', amountMinor: 1000n, currency: 'EUR' };
    const first = clearingRecordPosting(input({ event: record({ type: 'representment', amount: { minor: '600', currency: 'EUR' } }), hold: undefined, openDispute: dispute }));
    const second = clearingRecordPosting(input({ event: record({ type: 'chargeback-reversal', amount: { minor: '600', currency: 'EUR' } }), hold: undefined, openDispute: dispute, cleared: first.clearedAfter }));
    expect(lines(second)).toEqual([
      ['cardholder:acc1:EUR', 400n],
      ['network-settlement:EUR', -600n],
      ['suspense:EUR', 200n],
    ]);
    const third = clearingRecordPosting(input({ event: record({ type: 'representment', amount: { minor: '100', currency: 'EUR' } }), hold: undefined, openDispute: dispute, cleared: second.clearedAfter }));
    expect(third.match).toBe('suspense');
    // A later chargeback on the same TI starts afresh.
    const later = clearingRecordPosting(input({ event: record({ type: 'representment', amount: { minor: '100', currency: 'EUR' } }), hold: undefined, openDispute: { ...dispute, disputeId: 'dsp2' }, cleared: second.clearedAfter }));
    expect(lines(later)[0]).toEqual(['cardholder:acc1:EUR', 100n]);
  });

  it('a chargeback credited in another wallet is not taken back from this one (suspense)', () => {
    const posting = clearingRecordPosting(input({ event: record({ type: 'representment', amount: { minor: '600', currency: 'EUR' } }), hold: undefined, openDispute: { disputeId: 'dsp1', amountMinor: 1000n, currency: 'GBP' } }));
    expect(posting.match).toBe('suspense');
  });

  it('a representment or chargeback-reversal without an open chargeback leaves the holder alone (suspense)', () => {
    for (const type of ['representment', 'chargeback-reversal'] as const) {
      const posting = clearingRecordPosting(input({ event: record({ type, amount: { minor: '1250', currency: 'EUR' } }), hold: undefined, openDispute: null }));
      expect(posting.match).toBe('suspense');
      expect(cardholderMovements(posting.entry).size).toBe(0);
    }
  });

  it('a record for a PAN no card has goes to suspense, never to a cardholder', () => {
    const posting = clearingRecordPosting(input({ event: record({ accountId: null, cardId: null }) }));
    expect(posting.match).toBe('suspense');
    expect(lines(posting)).toEqual([
      ['suspense:EUR', 1250n],
      ['network-settlement:EUR', -1250n],
    ]);
    expect(cardholderMovements(posting.entry).size).toBe(0);
  });

  it('a chargeback credits the holder and charges the tariff chargeback fee (15.00)', () => {
    const event: DisputeRaisedEvent = {
      schemaVersion: 1,
      eventId: 'dsp_1',
      type: 'dispute.raised',
      occurredAt: '2026-11-24T10:00:00.000Z',
      disputeId: 'dsp_1',
      accountId: 'acc1',
      transactionId: TI,
      amount: { minor: '1250', currency: 'EUR' },
      reason: 'goods not received',
    };
    const entry = disputePosting({ event, program: eurStandard, businessDate: '2026-11-24' });
    expect(entry.lines.map((l) => [l.ledgerAccount, l.amountMinor])).toEqual([
      ['cardholder:acc1:EUR', -1250n],
      ['network-settlement:EUR', 1250n],
      ['cardholder:acc1:EUR', 1500n],
      ['fee-income:chargeback:EUR', -1500n],
    ]);
    expect(cardholderMovements(entry).get('cardholder:acc1:EUR')!.deltaMinor).toBe(-250n);
  });

  it('every posting balances per currency, whatever the record (property)', () => {
    const currencies = ['EUR', 'USD', 'GBP', 'JPY', 'CHF'];
    fc.assert(
      fc.property(
        fc.constantFrom('presentment', 'refund', 'representment', 'chargeback-reversal'),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.constantFrom(...currencies),
        fc.boolean(),
        fc.option(fc.nat(100_000)),
        fc.constantFrom(eurStandard, travel),
        fc.constantFrom('held', 'posted', 'completed', 'reversed', undefined),
        (type, minor, currency, final, holdAmount, program, status) => {
          const posting = clearingRecordPosting(
            input({
              event: record({ type: type as ClearingRecordEvent['type'], amount: { minor: minor.toString(), currency }, final }),
              program,
              transaction: status === undefined ? undefined : heldTransaction(holdAmount ?? 0, 0, status),
              hold: holdAmount === null ? undefined : hold(holdAmount + 1),
            }),
          );
          assertValidEntry(posting.entry);
          return posting.entry.memo || posting.entry.lines.length >= 2;
        },
      ),
      { numRuns: 300 },
    );
  });
});
