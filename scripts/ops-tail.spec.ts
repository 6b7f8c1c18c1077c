import { formatLine } from './ops-tail';

describe('ops:tail line format', () => {
  it('prints one line per event with its type, account and id, masking card data', () => {
    const pan = '4999990000000007'; // passes Luhn: a PAN as far as the guard can tell
    const value = JSON.stringify({ eventId: 'e1', type: 'presentment', accountId: 'acc1', panMasked: '499999******0007', merchant: { name: `card ${pan}` }, pin: '1234' });
    const { line, account, type } = formatLine('card.clearing', 2, '41', 'acc1', value);
    expect(account).toBe('acc1');
    expect(type).toBe('presentment');
    expect(line.startsWith('card.clearing/2@41 key=acc1 type=presentment account=acc1 id=e1 {')).toBe(true);
    expect(line).not.toContain(pan);
    expect(line).not.toContain('"1234"');
    expect(line.split('\n')).toHaveLength(1);
  });

  it('shows a ledger posting by its entry type and a value that is not JSON as text', () => {
    expect(formatLine('ledger.postings', 0, '7', 'acc2', JSON.stringify({ entryId: '9', entryType: 'refund', accountId: 'acc2' })).line).toContain('type=refund account=acc2 id=entry:9');
    expect(formatLine('card.authorizations.dlq', 0, '1', null, '{oops').line).toContain('"{oops"');
  });
});
