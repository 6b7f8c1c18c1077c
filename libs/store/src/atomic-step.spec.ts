import { AtomicStepPlan, encodePlan, Op } from './atomic-step';

/** The token layout atomic-step.lua reads (its header documents it); the int-spec runs it for real. */
describe('encodePlan', () => {
  const tiWrite: Op = {
    type: 'hset',
    key: 7,
    values: { status: 'declined', version: 1 },
    expireAt: 1_800_000_000_000.4,
  };

  it('lays out dedupe, expectations, checks, the op table, the lists, report and publish in order', () => {
    const plan: AtomicStepPlan = {
      dedupe: { key: 5, ttlMs: 86_400_000 },
      expect: [{ key: 6, field: 'version', value: '3' }],
      checks: [
        { name: 'reused', type: 'absent', key: 7, field: 'messageKey' },
        { name: 'count', type: 'bump', key: 8, by: 1, max: 20, move: false },
        { name: 'week', type: 'bumpSum', keys: [9, 10], by: 500, max: 100_000, expireAt: 1_800_000_000_000 },
        {
          name: 'funds',
          type: 'hbump',
          key: 1,
          field: 'EUR:avail',
          by: -500,
          min: 0,
          stale: true,
          move: false,
        },
        { name: 'tx', type: 'const', pass: false },
      ],
      onApprove: [{ type: 'hbump', key: 1, field: 'EUR:avail', by: -500 }],
      onDecline: { funds: [{ type: 'post', currency: 'EUR', by: -15, covered: true }, tiWrite], reused: [] },
      onDeclineOther: [tiWrite],
      report: [{ key: 1, field: 'EUR:avail' }],
    };
    // prettier-ignore
    expect(encodePlan(plan)).toEqual([
      '5', '86400000',
      '1', '6', 'version', '3',
      '5',
      'a', 'reused', '', '7', 'messageKey',
      'b', 'count', 'n', '8', '1', '20', '',
      'S', 'week', '', '2', '9', '10', '500', '100000', '1800000000000',
      'h', 'funds', 'sn', '1', 'EUR:avail', '-500', '0', '',
      'c', 'tx', '', '0',
      // the op table: the write shared by two declines is sent once
      '3',
      'h', '1', 'EUR:avail', '-500', '', '',
      'H', '7', '1800000000000', '2', 'status', 'declined', 'version', '1',
      'p', 'EUR', '-15', '1',
      '1', '1', // onApprove
      '1', '2', // onDeclineOther
      '2', 'funds', '2', '3', '2', 'reused', '0', // onDecline
      '0', // always
      '1', '1', 'EUR:avail', // report
      '1', // publish
      '0', // decline texts
    ]);
  });

  it('appends the decline texts, by check name, after publish', () => {
    expect(encodePlan({ declineTexts: { funds: '"funds":{"r":"51"}', reused: '"reused":{"r":"94"}' } }).slice(-5)).toEqual([
      '2',
      'funds',
      '"funds":{"r":"51"}',
      'reused',
      '"reused":{"r":"94"}',
    ]);
  });

  it('encodes an empty plan (no dedupe, nothing published) and the hold ops', () => {
    const hold = {
      holdId: 'h1',
      transactionId: 't',
      cardId: 'c',
      currency: 'EUR',
      amountMinor: 10,
      remainingMinor: 10,
      feesMinor: 0,
      openedAt: 1,
      expiresAt: 2,
      kind: 'authorisation',
    };
    expect(encodePlan({ publish: false })).toEqual(['', '', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0']);
    const always: Op[] = [
      { type: 'hold', hold },
      { type: 'release', holdId: 'h1', close: true },
      { type: 'grow', holdId: 'h1', by: 5 },
      { type: 'hdel', key: 6, field: 'f' },
    ];
    // prettier-ignore
    expect(encodePlan({ always })).toEqual([
      '', '', '0', '0',
      '4', 'o', 'h1', '2', JSON.stringify(hold), 'r', 'h1', '', '1', 'g', 'h1', '5', '', 'd', '6', 'f',
      '0', '0', '0', '4', '1', '2', '3', '4', '0', '1', '0',
    ]);
  });
});
