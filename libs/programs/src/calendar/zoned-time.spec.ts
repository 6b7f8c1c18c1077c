import {
  addDays,
  dayIdOf,
  localDateOf,
  monthIdOf,
  parseDayId,
  startOfLocalDay,
  startOfNextLocalDay,
  startOfNextLocalMonth,
  utcOffsetMs,
} from './zoned-time';
import { kindFromProcessingCode, entryModeFromFields, channelOf, terminalTakesPin } from '../transaction';

const PARIS = 'Europe/Paris';
const H = 3_600_000;

describe('Europe/Paris calendar from an instant', () => {
  it.each([
    ['2026-11-18T22:59:59Z', '2026-11-18'], // 23:59:59 Paris
    ['2026-11-18T23:00:00Z', '2026-11-19'], // 00:00:00 Paris
    ['2026-07-14T21:59:59Z', '2026-07-14'], // 23:59:59 CEST
    ['2026-07-14T22:00:00Z', '2026-07-15'],
    ['2026-03-29T00:59:59Z', '2026-03-29'], // 01:59:59 CET, just before the spring jump
    ['2026-03-29T01:00:00Z', '2026-03-29'], // 03:00:00 CEST
    ['2026-10-25T00:30:00Z', '2026-10-25'], // 02:30 CEST
    ['2026-10-25T01:30:00Z', '2026-10-25'], // 02:30 CET, the hour repeated
    ['2026-12-31T22:59:59Z', '2026-12-31'],
    ['2026-12-31T23:00:00Z', '2027-01-01'],
  ])('%s is Paris day %s', (iso, day) => {
    expect(dayIdOf(localDateOf(Date.parse(iso), PARIS))).toBe(day);
  });

  it('knows the offset on both sides of each DST change', () => {
    expect(utcOffsetMs(Date.parse('2026-03-29T00:59:59Z'), PARIS)).toBe(1 * H);
    expect(utcOffsetMs(Date.parse('2026-03-29T01:00:00Z'), PARIS)).toBe(2 * H);
    expect(utcOffsetMs(Date.parse('2026-10-25T00:59:59Z'), PARIS)).toBe(2 * H);
    expect(utcOffsetMs(Date.parse('2026-10-25T01:00:00Z'), PARIS)).toBe(1 * H);
  });

  it('finds local midnight: days of 23 h and 25 h on the change days', () => {
    const start = (day: string) => startOfLocalDay(parseDayId(day)!, PARIS);
    expect(start('2026-03-29')).toBe(Date.parse('2026-03-28T23:00:00Z'));
    expect(start('2026-03-30') - start('2026-03-29')).toBe(23 * H);
    expect(start('2026-10-26') - start('2026-10-25')).toBe(25 * H);
    expect(start('2026-11-19') - start('2026-11-18')).toBe(24 * H);
    expect(startOfNextLocalDay(Date.parse('2026-10-25T22:59:59Z'), PARIS)).toBe(
      Date.parse('2026-10-25T23:00:00Z'),
    );
    expect(startOfNextLocalMonth(Date.parse('2026-10-31T22:59:59Z'), PARIS)).toBe(
      Date.parse('2026-10-31T23:00:00Z'),
    );
    expect(startOfNextLocalMonth(Date.parse('2026-03-15T12:00:00Z'), PARIS)).toBe(
      Date.parse('2026-03-31T22:00:00Z'),
    );
  });

  it('does calendar arithmetic on local dates (month ends, leap years)', () => {
    expect(dayIdOf(addDays({ year: 2026, month: 1, day: 31 }, 1))).toBe('2026-02-01');
    expect(dayIdOf(addDays({ year: 2028, month: 2, day: 28 }, 1))).toBe('2028-02-29');
    expect(dayIdOf(addDays({ year: 2026, month: 3, day: 1 }, -1))).toBe('2026-02-28');
    expect(monthIdOf({ year: 2026, month: 9, day: 1 })).toBe('2026-09');
    expect(parseDayId('2026-02-29')).toBeUndefined();
    expect(parseDayId('2026-13-01')).toBeUndefined();
  });
});

describe('transaction description from wire fields', () => {
  it.each([
    ['000000', 1250n, 'purchase'],
    ['000000', 0n, 'account-verification'],
    ['010000', 2000n, 'cash-withdrawal'],
    ['090000', 2000n, 'purchase-with-cashback'],
    ['200000', 500n, 'refund'],
    ['300000', 0n, 'available-funds-inquiry'],
    ['310000', 0n, 'balance-inquiry'],
    ['920000', 0n, 'pin-change'],
    ['400000', 100n, undefined],
    ['000100', 100n, undefined],
  ] as const)('processing code %s (amount %s) -> %s', (field3, minor, kind) => {
    expect(kindFromProcessingCode(field3, minor)).toBe(kind);
  });

  it('reads entry mode and channel', () => {
    expect(entryModeFromFields('051', '00')).toBe('chip');
    expect(entryModeFromFields('071', '00')).toBe('contactless');
    expect(entryModeFromFields('010', '59')).toBe('ecommerce');
    expect(entryModeFromFields('010', '08')).toBe('manual');
    expect(entryModeFromFields('901', '00')).toBe('magstripe');
    expect(entryModeFromFields('021', '00')).toBeUndefined();
    expect(terminalTakesPin('051')).toBe(true);
    expect(terminalTakesPin('070')).toBe(false);
    expect(channelOf('cash-withdrawal', 'chip', '00')).toBe('atm');
    expect(channelOf('purchase', 'ecommerce', '59')).toBe('ecommerce');
    expect(channelOf('purchase', 'manual', '08')).toBe('ecommerce');
    expect(channelOf('purchase', 'contactless', '00')).toBe('pos');
  });
});

describe('zoned time: cached offsets agree with Intl everywhere', () => {
  // Reference: the offset straight from Intl, for any instant.
  function intlOffset(instant: number, timeZone: string): number {
    const f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    const v: Record<string, number> = {};
    for (const p of f.formatToParts(instant)) if (p.type !== 'literal') v[p.type] = Number(p.value);
    return Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second) - (instant - (((instant % 1000) + 1000) % 1000));
  }

  it.each(['Europe/Paris', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe'])('%s: every minute around both 2026 DST changes', (zone) => {
    const starts = [Date.UTC(2026, 2, 28, 20), Date.UTC(2026, 9, 24, 20), Date.UTC(2026, 3, 4, 10), Date.UTC(2026, 10, 1, 0)];
    for (const start of starts) {
      for (let t = start; t < start + 36 * 3_600_000; t += 60_000 + 7) {
        expect(utcOffsetMs(t, zone)).toBe(intlOffset(t, zone));
      }
    }
  });
});
