import {
  addDays,
  addMonths,
  calendarDayOf,
  dayIdOf,
  isoTimestampOf,
  localDateOf,
  monthIdOf,
  parseDayId,
  startOfLocalDay,
  startOfNextLocalDay,
  startOfNextLocalMonth,
  startOfNextLocalYear,
  utcOffsetMs,
  yearIdOf,
} from './zoned-time';
import fc from 'fast-check';
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

describe('calendar days: cached per zone and day, the same values as computed afresh', () => {
  // Reference: the local date straight from Intl, no cache involved.
  const dateFormats = new Map<string, Intl.DateTimeFormat>();
  function intlDate(instant: number, timeZone: string): { year: number; month: number; day: number } {
    let f = dateFormats.get(timeZone);
    if (f === undefined) {
      f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
      dateFormats.set(timeZone, f);
    }
    const v: Record<string, number> = {};
    for (const p of f.formatToParts(instant)) if (p.type !== 'literal') v[p.type] = Number(p.value);
    return { year: v.year, month: v.month, day: v.day };
  }

  function expectDayOf(instant: number, zone: string): void {
    const date = intlDate(instant, zone);
    const day = calendarDayOf(instant, zone);
    expect(day.date).toEqual(date);
    expect(localDateOf(instant, zone)).toEqual(date);
    expect(day.dayId).toBe(dayIdOf(date));
    expect(day.monthId).toBe(monthIdOf(date));
    expect(day.yearId).toBe(yearIdOf(date));
    // What startOfNextLocal* computed before they were cached, from the reference date.
    expect(day.startOfNextDayMs).toBe(startOfLocalDay(addDays(date, 1), zone));
    expect(day.startOfNextMonthMs).toBe(startOfLocalDay(addMonths(date, 1), zone));
    expect(day.startOfNextYearMs).toBe(startOfLocalDay({ year: date.year + 1, month: 1, day: 1 }, zone));
    expect(startOfNextLocalDay(instant, zone)).toBe(day.startOfNextDayMs);
    expect(startOfNextLocalMonth(instant, zone)).toBe(day.startOfNextMonthMs);
    expect(startOfNextLocalYear(instant, zone)).toBe(day.startOfNextYearMs);
  }

  // Paris DST days and month / year ends; New York and Lord Howe (30-minute DST) change on other
  // dates and hours; Santiago changes at local midnight; Kathmandu is +05:45.
  const zones = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kathmandu'];
  const around = [
    Date.UTC(2026, 2, 28, 12),
    Date.UTC(2026, 9, 24, 12),
    Date.UTC(2026, 10, 30, 12),
    Date.UTC(2026, 11, 31, 12),
    Date.UTC(2026, 3, 4, 12),
    Date.UTC(2026, 8, 5, 12),
    Date.UTC(2026, 2, 8, 0),
  ];

  it.each(zones)('%s: every 13 minutes over two days around each change, forwards then backwards', (zone) => {
    for (const start of around) {
      const instants: number[] = [];
      for (let t = start; t < start + 48 * 3_600_000; t += 13 * 60_000 + 13) instants.push(t);
      for (const t of instants) expectDayOf(t, zone);
      for (const t of instants.reverse()) expectDayOf(t, zone);
    }
  });

  it('is right in any order: instants jumping between days, years and zones', () => {
    const from = Date.UTC(2025, 0, 1);
    const span = 4 * 365 * 24 * 3_600_000;
    let seed = 42;
    const next = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 3_000; i++) expectDayOf(from + Math.floor(next() * span), zones[i % zones.length]);
  });

  it('keeps one day value per zone and day, and a frozen date', () => {
    const morning = Date.parse('2026-11-18T07:00:00Z');
    const evening = Date.parse('2026-11-18T22:59:59Z');
    expect(calendarDayOf(morning, PARIS)).toBe(calendarDayOf(evening, PARIS));
    expect(calendarDayOf(evening + 1000, PARIS)).not.toBe(calendarDayOf(evening, PARIS));
    expect(calendarDayOf(morning, 'America/New_York')).not.toBe(calendarDayOf(morning, PARIS));
    expect(Object.isFrozen(calendarDayOf(morning, PARIS).date)).toBe(true);
  });

  it('stays right after its bounded caches were emptied (more days than they keep)', () => {
    const first = Date.UTC(2020, 0, 1, 12);
    for (let d = 0; d < 1_500; d++) calendarDayOf(first + d * 24 * 3_600_000, PARIS);
    expectDayOf(first, PARIS);
    expectDayOf(Date.parse('2026-10-25T00:30:00Z'), PARIS);
  });
});

describe('isoTimestampOf: exactly Date#toISOString', () => {
  const viaDate = (instant: number): string => {
    try {
      return new Date(instant).toISOString();
    } catch (error) {
      return `throws ${(error as Error).name}`;
    }
  };
  const viaUs = (instant: number): string => {
    try {
      return isoTimestampOf(instant);
    } catch (error) {
      return `throws ${(error as Error).name}`;
    }
  };

  it.each([
    0,
    -0,
    1,
    -1,
    1.7,
    -1.5,
    -1000.5,
    Date.parse('2026-11-22T10:00:00Z'),
    Date.parse('2026-11-22T23:59:59.999Z'),
    Date.parse('0000-01-01T00:00:00.000Z'),
    Date.parse('0000-01-01T00:00:00.000Z') - 1,
    Date.parse('9999-12-31T23:59:59.999Z'),
    Date.parse('9999-12-31T23:59:59.999Z') + 1,
    8.64e15,
    -8.64e15,
    8.64e15 + 1,
    NaN,
    Infinity,
    -Infinity,
  ])('%p', (instant) => {
    expect(viaUs(instant)).toBe(viaDate(instant));
  });

  it('agrees on any instant, whole or not, days apart or not', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.7e15, max: 8.7e15 }), fc.double({ min: -1e14, max: 3e14, noNaN: true }), fc.integer({ min: 1.7e12, max: 1.9e12 })), (instant) => viaUs(instant) === viaDate(instant)),
      { numRuns: 20_000 },
    );
  });
});
