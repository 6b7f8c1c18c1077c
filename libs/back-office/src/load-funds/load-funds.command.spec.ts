import { parseLoad, programLoadMethod } from './load-funds.command';

describe('load body', () => {
  it('parses money as a string of minor units and a contract method', () => {
    const parsed = parseLoad({ amount: { minor: '1250', currency: 'GBP' }, method: 'card' });
    expect(
      parsed.ok && {
        minor: parsed.value.amount.amountMinor,
        currency: parsed.value.amount.currency,
        method: parsed.value.method,
      },
    ).toEqual({ minor: 1250n, currency: 'GBP', method: 'card' });
    expect(programLoadMethod('card')).toBe('card-debit');
    expect(programLoadMethod('sepa-transfer')).toBe('sepa-transfer');
  });

  it.each([
    [undefined, 'body', 'must be a JSON object'],
    [{ method: 'p2p' }, 'amount', 'is required'],
    [{ amount: '12.50', method: 'p2p' }, 'amount', 'must be an object {minor, currency}'],
    [
      { amount: { minor: 1250, currency: 'EUR' }, method: 'p2p' },
      'amount.minor',
      'must be a string of at most 15 digits (integer minor units), e.g. "1250"',
    ],
    [
      { amount: { minor: '12.50', currency: 'EUR' }, method: 'p2p' },
      'amount.minor',
      'must be a string of at most 15 digits (integer minor units), e.g. "1250"',
    ],
    [
      { amount: { minor: '-5', currency: 'EUR' }, method: 'p2p' },
      'amount.minor',
      'must be a string of at most 15 digits (integer minor units), e.g. "1250"',
    ],
    [
      { amount: { minor: '0100', currency: 'EUR' }, method: 'p2p' },
      'amount.minor',
      'must be a string of at most 15 digits (integer minor units), e.g. "1250"',
    ],
    [
      { amount: { minor: '1'.repeat(16), currency: 'EUR' }, method: 'p2p' },
      'amount.minor',
      'must be a string of at most 15 digits (integer minor units), e.g. "1250"',
    ],
    [{ amount: { minor: '0', currency: 'EUR' }, method: 'p2p' }, 'amount.minor', 'must be greater than 0'],
    [{ amount: { minor: '100' }, method: 'p2p' }, 'amount.currency', 'is required'],
    [
      { amount: { minor: '100', currency: 'eur' }, method: 'p2p' },
      'amount.currency',
      'must be a known ISO 4217 alpha code, e.g. "EUR"',
    ],
    [
      { amount: { minor: '100', currency: 'XXX' }, method: 'p2p' },
      'amount.currency',
      'must be a known ISO 4217 alpha code, e.g. "EUR"',
    ],
    [{ amount: { minor: '100', currency: 'EUR', scale: 2 }, method: 'p2p' }, 'amount.scale', 'unknown field'],
    [
      { amount: { minor: '100', currency: 'EUR' } },
      'method',
      'is required (one of sepa-transfer, card, p2p)',
    ],
    [
      { amount: { minor: '100', currency: 'EUR' }, method: 'card-credit' },
      'method',
      'must be one of sepa-transfer, card, p2p',
    ],
  ])('refuses %j naming %s', (body, field, reason) => {
    expect(parseLoad(body)).toEqual({ ok: false, error: { field, reason } });
  });
});
