import { assertValidEntry } from '../journal-entry';
import { parseAuthorizationTopicEvent } from './authorization-events';
import { authorizationTopicPosting, businessDateOf } from './authorization-rules';

/** A `card.authorizations` event as the relay publishes it (libs/events schema v1), plus `posted`. */
function decision(overrides: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1,
    eventId: 'evt-1',
    type: 'authorization.approved',
    occurredAt: '2026-11-22T23:30:00.000Z',
    accountId: 'acc1',
    cardId: 'crd1',
    panMasked: '499999******0007',
    transactionId: '123456789012345',
    mti: '0100',
    processingCode: '000000',
    amount: { minor: '1250', currency: 'EUR' },
    billing: null,
    fx: null,
    fees: [],
    mcc: '5411',
    merchant: { id: 'M1', name: 'SHOP', country: 'FR' },
    responseCode: '00',
    authCode: 'A1B2C3',
    approvedAmount: { minor: '1250', currency: 'EUR' },
    declineReason: null,
    hold: { holdId: 'h1', expiresAt: '2026-11-29T23:30:00.000Z', released: null },
    balancesAfter: { ledger: { minor: '10000', currency: 'EUR' }, available: { minor: '8750', currency: 'EUR' } },
    context: {},
    ...overrides,
  };
}

function posting(value: unknown) {
  const parsed = parseAuthorizationTopicEvent(value);
  if (!parsed.ok) throw new Error(parsed.error);
  const entry = authorizationTopicPosting(parsed.value);
  if (entry) assertValidEntry(entry);
  return entry;
}

const lines = (entry: ReturnType<typeof posting>) => entry!.lines.map((l) => [l.ledgerAccount, l.amountMinor]);

