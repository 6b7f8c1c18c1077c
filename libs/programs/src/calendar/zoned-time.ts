/**
 * Calendar arithmetic in a program's time zone (Europe/Paris for all three programs), from an
 * instant passed in by the caller (STYLE.md 4: the domain never reads the clock).
 *
 * An instant is epoch milliseconds (UTC). Local calendar dates come from Intl.DateTimeFormat, so
 * day and month boundaries are right on DST change days (2026-03-29 is 23 h long in Paris,
 * 2026-10-25 is 25 h long).
 */

/** Milliseconds since 1970-01-01T00:00:00Z. The only representation of time in the domain. */
export type InstantMs = number;

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

/** A date on the local calendar of a time zone; month is 1-12. */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when the runtime knows the IANA time zone (used to validate config). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface LocalParts extends LocalDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function formattedParts(instant: InstantMs, timeZone: string): LocalParts {
  const values: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') values[part.type] = Number(part.value);
  }
  return {
    year: values.year,
    month: values.month,
    day: values.day,
    hour: values.hour,
    minute: values.minute,
    second: values.second,
  };
}

/**
 * Offsets are constant over 15-minute UTC buckets in practice (zone transitions fall on quarter
 * hours), and formatToParts is slow on the authorisation path: the offset of a bucket is found
 * once and checked at both ends; a bucket whose ends differ (a transition inside it) is never
 * cached and every instant in it goes through Intl.
 *
 * The caches are per zone: the buckets seen (plus the last one, which nearly every call of a busy
 * gateway hits) and the local calendar days seen (see CalendarDay).
 */
const BUCKET_MS = 15 * 60 * 1000;
const MAX_CACHED_BUCKETS = 10_000;
const MAX_CACHED_DAYS = 1_000;

interface ZoneCache {
  readonly bucketOffsets: Map<number, number | null>;
  lastBucket: number;
  lastOffset: number | null;
  /** Calendar days by day number (local midnight read as UTC, in days since 1970-01-01). */
  readonly days: Map<number, CalendarDay>;
  lastDayNumber: number;
  lastDay: CalendarDay | undefined;
}

const zoneCaches = new Map<string, ZoneCache>();

function zoneCacheOf(timeZone: string): ZoneCache {
  let zone = zoneCaches.get(timeZone);
  if (zone === undefined) {
    zone = {
      bucketOffsets: new Map(),
      lastBucket: NaN,
      lastOffset: null,
      days: new Map(),
      lastDayNumber: NaN,
      lastDay: undefined,
    };
    zoneCaches.set(timeZone, zone);
  }
  return zone;
}

function offsetFromParts(instant: InstantMs, p: LocalParts): number {
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - wholeSeconds;
}

function bucketOffset(instant: InstantMs, timeZone: string, zone: ZoneCache): number | null {
  const bucket = Math.floor(instant / BUCKET_MS);
  if (bucket === zone.lastBucket) return zone.lastOffset;
  let offset = zone.bucketOffsets.get(bucket);
  if (offset === undefined) {
    const start = bucket * BUCKET_MS;
    const end = start + BUCKET_MS - 1000;
    const startOffset = offsetFromParts(start, formattedParts(start, timeZone));
    const endOffset = offsetFromParts(end, formattedParts(end, timeZone));
    offset = startOffset === endOffset ? startOffset : null;
    if (zone.bucketOffsets.size >= MAX_CACHED_BUCKETS) zone.bucketOffsets.clear();
    zone.bucketOffsets.set(bucket, offset);
  }
  zone.lastBucket = bucket;
  zone.lastOffset = offset;
  return offset;
}

