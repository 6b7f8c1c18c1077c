import { IsoMessage } from '@lib/iso8583';
import { renderSummary } from './render-summary';
import { percentile, RunStats, summariseLatencies } from './run-stats';

function message(mti: string, fields: Record<number, string>): IsoMessage {
  return new IsoMessage(mti, new Map(Object.entries(fields).map(([k, v]) => [Number(k), v])));
}

describe('run statistics and summary', () => {
  it('computes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(summariseLatencies([5, 1, 3])).toEqual({ count: 3, p50: 3, p95: 5, p99: 5, max: 5 });
    expect(summariseLatencies([])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });

  it('adds fees in the wallet currency (51, or 49 without conversion) and FX from fields 6 / 51', () => {
    const stats = new RunStats();
    const usd = message('0100', { 4: '000000010000', 49: '840' });
    stats.responseReceived(usd, message('0110', { 4: '000000010000', 6: '000000008634', 10: '70863487', 28: 'D00000233', 39: '00', 51: '978' }), 'travel', 2);
    const gbp = message('0100', { 4: '000000002000', 49: '826' });
    stats.responseReceived(gbp, message('0110', { 28: 'D00000150', 39: '00' }), 'travel', 4);
    stats.responseReceived(message('0100', { 4: '000000001000', 49: '978' }), message('0110', { 39: '51', 28: 'D00000015' }), 'everyday', 9);
    const s = stats.summary(meta());
    expect(s.feesMinor).toEqual({ EUR: '248', GBP: '150' });
    expect(s.feeMessages).toBe(3);
    expect(s.fx).toEqual({ 'USD->EUR': { count: 1, transactionMinor: '10000', billingMinor: '8634' } });
    expect(s.codes).toEqual({ '00': { '0100': 2 }, '51': { '0100': 1 } });
    expect(s.codesByFamily).toEqual({ everyday: { '51': 1 }, travel: { '00': 2 } });
    expect(s.latencyMs.max).toBe(9);
  });

  it('counts expectations and keeps the first mismatches', () => {
    const stats = new RunStats();
    stats.expectation(['00'], '00', { family: 'everyday', behaviour: 'pos-purchase', mti: '0100' });
    stats.expectation(['57'], '00', { family: 'bnpl', behaviour: 'bnpl-plan:after-revocation', mti: '0100' });
    stats.expectation(null, '51', { family: 'bnpl', behaviour: 'bnpl-plan:instalment', mti: '0100' });
    const s = stats.summary(meta());
    expect(s.expectations).toEqual({ checked: 2, met: 1, mismatches: 1, examples: [{ family: 'bnpl', behaviour: 'bnpl-plan:after-revocation', mti: '0100', expected: ['57'], got: '00' }] });
  });

  it('renders a readable summary with code meanings, fees, FX, latency and reconciliation', () => {
    const stats = new RunStats();
    stats.messageSent('0100');
    stats.messageSent('0420');
    stats.responseReceived(message('0100', { 4: '000000010000', 49: '840' }), message('0110', { 6: '000000008634', 28: 'D00000233', 39: '00', 51: '978' }), 'travel', 3.2);
    stats.responseReceived(message('0420', { 4: '000000010000', 49: '840' }), message('0430', { 39: '00' }), 'network', 1.1);
    stats.expectation(['75'], '55', { family: 'bad-actor', behaviour: 'wrong-pin', mti: '0100' });
    stats.retries.sent = 2;
    stats.retries.identical = 2;
    stats.clearingFiles.push({ fileId: 'CLR-20261124-12345', processingDate: '2026-11-24', records: 3, path: null, outcome: 'accepted 3, rejected 0', rejected: [] });
    stats.note('the settlement app has no GET /v1/reconciliation yet');
    const text = renderSummary(stats.summary({ ...meta(), reconciliation: { status: 'ok', detail: '2 accounts of this run checked' } }));
    expect(text).toContain('0100  authorisation');
    expect(text).toContain('0420  reversal advice');
    expect(text).toMatch(/00 +approved +2 +0100: 1, 0420: 1/);
    expect(text).toContain('fees charged: 2.33 EUR on 1 messages');
    expect(text).toContain('USD->EUR  1 conversions  100.00 USD -> 86.34 EUR');
    expect(text).toContain('latency: p50 1.10 ms');
    expect(text).toContain('expected 75, got 55 (incorrect PIN)');
    expect(text).toContain('retries (same MTI, 32, 11, 7): 2 sent, 2 identical answers, 0 different');
    expect(text).toContain('CLR-20261124-12345 (2026-11-24): 3 records -> accepted 3, rejected 0');
    expect(text).toContain('reconciliation (settlement GET /v1/reconciliation): ok');
    expect(text).toContain('- the settlement app has no GET /v1/reconciliation yet');
  });
});

function meta() {
  return {
    scenario: 'test',
    seed: 1,
    driver: 'tcp',
    clock: 'real',
    realSeconds: 2,
    simulatedFrom: '2026-11-23T00:00:00.000Z',
    simulatedTo: '2026-11-23T00:01:00.000Z',
    cardholdersPlanned: 2,
    cardholdersProvisioned: 2,
    holds: { leftToExpire: 0, expired: 0, stillOpen: 0, notChecked: 0 },
    reconciliation: { status: 'skipped' as const, detail: '' },
  };
}
