import {
  AuthorizationEvent,
  CardAuthorizationsEvent,
  ExpiringHold,
  holdExpiredEventId,
  toAuthorizationEvent,
} from './authorization-event';
import type { DecisionRecord } from './decision-record';
import { encodeAuthorizationEvent } from './encode-authorization-event';
import { validateEvent } from './event-validator';
import { buildFeeChargedEvent, feeChargedEventId } from './fee-charged-event';
import {
  decisionEntry,
  holdExpiredEntry,
  sampleHold,
  sampleRecord,
  SAMPLE_NOW_MS,
} from './testing/event-samples';

const ACCOUNT = 'acct-1';

function builtAny(fields: Record<string, string>, accountId = ACCOUNT): CardAuthorizationsEvent {
  const result = toAuthorizationEvent(accountId, fields);
  if (!result.ok) throw new Error(`expected an event, got: ${result.reason}`);
  return result.event;
}

const built = (fields: Record<string, string>, accountId = ACCOUNT) =>
  builtAny(fields, accountId) as AuthorizationEvent;

function expectValid(event: CardAuthorizationsEvent): void {
  expect(validateEvent(event)).toEqual({ valid: true });
}

describe('toAuthorizationEvent: every event type of card.authorizations from an outbox entry', () => {
  it('authorization.approved: the record, the approval, the hold and the balances the step reported', () => {
    const record = sampleRecord(ACCOUNT, 'evt-approved');
    const event = built(decisionEntry(record, { declined: false, report: ['100000', '98761'] }));
    expectValid(event);
    expect(event).toMatchObject({
      schemaVersion: 1,
      eventId: 'evt-approved',
      type: 'authorization.approved',
      occurredAt: '2026-11-22T10:00:00.000Z',
      accountId: ACCOUNT,
      panMasked: '499999******0001',
      responseCode: '00',
      authCode: 'A1B2C3',
      declineReason: null,
      fees: [{ type: 'foreign-payment', amount: { minor: '68', currency: 'EUR' } }],
      hold: { holdId: 'hold-evt-approved', expiresAt: '2026-11-29T10:00:00.000Z', released: null },
      holdEffect: { effect: 'opened', amountMinor: '1239' },
      balancesAfter: {
        ledger: { minor: '100000', currency: 'EUR' },
        available: { minor: '98761', currency: 'EUR' },
      },
      fx: { rate: '0.9213000000000001', markupPercent: '2' },
    });
  });

  it('authorization.declined: the decline the failed check names, its fees, no hold', () => {
    const event = built(
      decisionEntry(sampleRecord(ACCOUNT, 'evt-declined'), { declined: 'funds', report: ['985', '85'] }),
    );
    expectValid(event);
    expect(event).toMatchObject({
      type: 'authorization.declined',
      responseCode: '51',
      declineReason: 'insufficient-funds',
      fees: [{ type: 'decline', amount: { minor: '15', currency: 'EUR' } }],
      hold: null,
      holdEffect: null,
      approvedAmount: null,
      authCode: null,
      balancesAfter: { ledger: { minor: '985' }, available: { minor: '85' } },
    });
  });

  it('authorization.declined: a decline decided before the step wins over the outcome', () => {
    const record = sampleRecord(ACCOUNT, 'evt-predeclined', {
      predeclined: { reason: 'card-lost', responseCode: '41', fees: [] },
    });
    const event = built(decisionEntry(record, { declined: false, report: ['1000', '1000'] }));
    expectValid(event);
    expect(event).toMatchObject({
      type: 'authorization.declined',
      responseCode: '41',
      declineReason: 'card-lost',
      fees: [],
    });
  });

  it.each<[DecisionRecord['approved']['type'], Partial<DecisionRecord['approved']>, string]>([
    ['advice.applied', { standIn: { responseCode: '00', authCode: 'STAND1', applied: true } }, '0120'],
    [
      'reversal.applied',
      {
        hold: null,
        holdEffect: {
          holdId: 'h9',
          currency: 'EUR',
          effect: 'reversed',
          amountMinor: '1239',
          remainingMinor: '0',
        },
        reversal: { target: 'transaction', remainsMinor: '0', reversedMinor: '1250', state: 'applied' },
      },
      '0400',
    ],
    [
      'completion.applied',
      {
        holdEffect: {
          holdId: 'h9',
          currency: 'EUR',
          effect: 'cleared',
          amountMinor: '200',
          remainingMinor: '0',
        },
        posted: { minor: '-1039', currency: 'EUR' },
        lateAfterExpiry: true,
      },
      '0220',
    ],
  ])('%s: the approved record under its own type', (type, approvedOverrides, mti) => {
    const base = sampleRecord(ACCOUNT, `evt-${type}`);
    const record = sampleRecord(ACCOUNT, `evt-${type}`, {
      mti,
      approved: { ...base.approved, ...approvedOverrides, type },
    });
    const event = built(decisionEntry(record));
    expectValid(event);
    expect(event.type).toBe(type);
    expect(event.mti).toBe(mti);
    expect(event.standIn).toEqual(approvedOverrides.standIn ?? null);
    expect(event.reversal).toEqual(approvedOverrides.reversal ?? null);
    expect(event.posted).toEqual(approvedOverrides.posted ?? null);
    expect(event.flags.lateAfterExpiry).toBe(approvedOverrides.lateAfterExpiry === true);
  });

  it('hold.expired: the hold, what it released, the balances after, and an eventId fixed by the hold', () => {
    const fields = holdExpiredEntry(sampleHold('hold-42'), SAMPLE_NOW_MS + 15 * 86_400_000 + 500);
    const event = built(fields);
    expectValid(event);
    expect(event).toMatchObject({
      eventId: 'hold-expired:acct-1:hold-42',
      type: 'hold.expired',
      occurredAt: '2026-12-07T10:00:00.500Z',
      cardId: 'card-1',
      panMasked: null,
      transactionId: '123456789012345',
      mti: null,
      responseCode: null,
      amount: { minor: '3000', currency: 'EUR' },
      hold: {
        holdId: 'hold-42',
        expiresAt: '2026-12-07T10:00:00.000Z',
        released: { minor: '2500', currency: 'EUR' },
      },
      balancesAfter: {
        ledger: { minor: '100000', currency: 'EUR' },
        available: { minor: '100000', currency: 'EUR' },
      },
      context: { holdKind: 'pre-authorisation' },
    });
    // A replayed entry (relayed twice, or re-read) gives the same eventId: consumers dedupe it.
    expect(built({ ...fields, at: String(Number(fields.at) + 60_000) }).eventId).toBe(event.eventId);
    expect(holdExpiredEventId(ACCOUNT, 'hold-42')).toBe(event.eventId);
  });

  it('hold.expired: the card, MTI, processing code and merchant of the authorisation that opened the hold, as the hold kept them', () => {
    const hold: ExpiringHold = {
      ...sampleHold('hold-43'),
      panMasked: '497010******0019',
      mti: '0100',
      processingCode: '000000',
      mcc: '7011',
      merchant: { id: 'HOTEL0000000001', name: 'HOTEL DU LAC', country: 'FR' },
      amount: { minor: '3500', currency: 'USD' },
      billing: { minor: '3000', currency: 'EUR' },
      fx: { rate: '0.8571428', markupPercent: '2' },
    };
    // As Lua's cjson re-encodes a hold it grew or partly released: the same fields.
    const event = built(holdExpiredEntry(hold));
    expectValid(event);
    expect(event).toMatchObject({
      type: 'hold.expired',
      panMasked: '497010******0019',
      mcc: '7011',
      merchant: { id: 'HOTEL0000000001', name: 'HOTEL DU LAC', country: 'FR' },
      mti: '0100',
      processingCode: '000000',
      amount: { minor: '3500', currency: 'USD' },
      billing: { minor: '3000', currency: 'EUR' },
      fx: { rate: '0.8571428', markupPercent: '2' },
      context: { holdKind: 'pre-authorisation' },
    });
    // A merchant without a name (cjson writes null) stays null.
    const withoutName: ExpiringHold = {
      ...hold,
      merchant: { id: 'HOTEL0000000001', name: null, country: null },
    };
    const unnamed = built(holdExpiredEntry(withoutName));
    expectValid(unnamed);
    expect(unnamed.merchant).toEqual({ id: 'HOTEL0000000001', name: null, country: null });
  });

  it('hold.expired of a hold opened before holds kept their original: the card, message and merchant fields are null', () => {
    const event = built(holdExpiredEntry(sampleHold('hold-44')));
    expectValid(event);
    expect(event).toMatchObject({
      panMasked: null,
      mti: null,
      processingCode: null,
      mcc: null,
      merchant: { id: null, name: null, country: null },
    });
    expect(event.context).toEqual({ holdKind: 'pre-authorisation' });
  });
});

