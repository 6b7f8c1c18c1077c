import { join } from 'path';
import type { ClearingRecordEvent } from '@lib/clearing';
import { findRepoRoot } from '@lib/config';
import { encodeAuthorizationEvent, validateLedgerPostingEvent } from '@lib/events';
import {
  authorizationTopicPosting,
  clearingRecordPosting,
  EntryDraft,
  NOTHING_CLEARED,
  parseAuthorizationTopicEvent,
  PostedEntry,
} from '@lib/ledger';
import { loadProgramCatalogue } from '@lib/programs';
import { HoldRecord, transactionFromHash } from '@lib/store';
import { decisionEntry, holdExpiredEntry, sampleRecord } from '../../../../libs/events/src/testing/event-samples';
import { encodePostings, postingEvent } from './postings';

/**
 * `ledger.postings` events (http-and-events.md) against their schema
 * (libs/events/schemas/ledger.postings.v1.schema.json): built from entries the real posting rules
 * make out of real events, they validate; a malformed one is refused with the path at fault.
 */
const catalogue = loadProgramCatalogue(join(findRepoRoot(), 'config'));

/** A card.authorizations event as the relay encodes it, through the ledger's posting rule. */
function authorizationEntry(fields: Record<string, string>): EntryDraft {
  const encoded = encodeAuthorizationEvent('acc-1', fields);
  if (!encoded.ok) throw new Error(`sample event invalid: ${encoded.reason}`);
  const parsed = parseAuthorizationTopicEvent(JSON.parse(encoded.json));
  if (!parsed.ok) throw new Error(`sample event not parsed: ${parsed.error}`);
  const entry = authorizationTopicPosting(parsed.value);
  if (!entry) throw new Error('sample event posts nothing');
  return entry;
}

/** A back-office load as the ledger consumes it (money lines: funding against the holder). */
function loadEntry(): EntryDraft {
  const load = { schemaVersion: 1, eventId: 'load-evt-1', type: 'account.loaded', occurredAt: '2026-11-23T09:00:00.000Z', accountId: 'acc-1', loadId: 'load_1', amount: { minor: '10000', currency: 'EUR' }, method: 'sepa-transfer', fees: [] };
  const parsed = parseAuthorizationTopicEvent(load);
  if (!parsed.ok) throw new Error(`sample load not parsed: ${parsed.error}`);
  return authorizationTopicPosting(parsed.value)!;
}

const TI = '123456789012345';

function clearingEvent(known: boolean): ClearingRecordEvent {
  return {
    schemaVersion: 1,
    eventId: 'CLR-1-000001',
    type: 'presentment',
    occurredAt: '2026-11-23T09:00:00.000Z',
    fileId: 'CLR-1',
    recordId: 'CLR-1-000001',
    line: 2,
    processingDate: '2026-11-23',
    accountId: known ? 'acc-1' : null,
    cardId: known ? 'crd-1' : null,
    panMasked: '499999******0007',
    transactionId: known ? TI : null,
    authCode: known ? 'A1B2C3' : null,
    amount: { minor: '1250', currency: 'EUR' },
    mcc: '5411',
    merchant: { id: 'M1', name: 'SHOP', country: 'FR' },
    acquirerId: '12345678',
    final: true,
  };
}

/** A presentment matched to its open hold (clearing.md): the holder is debited. */
function matchedPresentmentEntry(): EntryDraft {
  const hold: HoldRecord = { holdId: 'h1', transactionId: TI, cardId: 'crd-1', currency: 'EUR', amountMinor: 1250, remainingMinor: 1250, feesMinor: 0, openedAt: 0, expiresAt: 1, kind: 'authorisation' };
  const transaction = transactionFromHash(TI, { messageKey: 'k', status: 'held', holdId: 'h1', wallet: 'EUR', kind: 'purchase', billedMinor: '1250', feesMinor: '0', version: '1' });
  const program = catalogue.programs.get('eur-standard');
  return clearingRecordPosting({ event: clearingEvent(true), program, rates: catalogue.rates, transaction, hold, cleared: NOTHING_CLEARED, available: new Map() }).entry;
}

function presentmentEntry(): EntryDraft {
  const event = clearingEvent(false);
  // An unknown card: the record is posted to suspense (a house-only entry, no account).
  return clearingRecordPosting({ event, program: undefined, rates: catalogue.rates, transaction: undefined, hold: undefined, cleared: NOTHING_CLEARED, available: new Map() }).entry;
}

const posted = (entry: EntryDraft, entryId = '42'): PostedEntry => ({ entryId, postedAt: '2026-11-23T10:00:00.123Z', entry });

describe('ledger.postings events', () => {
  const samples: [string, () => EntryDraft][] = [
    ['an approved purchase (a memo: the hold it opened)', () => authorizationEntry(decisionEntry(sampleRecord('acc-1', 'evt-1')))],
    ['a hold expiry (a memo)', () => authorizationEntry(holdExpiredEntry())],
    ['an account load (money lines)', loadEntry],
    ['a presentment matched to its hold (money lines, TI)', matchedPresentmentEntry],
    ['a clearing record of an unknown card (suspense, house only)', presentmentEntry],
  ];

  it.each(samples)('a posting of %s validates against the schema', (_name, make) => {
    const entry = make();
    const event = postingEvent(posted(entry));
    expect(validateLedgerPostingEvent(event)).toEqual({ valid: true });
    const { messages, invalid } = encodePostings([posted(entry)]);
    expect(invalid).toEqual([]);
    expect(messages).toHaveLength(1);
    expect(messages[0].key).toBe(entry.accountId ?? 'house');
    expect(messages[0].headers).toEqual({ eventId: 'posting-42', type: 'ledger.posted', schemaVersion: '1' });
  });

  it('the suspense posting keeps what ops filter on (match, file, masked PAN)', () => {
    const event = postingEvent(posted(presentmentEntry()));
    expect(event.summary).toMatchObject({ match: 'suspense', fileId: 'CLR-1', recordId: 'CLR-1-000001', panMasked: '499999******0007' });
  });

  it('refuses a malformed posting with the path at fault, and never encodes it', () => {
    const entry = matchedPresentmentEntry();
    expect(entry.lines.length).toBeGreaterThan(0);
    const unbalancedZero: EntryDraft = { ...entry, lines: [{ ...entry.lines[0], amountMinor: 0n }, ...entry.lines.slice(1)] };
    expect(validateLedgerPostingEvent(postingEvent(posted(unbalancedZero)))).toEqual({ valid: false, errors: ['/lines/0/amount/minor must match pattern "^-?[1-9][0-9]{0,18}$"'] });
    const fullPan: EntryDraft = { ...entry, details: { ...entry.details, panMasked: '4999990000000001' } };
    const { messages, invalid } = encodePostings([posted(fullPan, '7'), posted(entry, '8')]);
    expect(messages.map((m) => JSON.parse(String(m.value)).entryId)).toEqual(['8']);
    expect(invalid).toEqual([{ posted: posted(fullPan, '7'), eventId: 'posting-7', reason: expect.stringContaining('/summary/panMasked must match pattern') }]);
    // The reason names the rule, never the value (it could be the very card data refused).
    expect(invalid[0].reason).not.toContain('4999990000000001');
    expect(validateLedgerPostingEvent({ ...postingEvent(posted(entry)), extra: 1 }).valid).toBe(false);
    expect(validateLedgerPostingEvent({ ...postingEvent(posted(entry)), memo: true }).valid).toBe(false);
  });
});
