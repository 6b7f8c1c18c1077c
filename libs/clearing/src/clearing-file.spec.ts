import fc from 'fast-check';
import { parseClearingFile, parseRecord } from './clearing-file';

const PAN = '4999990000000001';
const header = (records: number, fileId = 'CLR-20261122-001') => JSON.stringify({ fileId, processingDate: '2026-11-22', records });
const record = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    recordId: 'CLR-20261122-001-000001',
    type: 'presentment',
    transactionId: '123456789012345',
    pan: PAN,
    authCode: 'A1B2C3',
    amount: { minor: '1250', currency: 'EUR' },
    mcc: '5411',
    merchant: { id: 'MERCHANT0000001', name: 'SUPERMARCHE PARIS', country: 'FR' },
    acquirerId: '12345678',
    final: true,
    ...overrides,
  });

describe('clearing file (clearing.md)', () => {
  it('parses the example of the spec: header, a presentment and a refund', () => {
    const text = [header(2), record(), record({ recordId: 'CLR-20261122-001-000002', type: 'refund', amount: { minor: '500', currency: 'EUR' }, authCode: undefined })].join('\n') + '\n';
    const parsed = parseClearingFile(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.header).toEqual({ fileId: 'CLR-20261122-001', processingDate: '2026-11-22', records: 2 });
    expect(parsed.value.rejected).toEqual([]);
    expect(parsed.value.warnings).toEqual([]);
    expect(parsed.value.records.map((r) => [r.line, r.type, r.amount.amountMinor, r.final])).toEqual([
      [2, 'presentment', 1250n, true],
      [3, 'refund', 500n, true],
    ]);
  });

  it('reports a malformed line with its number and the reason, and keeps the others', () => {
    const text = [
      header(5),
      record(),
      '{not json',
      record({ recordId: 'R3', amount: { minor: 1250, currency: 'EUR' } }),
      record({ recordId: 'R4', pan: '49999900' }),
      record({ recordId: 'R5', transactionId: undefined, final: false }),
    ].join('\n');
    const parsed = parseClearingFile(text);
    if (!parsed.ok) throw new Error(parsed.error.reason);
    expect(parsed.value.rejected).toEqual([
      { line: 3, reason: 'not valid JSON' },
      { line: 4, reason: 'amount.minor must be a string of 1 to 15 digits, greater than 0' },
      { line: 5, reason: 'pan must be 12 to 19 digits' },
    ]);
    expect(parsed.value.records.map((r) => [r.line, r.recordId, r.transactionId])).toEqual([
      [2, 'CLR-20261122-001-000001', '123456789012345'],
      [6, 'R5', null],
    ]);
  });

  it.each([
    [{ type: 'payment' }, 'type must be one of presentment, refund, representment, chargeback-reversal'],
    [{ transactionId: '12345' }, 'transactionId must be 15 digits (the TI of the authorisation)'],
    [{ amount: { minor: '0', currency: 'EUR' } }, 'amount.minor must be a string of 1 to 15 digits, greater than 0'],
    [{ amount: { minor: '100', currency: 'XXY' } }, 'amount.currency must be a known ISO 4217 alpha code'],
    [{ mcc: '54' }, 'mcc must be 4 digits'],
    [{ merchant: { id: 'M', name: 'N', country: 'FRA' } }, 'merchant.country must be an ISO 3166 alpha-2 code'],
    [{ type: 'representment', transactionId: undefined }, 'transactionId is required on a representment'],
    [{ type: 'chargeback-reversal', transactionId: undefined }, 'transactionId is required on a chargeback-reversal'],
    [{ final: 'yes' }, 'final must be true or false'],
    [{ recordId: 'has space' }, 'recordId must be 1 to 64 characters A-Z a-z 0-9 _ -'],
    [{ pan: '49999900000000011111' }, 'pan must be 12 to 19 digits'],
    [{ acquirerId: undefined }, 'acquirerId is required'],
  ])('refuses %j: %s', (overrides, reason) => {
    const parsed = parseRecord(record(overrides), 2);
    expect(parsed).toEqual({ ok: false, error: reason });
  });

  it('a record without final is final (a presentment too: false announces more of the same TI)', () => {
    for (const type of ['refund', 'presentment']) {
      const parsed = parseRecord(record({ type, final: undefined }), 2);
      expect(parsed.ok && parsed.value.final).toBe(true);
    }
  });

  it('takes a refund without a TI (credited unmatched)', () => {
    expect(parseRecord(record({ type: 'refund', transactionId: undefined }), 2).ok).toBe(true);
  });

  it('refuses the second line with the same recordId', () => {
    const parsed = parseClearingFile([header(2), record(), record()].join('\n'));
    expect(parsed.ok && parsed.value.rejected).toEqual([{ line: 3, reason: 'recordId CLR-20261122-001-000001 already appears on line 2' }]);
  });

  it('warns when the record count differs from the header, without refusing a line', () => {
    const parsed = parseClearingFile([header(3), record()].join('\n'));
    expect(parsed.ok && parsed.value.warnings).toEqual(['the header announces 3 records, the file has 1 record lines']);
  });

  it('refuses the file when the header is malformed (line 1)', () => {
    expect(parseClearingFile(record())).toEqual({ ok: false, error: { line: 1, reason: 'header: fileId must be 1 to 64 characters A-Z a-z 0-9 _ -' } });
    expect(parseClearingFile(JSON.stringify({ fileId: 'F', processingDate: '2026-02-30', records: 0 }))).toEqual({
      ok: false,
      error: { line: 1, reason: 'header: processingDate must be a date YYYY-MM-DD' },
    });
    expect(parseClearingFile('')).toEqual({ ok: false, error: { line: 1, reason: 'header: not valid JSON' } });
  });

  it('accepts CRLF line ends and skips blank lines, keeping physical line numbers', () => {
    const parsed = parseClearingFile([header(1), '', record()].join('\r\n'));
    expect(parsed.ok && parsed.value.records.map((r) => r.line)).toEqual([3]);
  });

  it('never quotes the PAN in a reason, whatever the line', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(1000), (noise, cut) => {
        const line = record({ merchant: noise }).slice(0, cut) + noise;
        const parsed = parseClearingFile([header(1), line].join('\n'));
        if (!parsed.ok) return false;
        return parsed.value.rejected.every((r) => !r.reason.includes(PAN.slice(6)));
      }),
    );
  });

  it('never throws on arbitrary input and accounts for every non-blank line', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constant(record()), fc.json())), (lines) => {
        const parsed = parseClearingFile([header(lines.length), ...lines].join('\n'));
        if (!parsed.ok) return false;
        const nonBlank = lines.filter((l) => l.trim() !== '' && !l.includes('\n') && !l.includes('\r')).length;
        const counted = parsed.value.records.length + parsed.value.rejected.length;
        return lines.some((l) => /[\r\n]/.test(l)) || counted === nonBlank;
      }),
    );
  });
});