describe('toAuthorizationEvent: back-office events of the same outbox, published as built', () => {
  const eur = (minor: string) => ({ minor, currency: 'EUR' });
  const loaded = {
    schemaVersion: 1,
    eventId: 'evt-load',
    type: 'account.loaded',
    occurredAt: '2026-11-22T10:00:00.000Z',
    accountId: ACCOUNT,
    loadId: 'load-1',
    amount: eur('1000'),
    method: 'sepa-transfer',
    fees: [],
    balances: { ledger: eur('1000'), available: eur('1000') },
  };
  const issued = {
    schemaVersion: 1,
    eventId: 'evt-card',
    type: 'card.issued',
    occurredAt: '2026-11-22T10:00:00.000Z',
    accountId: ACCOUNT,
    cardId: 'card_1',
    form: 'virtual',
    state: 'active',
    panMasked: '499999******0001',
    expiry: '2911',
    fees: [{ type: 'card-creation', amount: eur('500') }],
    balances: { ledger: eur('500'), available: eur('500') },
  };
  const feeCharged = buildFeeChargedEvent({
    accountId: ACCOUNT,
    occurredAt: '2026-12-14T23:00:00.000Z',
    period: { index: 1, chargeDate: '2026-12-15', billing: 'monthly' },
    due: [{ type: 'subscription', amount: eur('300') }, { type: 'account-management', amount: eur('250') }],
    fees: [{ type: 'subscription', amount: eur('300') }, { type: 'account-management', amount: eur('100') }],
    shortfall: eur('150'),
    balances: { ledger: eur('0'), available: eur('0') },
  });
  const entryOf = (event: object, declined: string | false = false) => ({
    kind: 'decision',
    decision: JSON.stringify({ record: { event }, outcome: { declined, report: [] } }),
    at: '1',
  });

  it.each([
    ['account.loaded', loaded],
    ['card.issued', issued],
    ['fee.charged', feeCharged],
  ])('%s: the event itself, schema-valid', (_type, event) => {
    const result = builtAny(entryOf(event));
    expect(result).toEqual(event);
    expectValid(result);
  });

  it('fee.charged: a deterministic eventId per account and period; the schema refuses a malformed period or an extra field', () => {
    expect(feeCharged.eventId).toBe(feeChargedEventId(ACCOUNT, 1));
    expect(validateEvent({ ...feeCharged, period: { ...feeCharged.period, index: 0 } }).valid).toBe(false);
    expect(validateEvent({ ...feeCharged, period: { ...feeCharged.period, chargeDate: '15/12/2026' } }).valid).toBe(false);
    expect(validateEvent({ ...feeCharged, pan: '4999990000000001' }).valid).toBe(false);
    const { shortfall: _dropped, ...withoutShortfall } = feeCharged;
    expect(validateEvent(withoutShortfall).valid).toBe(false);
  });

  it('refuses a back-office event that is not what the schema says, or not of this account, or of a step that did not apply', () => {
    expect(validateEvent({ ...loaded, method: 'cash' })).toEqual({
      valid: false,
      errors: ['/method must be equal to one of the allowed values'],
    });
    expect(validateEvent({ ...issued, pan: '4999990000000001' })).toMatchObject({
      valid: false,
      errors: ['/ must NOT have additional properties'],
    });
    expect(validateEvent({ ...issued, type: 'card.cloned' })).toMatchObject({
      valid: false,
      errors: ['/type must be equal to one of the allowed values'],
    });
    expect(toAuthorizationEvent('acct-2', entryOf(loaded))).toEqual({
      ok: false,
      reason: 'back-office event accountId differs from its outbox account',
    });
    expect(toAuthorizationEvent(ACCOUNT, entryOf(loaded, 'limit'))).toEqual({
      ok: false,
      reason: 'back-office event of a step that did not apply',
    });
  });
});