describe('card.authorizations posting rules', () => {
  it('a held purchase (0100) moves no money: a memo naming the hold', () => {
    const entry = posting(decision({ holdEffect: { holdId: 'h1', currency: 'EUR', effect: 'opened', amountMinor: '1250', remainingMinor: '1250' }, posted: null }));
    expect(entry!.memo).toBe(true);
    expect(entry!.lines).toEqual([]);
    expect(entry!.details.hold).toMatchObject({ holdId: 'h1' });
  });

  it('a 0200 withdrawal posts at once: amount to the network, its fee to fee income', () => {
    const entry = posting(
      decision({
        mti: '0200',
        processingCode: '010000',
        amount: { minor: '5000', currency: 'EUR' },
        hold: null,
        fees: [{ type: 'atm-withdrawal', amount: { minor: '150', currency: 'EUR' } }],
        posted: { minor: '-5150', currency: 'EUR' },
      }),
    );
    expect(lines(entry)).toEqual([
      ['cardholder:acc1:EUR', 5150n],
      ['fee-income:atm-withdrawal:EUR', -150n],
      ['network-settlement:EUR', -5000n],
    ]);
    expect(entry!.businessDate).toBe('2026-11-23'); // 23:30 UTC is the next day in Paris
  });

  it('without `posted` in the event, the engine rule is derived: a 0200 or a balance-inquiry fee posts at once', () => {
    const atm = posting(decision({ mti: '0200', processingCode: '010000', amount: { minor: '2000', currency: 'EUR' }, hold: null }));
    expect(lines(atm)).toEqual([
      ['cardholder:acc1:EUR', 2000n],
      ['network-settlement:EUR', -2000n],
    ]);
    const inquiry = posting(decision({ processingCode: '310000', amount: { minor: '0', currency: 'EUR' }, hold: null, fees: [{ type: 'balance-inquiry', amount: { minor: '50', currency: 'EUR' } }] }));
    expect(lines(inquiry)).toEqual([
      ['cardholder:acc1:EUR', 50n],
      ['fee-income:balance-inquiry:EUR', -50n],
    ]);
    // An incremental authorisation (no new hold, the hold grows): nothing posted.
    expect(posting(decision({ hold: null, holdEffect: { holdId: 'h1', currency: 'EUR', effect: 'grown', amountMinor: '500', remainingMinor: '1750' } }))!.memo).toBe(true);
  });

  it('a foreign 0200 posts in the wallet currency with its FX markup as FX income', () => {
    const entry = posting(
      decision({
        mti: '0200',
        processingCode: '010000',
        amount: { minor: '10000', currency: 'USD' },
        billing: { minor: '8640', currency: 'EUR' },
        hold: null,
        fees: [
          { type: 'foreign-atm-withdrawal', amount: { minor: '300', currency: 'EUR' } },
          { type: 'fx', amount: { minor: '173', currency: 'EUR' } },
        ],
        posted: { minor: '-9113', currency: 'EUR' },
      }),
    );
    expect(lines(entry)).toEqual([
      ['cardholder:acc1:EUR', 9113n],
      ['fee-income:foreign-atm-withdrawal:EUR', -300n],
      ['fx-income:EUR', -173n],
      ['network-settlement:EUR', -8640n],
    ]);
  });

  it('a reversal of a posted 0200 credits the holder back', () => {
    const entry = posting(decision({ type: 'reversal.applied', mti: '0400', hold: null, posted: { minor: '5150', currency: 'EUR' } }));
    expect(lines(entry)).toEqual([
      ['cardholder:acc1:EUR', -5150n],
      ['network-settlement:EUR', 5150n],
    ]);
  });

  it('a completion posts what the gateway posted; without `posted` it is a memo flagged for reconciliation', () => {
    const entry = posting(decision({ type: 'completion.applied', mti: '0220', hold: null, posted: { minor: '-9000', currency: 'EUR' } }));
    expect(lines(entry)).toEqual([
      ['cardholder:acc1:EUR', 9000n],
      ['network-settlement:EUR', -9000n],
    ]);
    const unknown = posting(decision({ type: 'completion.applied', mti: '0220', hold: null }));
    expect(unknown!.memo).toBe(true);
    expect(unknown!.details.postedUnknown).toBe(true);
  });

  it('a decline fee taken on 51 is posted; a decline without fee records nothing', () => {
    const declined = { type: 'authorization.declined', responseCode: '51', declineReason: 'insufficient-funds', hold: null, approvedAmount: null, authCode: null };
    const withFee = posting(decision({ ...declined, fees: [{ type: 'decline', amount: { minor: '15', currency: 'EUR' } }] }));
    expect(lines(withFee)).toEqual([
      ['cardholder:acc1:EUR', 15n],
      ['fee-income:decline:EUR', -15n],
    ]);
    expect(posting(decision(declined))).toBeNull();
  });

  it('hold.expired is a memo: the gateway already gave the availability back', () => {
    const entry = posting(
      decision({ type: 'hold.expired', mti: null, processingCode: null, responseCode: null, authCode: null, approvedAmount: null, panMasked: null, hold: { holdId: 'h1', expiresAt: '2026-12-07T10:00:00.000Z', released: { minor: '1250', currency: 'EUR' } } }),
    );
    expect(entry).toMatchObject({ memo: true, type: 'hold.expired', lines: [] });
  });

  it('account.loaded credits the holder less the load fee; card.issued debits the creation fee', () => {
    const load = posting({
      schemaVersion: 1,
      eventId: 'load-evt',
      type: 'account.loaded',
      occurredAt: '2026-11-22T10:00:00.000Z',
      accountId: 'acc1',
      loadId: 'load_1',
      amount: { minor: '10000', currency: 'EUR' },
      method: 'card',
      fees: [{ type: 'load', amount: { minor: '50', currency: 'EUR' } }],
      balances: {},
    });
    expect(lines(load)).toEqual([
      ['load-funding:EUR', 10000n],
      ['cardholder:acc1:EUR', -10000n],
      ['cardholder:acc1:EUR', 50n],
      ['fee-income:load:EUR', -50n],
    ]);
    const issued = posting({
      schemaVersion: 1,
      eventId: 'card-evt',
      type: 'card.issued',
      occurredAt: '2026-11-22T10:00:00.000Z',
      accountId: 'acc1',
      cardId: 'crd_1',
      fees: [{ type: 'card-creation', amount: { minor: '1000', currency: 'EUR' } }],
    });
    expect(lines(issued)).toEqual([
      ['cardholder:acc1:EUR', 1000n],
      ['fee-income:card-creation:EUR', -1000n],
    ]);
  });

  it('fee.charged debits what was taken per fee line, on the charge day; nothing taken is a memo with the shortfall', () => {
    const eur = (minor: string) => ({ minor, currency: 'EUR' });
    const event = {
      schemaVersion: 1,
      eventId: 'fee-charged:acc1:1',
      type: 'fee.charged',
      occurredAt: '2026-12-16T08:00:00.000Z',
      accountId: 'acc1',
      period: { index: 1, chargeDate: '2026-12-15', billing: 'monthly' },
      due: [{ type: 'subscription', amount: eur('300') }, { type: 'account-management', amount: eur('250') }],
      fees: [{ type: 'subscription', amount: eur('300') }, { type: 'account-management', amount: eur('250') }],
      shortfall: eur('0'),
      balances: { ledger: eur('450'), available: eur('450') },
    };
    const charged = posting(event);
    expect(charged).toMatchObject({ type: 'fee.charged', memo: false, businessDate: '2026-12-15', transactionId: null });
    expect(lines(charged)).toEqual([
      ['cardholder:acc1:EUR', 300n],
      ['fee-income:subscription:EUR', -300n],
      ['cardholder:acc1:EUR', 250n],
      ['fee-income:account-management:EUR', -250n],
    ]);
    const nothing = posting({ ...event, fees: [], shortfall: eur('550') });
    expect(nothing).toMatchObject({ memo: true, lines: [], details: { shortfall: eur('550'), periodIndex: 1 } });
    expect(parseAuthorizationTopicEvent({ ...event, period: { index: 0, chargeDate: '2026-12-15' } })).toEqual({ ok: false, error: '/period/index must be an integer >= 1' });
  });

  it('refuses a message that is not the contract, naming the field', () => {
    expect(parseAuthorizationTopicEvent(decision({ amount: { minor: 12.5, currency: 'EUR' } }))).toEqual({ ok: false, error: '/amount/minor must be an integer string' });
    expect(parseAuthorizationTopicEvent(decision({ type: 'card.teleported' }))).toEqual({ ok: false, error: '/type "card.teleported" is not an event type settlement knows' });
    expect(parseAuthorizationTopicEvent(decision({ accountId: '{a:1}' }))).toEqual({ ok: false, error: '/accountId is missing or malformed' });
    expect(parseAuthorizationTopicEvent(decision({ type: 'hold.expired', hold: null }))).toEqual({ ok: false, error: '/hold of hold.expired must name the hold and what it released' });
  });

  it('the business day is the Paris calendar day of the event', () => {
    expect(businessDateOf('2026-11-22T22:59:59.999Z')).toBe('2026-11-22');
    expect(businessDateOf('2026-11-22T23:00:00.000Z')).toBe('2026-11-23');
    expect(businessDateOf('2026-07-01T21:59:00.000Z')).toBe('2026-07-01');
  });
});