function localParts(instant: InstantMs, timeZone: string): LocalParts {
  const offset = bucketOffset(instant, timeZone, zoneCacheOf(timeZone));
  if (offset === null) return formattedParts(instant, timeZone);
  const local = new Date(instant + offset);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

/**
 * One local calendar day of a zone and what the rules derive from it alone: its ids (counter
 * keys, reference-rate day) and the first instants of the next day, month and year (counter
 * expiries). Each is computed on first use, by the same functions as below, then kept: a gateway
 * prices thousands of messages a second on the same day. Shared between callers, so immutable.
 */
export class CalendarDay {
  private dayIdText: string | undefined;
  private monthIdText: string | undefined;
  private yearIdText: string | undefined;
  private nextDayMs: InstantMs | undefined;
  private nextMonthMs: InstantMs | undefined;
  private nextYearMs: InstantMs | undefined;

  constructor(
    readonly date: LocalDate,
    readonly timeZone: string,
  ) {}

  /** 'YYYY-MM-DD'. */
  get dayId(): string {
    return (this.dayIdText ??= dayIdOf(this.date));
  }

  /** 'YYYY-MM'. */
  get monthId(): string {
    return (this.monthIdText ??= monthIdOf(this.date));
  }

  /** 'YYYY'. */
  get yearId(): string {
    return (this.yearIdText ??= yearIdOf(this.date));
  }

  /** First instant of the next local day (startOfNextLocalDay of any instant of this day). */
  get startOfNextDayMs(): InstantMs {
    return (this.nextDayMs ??= startOfLocalDay(addDays(this.date, 1), this.timeZone));
  }

  /** First instant of the next local month. */
  get startOfNextMonthMs(): InstantMs {
    return (this.nextMonthMs ??= startOfLocalDay(addMonths(this.date, 1), this.timeZone));
  }

  /** First instant of the next local year. */
  get startOfNextYearMs(): InstantMs {
    return (this.nextYearMs ??= startOfLocalDay(
      { year: this.date.year + 1, month: 1, day: 1 },
      this.timeZone,
    ));
  }
}

/**
 * The local calendar day of an instant. The date is the one localParts gives; the day itself is
 * cached per zone by its day number, except inside a bucket with a zone transition (read through
 * Intl, never cached: a few minutes a year).
 */
export function calendarDayOf(instant: InstantMs, timeZone: string): CalendarDay {
  const zone = zoneCacheOf(timeZone);
  const offset = bucketOffset(instant, timeZone, zone);
  if (offset === null) {
    const { year, month, day } = formattedParts(instant, timeZone);
    return new CalendarDay(Object.freeze({ year, month, day }), timeZone);
  }
  // The UTC calendar of `instant + offset` is the local calendar (a Date truncates the time value).
  const dayNumber = Math.floor(Math.trunc(instant + offset) / MS_PER_DAY);
  if (dayNumber === zone.lastDayNumber && zone.lastDay !== undefined) return zone.lastDay;
  let calendarDay = zone.days.get(dayNumber);
  if (calendarDay === undefined) {
    const local = new Date(instant + offset);
    const date = Object.freeze({
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
    });
    calendarDay = new CalendarDay(date, timeZone);
    if (zone.days.size >= MAX_CACHED_DAYS) zone.days.clear();
    zone.days.set(dayNumber, calendarDay);
  }
  zone.lastDayNumber = dayNumber;
  zone.lastDay = calendarDay;
  return calendarDay;
}

/** Offset of local time from UTC at an instant, in ms (Paris: +1 h in winter, +2 h in summer). */
export function utcOffsetMs(instant: InstantMs, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const localAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return localAsUtc - wholeSeconds;
}

/** The local calendar date of an instant (a shared, frozen value). */
export function localDateOf(instant: InstantMs, timeZone: string): LocalDate {
  return calendarDayOf(instant, timeZone).date;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Date's own range of four-digit years, 0000-01-01 to 9999-12-31 (outside it: six-digit years). */
const FOUR_DIGIT_YEARS_START_MS = Date.parse('0000-01-01T00:00:00.000Z');
const FOUR_DIGIT_YEARS_END_MS = Date.parse('9999-12-31T23:59:59.999Z');
const MAX_CACHED_ISO_DAYS = 1_000;
/** "YYYY-MM-DDT" by UTC day number. */
const isoDayPrefixes = new Map<number, string>();

const twoDigits = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const threeDigits = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `new Date(instant).toISOString()` ("2026-11-22T10:00:00.000Z"), several times faster: every
 * decision record carries one or two, and Date formats each from scratch. The date part is kept
 * per UTC day (made by Date itself), the time of day is plain arithmetic. An instant Date would
 * write with a six-digit year, or not at all (RangeError), goes to Date as it is.
 */
export function isoTimestampOf(instant: InstantMs): string {
  const ms = Math.trunc(instant); // a Date drops the fraction of a millisecond the same way
  if (!(ms >= FOUR_DIGIT_YEARS_START_MS && ms <= FOUR_DIGIT_YEARS_END_MS))
    return new Date(instant).toISOString();
  const dayNumber = Math.floor(ms / MS_PER_DAY);
  let prefix = isoDayPrefixes.get(dayNumber);
  if (prefix === undefined) {
    prefix = new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 11);
    if (isoDayPrefixes.size >= MAX_CACHED_ISO_DAYS) isoDayPrefixes.clear();
    isoDayPrefixes.set(dayNumber, prefix);
  }
  const msOfDay = ms - dayNumber * MS_PER_DAY;
  const hours = Math.floor(msOfDay / MS_PER_HOUR);
  const minutes = Math.floor((msOfDay % MS_PER_HOUR) / 60_000);
  const seconds = Math.floor((msOfDay % 60_000) / 1000);
  return `${prefix}${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds)}.${threeDigits(msOfDay % 1000)}Z`;
}

/** 'YYYY-MM-DD' of a local date. */
export function dayIdOf(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${pad2(date.month)}-${pad2(date.day)}`;
}

/** 'YYYY-MM' of a local date. */
export function monthIdOf(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${pad2(date.month)}`;
}

/** 'YYYY' of a local date. */
export function yearIdOf(date: LocalDate): string {
  return String(date.year).padStart(4, '0');
}

/** Parses 'YYYY-MM-DD' (a real calendar date) or returns undefined. */
export function parseDayId(text: string): LocalDate | undefined {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (match === null) return undefined;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  return dayIdOf(addDays(date, 0)) === text ? date : undefined;
}

/** The local date `days` days after `date` (negative goes back); pure calendar arithmetic. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** The first day of the month `months` months after the month of `date`. */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1 + months, 1));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: 1 };
}

/**
 * The first instant of a local date (local midnight). Found by offset math: start from midnight
 * read as UTC, subtract the zone offset, and correct once more in case the offset changed in
 * between (DST). Paris changes at 02:00/03:00, so midnight always exists there.
 */
export function startOfLocalDay(date: LocalDate, timeZone: string): InstantMs {
  const midnightAsUtc = Date.UTC(date.year, date.month - 1, date.day);
  const firstGuess = midnightAsUtc - utcOffsetMs(midnightAsUtc, timeZone);
  return midnightAsUtc - utcOffsetMs(firstGuess, timeZone);
}

/** First instant of the local day after the one containing `instant`. */
export function startOfNextLocalDay(instant: InstantMs, timeZone: string): InstantMs {
  return calendarDayOf(instant, timeZone).startOfNextDayMs;
}

/** First instant of the local month after the one containing `instant`. */
export function startOfNextLocalMonth(instant: InstantMs, timeZone: string): InstantMs {
  return calendarDayOf(instant, timeZone).startOfNextMonthMs;
}

/** First instant of the local year after the one containing `instant`. */
export function startOfNextLocalYear(instant: InstantMs, timeZone: string): InstantMs {
  return calendarDayOf(instant, timeZone).startOfNextYearMs;
}