describe('toAuthorizationEvent: a malformed entry is a reason, never an exception', () => {
  const good = decisionEntry(sampleRecord(ACCOUNT, 'evt-1'));
  it.each<[string, Record<string, string>, string, RegExp]>([
    ['an unknown kind', { ...good, kind: 'coffee' }, ACCOUNT, /unknown outbox entry kind "coffee"/],
    ['no decision field', { kind: 'decision' }, ACCOUNT, /lacks field decision/],
    [
      'a decision that is not JSON',
      { ...good, decision: '{"record":' },
      ACCOUNT,
      /field decision is not JSON/,
    ],
    ['a record of another account', good, 'acct-2', /accountId differs/],
    [
      'a record of another version',
      decisionEntry({ ...sampleRecord(ACCOUNT, 'e'), v: 2 as 1 }),
      ACCOUNT,
      /version 2 is not 1/,
    ],
    [
      'no balances reported',
      decisionEntry(sampleRecord(ACCOUNT, 'e'), { declined: false, report: [] }),
      ACCOUNT,
      /report lacks/,
    ],
    [
      'a decline the record does not define',
      decisionEntry(sampleRecord(ACCOUNT, 'e'), { declined: 'limits', report: ['1', '1'] }),
      ACCOUNT,
      /no decline named limits/,
    ],
    [
      'a fractional hold amount',
      holdExpiredEntry({ ...sampleHold(), remainingMinor: 12.5 }),
      ACCOUNT,
      /hold.remainingMinor is not an integer amount/,
    ],
    ['a hold without an id', { ...holdExpiredEntry(), hold: '{"currency":"EUR"}' }, ACCOUNT, /lacks holdId/],
    [
      'an instant that is not epoch ms',
      { ...holdExpiredEntry(), at: 'yesterday' },
      ACCOUNT,
      /at is not an epoch-ms instant/,
    ],
  ])('%s', (_name, fields, accountId, reason) => {
    const result = toAuthorizationEvent(accountId, fields);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('validateEvent: the schema refuses what the contract forbids', () => {
  const approved = built(decisionEntry(sampleRecord(ACCOUNT, 'evt-s')));
  const expired = built(holdExpiredEntry());

  it.each<[string, AuthorizationEvent, RegExp]>([
    [
      'a clear PAN as panMasked',
      { ...approved, panMasked: '4999990000000001' },
      /\/panMasked must match pattern/,
    ],
    [
      'a masked PAN with letters',
      { ...approved, panMasked: '499999xxxxxx0001' },
      /\/panMasked must match pattern/,
    ],
    [
      'money as a decimal',
      { ...approved, amount: { minor: '12.50', currency: 'EUR' } },
      /\/amount\/minor must match pattern/,
    ],
    [
      'money with a lower-case currency',
      { ...approved, billing: { minor: '1', currency: 'eur' } },
      /\/billing/,
    ],
    [
      'a property the schema does not know',
      { ...approved, pan: '4999990000000001' } as AuthorizationEvent,
      /must NOT have additional properties/,
    ],
    [
      'a decline that keeps a hold',
      {
        ...approved,
        type: 'authorization.declined',
        declineReason: 'insufficient-funds',
        approvedAmount: null,
        authCode: null,
      },
      /\/hold must be null/,
    ],
    [
      'an approval without a response code',
      { ...approved, responseCode: null },
      /\/responseCode must be string/,
    ],
    [
      'an expired hold without what it released',
      { ...expired, hold: { ...expired.hold!, released: null } },
      /\/hold\/released must be object/,
    ],
    ['an expiry with a response code', { ...expired, responseCode: '00' }, /\/responseCode must be null/],
    ['a TI that is not n15', { ...approved, transactionId: '12345' }, /\/transactionId/],
    [
      'a local time',
      { ...approved, occurredAt: '2026-11-22T10:00:00+01:00' },
      /\/occurredAt must match pattern/,
    ],
    [
      'another schema version',
      { ...approved, schemaVersion: 2 as 1 },
      /\/schemaVersion must be equal to constant/,
    ],
  ])('%s', (_name, event, error) => {
    const result = validateEvent(event);
    expect(result.valid).toBe(false);
    if (!result.valid) {
      expect(result.errors.join('\n')).toMatch(error);
      // The errors name the rule and the path, never the value (it may be card data).
      expect(result.errors.join('\n')).not.toContain('4999990000000001');
    }
  });

  it('a missing required field', () => {
    const { balancesAfter: _omitted, ...withoutBalances } = approved;
    expect(validateEvent(withoutBalances)).toEqual({
      valid: false,
      errors: ["/ must have required property 'balancesAfter'"],
    });
  });
});

describe('encodeAuthorizationEvent: build, validate, refuse card data, serialise', () => {
  it('gives the JSON produced to Kafka', () => {
    const result = encodeAuthorizationEvent(ACCOUNT, decisionEntry(sampleRecord(ACCOUNT, 'evt-e')));
    expect(result.ok).toBe(true);
    if (result.ok) expect(JSON.parse(result.json)).toEqual(result.event);
  });

  it('names the stage that refused an entry', () => {
    expect(encodeAuthorizationEvent(ACCOUNT, { kind: 'nope' })).toMatchObject({
      ok: false,
      stage: 'build',
      eventId: null,
    });
    const badSchema = decisionEntry(sampleRecord(ACCOUNT, 'evt-bad', { mcc: 'grocery' }));
    expect(encodeAuthorizationEvent(ACCOUNT, badSchema)).toMatchObject({
      ok: false,
      stage: 'schema',
      eventId: 'evt-bad',
      reason:
        '/mcc must match pattern "^[0-9]{4}$"; /mcc must be null; /mcc must match exactly one schema in oneOf',
    });
    const withPan = decisionEntry(
      sampleRecord(ACCOUNT, 'evt-pan', {
        merchant: { id: 'M1', name: 'PAY 4111111111111111', country: 'FR' },
      }),
    );
    expect(encodeAuthorizationEvent(ACCOUNT, withPan)).toMatchObject({
      ok: false,
      stage: 'card-data',
      eventId: 'evt-pan',
      reason: 'card data found at /merchant/name (pan)',
    });
  });
});
