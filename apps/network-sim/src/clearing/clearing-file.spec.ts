import { parseClearingFile } from '@lib/clearing';
import { domesticMerchants } from '../planning/merchants';
import type { ClearingItem } from '../planning/plan';
import { ClearableTransaction, clearingFileId, recordsForItems, writeClearingFile } from './clearing-file';

const merchant = { id: 'FRGROCERY000001', name: 'SUPERMARCHE PARIS', country: 'FR' };
const txn = (id: string, over: Partial<ClearableTransaction> = {}): ClearableTransaction => ({
  transactionId: id,
  pan: '4999991234567897',
  authCode: 'A1B2C3',
  approved: true,
  reversed: false,
  mcc: '5411',
  merchant,
  acquirerId: '12345678',
  ...over,
});

const presentment = (t: string, amountMinor: bigint, final = true, label: 'exact' | 'split' | 'tip' = 'exact'): ClearingItem => ({
  kind: 'presentment',
  txn: t,
  cardholder: 0,
  processingDay: '2026-11-24',
  amountMinor,
  currency: 'EUR',
  final,
  label,
});

describe('clearing file', () => {
  const known: Record<string, ClearableTransaction> = {
    a: txn('111110000000001'),
    b: txn('111110000000002'),
    declined: txn('111110000000003', { approved: false }),
    voided: txn('111110000000004', { reversed: true }),
  };
  const items: ClearingItem[] = [
    presentment('a', 1250n),
    presentment('b', 3000n, false, 'split'),
    presentment('b', 2000n, true, 'split'),
    { kind: 'refund', txn: 'a', cardholder: 0, processingDay: '2026-11-24', amountMinor: 500n, currency: 'EUR', label: 'partial-refund' },
    { kind: 'force-post', cardholder: 0, card: 'physical', processingDay: '2026-11-24', amountMinor: 320n, currency: 'EUR', merchant: domesticMerchants('transport')[0] },
    presentment('declined', 100n),
    presentment('voided', 100n),
    presentment('never-sent', 100n),
  ];
  const { records, dropped } = recordsForItems(items, (t) => known[t], () => '4999991234567897');

  it('keeps what can be cleared and says why the rest is not', () => {
    expect(records.map((r) => r.label)).toEqual(['exact', 'split', 'split', 'partial-refund', 'force-post']);
    expect(Object.fromEntries(dropped)).toEqual({ 'original not approved': 1, 'original reversed': 1, 'original not sent': 1 });
  });

  it('writes a file the issuer parses without a rejected line (header, ids, types, amounts, final, force post)', () => {
    const fileId = clearingFileId('2026-11-24', '54321');
    expect(fileId).toBe('CLR-20261124-54321');
    const text = writeClearingFile(fileId, '2026-11-24', records);
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text.split('\n')[0])).toEqual({ fileId, processingDate: '2026-11-24', records: 5 });
    const parsed = parseClearingFile(text);
    if (!parsed.ok) throw new Error(parsed.error.reason);
    expect(parsed.value.rejected).toEqual([]);
    expect(parsed.value.warnings).toEqual([]);
    expect(parsed.value.records.map((r) => [r.recordId, r.type, r.transactionId, r.amount.amountMinor, r.final, r.authCode])).toEqual([
      [`${fileId}-000001`, 'presentment', '111110000000001', 1250n, true, 'A1B2C3'],
      [`${fileId}-000002`, 'presentment', '111110000000002', 3000n, false, 'A1B2C3'],
      [`${fileId}-000003`, 'presentment', '111110000000002', 2000n, true, 'A1B2C3'],
      [`${fileId}-000004`, 'refund', '111110000000001', 500n, true, null],
      [`${fileId}-000005`, 'presentment', null, 320n, true, null],
    ]);
    expect(parsed.value.records[4].merchant).toEqual({ id: domesticMerchants('transport')[0].id, name: 'RESEAU TRANSPORT URBAIN', country: 'FR' });
  });
});
