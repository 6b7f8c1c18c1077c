import { DECLINE_MARK } from '@lib/store';
import { sampleRecord } from '../../../events/src/testing/event-samples';
import { declineTextsOf, recordJsonWithMark, retryRecordOf } from './run-decision';

/** What the step stores: the record with the deciding check's decline at the mark (atomic-step.lua). */
const applied = (json: string, text: string) => JSON.parse(json.replace(DECLINE_MARK, text));

describe('records sent to the atomic step', () => {
  const sample = sampleRecord('acc_1', 'evt-1');
  const record = { ...sample, declines: { ...sample.declines, 'limit:payment.perDay.amount': { reason: 'amount-limit-exceeded', responseCode: '61', fees: [] } } } as typeof sample;

  it('keep the declines for the step to fill: one decline, the one that decided, or none', () => {
    expect(Object.keys(record.declines).length).toBeGreaterThan(1);
    const json = recordJsonWithMark(record);
    expect(json.split(DECLINE_MARK)).toHaveLength(2);
    const texts = declineTextsOf(record);
    for (const name of Object.keys(record.declines)) {
      expect(applied(json, texts[name])).toEqual({ ...record, declines: { [name]: record.declines[name] } });
    }
    expect(applied(json, '')).toEqual({ ...record, declines: {} });
    // Fee-free texts come from a cache the second time: the same text.
    expect(declineTextsOf(record)).toEqual(texts);
  });

  it('the retry record the same way', () => {
    const retry = retryRecordOf(record);
    const [name] = Object.keys(record.declines);
    expect(applied(recordJsonWithMark(retry), declineTextsOf(record)[name])).toEqual({ ...retry, declines: { [name]: record.declines[name] } });
  });
});
