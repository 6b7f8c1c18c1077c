import { findCardData } from '@lib/events';
import { decisionEntry, holdExpiredEntry, sampleRecord } from '../../events/src/testing/event-samples';
import { backoffMs } from './backoff';
import { AccountWork, chunkBySize, OutboxEntry, planAccountWork } from './relay-batch';
import { accountIdOfOutboxKey, relayKeys } from './relay-keys';
import { nextStreamId, streamIdMs } from './stream-ids';

const ACCOUNT = 'acct-1';
const CONTEXT = {
  topic: 'card.authorizations',
  relayId: 'relay-test',
  nowMs: Date.UTC(2026, 10, 22, 12, 0, 0),
};
const PAN = '4111111111111111';

let nextId = 1;
function entry(fields: Record<string, string>): OutboxEntry {
  return { id: `1763805600000-${nextId++}`, fields };
}
const good = (eventId: string) => entry(decisionEntry(sampleRecord(ACCOUNT, eventId)));
const withPan = (eventId: string) =>
  entry(
    decisionEntry(
      sampleRecord(ACCOUNT, eventId, { merchant: { id: 'M1', name: `PAY ${PAN}`, country: 'FR' } }),
    ),
  );

type Deliver = Extract<AccountWork, { kind: 'deliver' }>;
type Dead = Extract<AccountWork, { kind: 'dead-letter' }>;

describe('planAccountWork: the leading run of one kind, in outbox order', () => {
  it('delivers valid entries in order, keyed by account, with eventId and type headers', () => {
    const entries = [good('e1'), entry(holdExpiredEntry()), good('e3')];
    const work = planAccountWork(ACCOUNT, entries, 1 << 20, CONTEXT) as Deliver;
    expect(work.kind).toBe('deliver');
    expect(work.lastEntryId).toBe(entries[2].id);
    expect(work.messages.map((m) => m.headers.eventId)).toEqual(['e1', 'hold-expired:acct-1:hold-1', 'e3']);
    expect(work.messages.map((m) => m.headers.type)).toEqual([
      'authorization.approved',
      'hold.expired',
      'authorization.approved',
    ]);
    expect(work.messages.every((m) => m.key === ACCOUNT)).toBe(true);
    expect(work.oldestEntryMs).toBe(1763805600000);
  });

  it('stops before a bad entry that follows valid ones (it leads the next turn)', () => {
    const entries = [good('e1'), withPan('e2'), good('e3')];
    const work = planAccountWork(ACCOUNT, entries, 1 << 20, CONTEXT) as Deliver;
    expect(work.messages.map((m) => m.headers.eventId)).toEqual(['e1']);
    expect(work.lastEntryId).toBe(entries[0].id);
  });

  it('dead-letters the leading bad entries, with the reason and their content redacted', () => {
    const entries = [withPan('e1'), entry({ kind: 'coffee' }), good('e3')];
    const work = planAccountWork(ACCOUNT, entries, 1 << 20, CONTEXT) as Dead;
    expect(work.kind).toBe('dead-letter');
    expect(work.lastEntryId).toBe(entries[1].id);
    const [first, second] = work.deadLetters.map((d) => JSON.parse(d.payload));
    expect(first).toMatchObject({
      accountId: ACCOUNT,
      entryId: entries[0].id,
      eventId: 'e1',
      stage: 'card-data',
      reason: 'card data found at /merchant/name (pan)',
      topic: 'card.authorizations',
      deadAt: '2026-11-22T12:00:00.000Z',
    });
    expect(first.entry.decision.record.merchant.name).toBe('PAY 411111******1111');
    expect(first.entry.decision.record.eventId).toBe('e1');
    expect(work.deadLetters[0].payload).not.toContain(PAN);
    expect(findCardData(JSON.parse(work.deadLetters[0].payload))).toEqual([]);
    expect(second).toMatchObject({
      stage: 'build',
      reason: 'unknown outbox entry kind "coffee"',
      eventId: null,
      entry: { kind: 'coffee' },
    });
  });

  it('keeps under the byte budget, but always takes at least one entry', () => {
    const entries = [good('e1'), good('e2'), good('e3')];
    const one = Buffer.byteLength(
      (planAccountWork(ACCOUNT, entries.slice(0, 1), 1 << 20, CONTEXT) as Deliver).messages[0].value,
    );
    expect(
      (planAccountWork(ACCOUNT, entries, 2 * one + 2 * ACCOUNT.length, CONTEXT) as Deliver).messages,
    ).toHaveLength(2);
    expect((planAccountWork(ACCOUNT, entries, 1, CONTEXT) as Deliver).messages).toHaveLength(1);
  });

  it('has nothing to do for an empty outbox', () => {
    expect(planAccountWork(ACCOUNT, [], 1 << 20, CONTEXT)).toBeNull();
  });
});

describe('chunkBySize', () => {
  const work = (accountId: string, bytes: number): Deliver => ({
    kind: 'deliver',
    accountId,
    lastEntryId: '1-1',
    messages: [],
    bytes,
    oldestEntryMs: 1,
  });
  it('groups whole accounts into sends under the budget, in order', () => {
    const chunks = chunkBySize(
      [work('a', 400), work('b', 500), work('c', 200), work('d', 900), work('e', 50)],
      1000,
    );
    expect(chunks.map((c) => c.map((w) => w.accountId))).toEqual([['a', 'b'], ['c'], ['d', 'e']]);
    expect(chunkBySize([work('big', 5000)], 1000)).toHaveLength(1);
    expect(chunkBySize([], 1000)).toEqual([]);
  });
});

describe('stream ids, keys, backoff', () => {
  it('trims up to and including an id: the threshold is the next id', () => {
    expect(nextStreamId('1763805600000-0')).toBe('1763805600000-1');
    expect(nextStreamId('1-18446744073709551614')).toBe('1-18446744073709551615');
    expect(streamIdMs('1763805600000-7')).toBe(1763805600000);
    expect(() => nextStreamId('abc')).toThrow('not a stream id');
  });

  it('reads the account of an outbox key, and nothing else', () => {
    expect(accountIdOfOutboxKey(relayKeys.outbox('acct_9-x'))).toBe('acct_9-x');
    expect(accountIdOfOutboxKey('{a:acct}:holds')).toBeNull();
    expect(accountIdOfOutboxKey('outbox:pending')).toBeNull();
  });

  it('backs off exponentially with jitter, up to the cap', () => {
    const noJitter = () => 1;
    expect([0, 1, 2, 3, 10, 100].map((n) => backoffMs(n, 100, 5000, noJitter))).toEqual([
      0, 100, 200, 400, 5000, 5000,
    ]);
    expect(backoffMs(1, 100, 5000, () => 0)).toBe(80);
  });
});
