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
 */
const BUCKET_MS = 15 * 60 * 1000;
const MAX_CACHED_BUCKETS = 10_000;
const bucketOffsets = new Map<string, number | null>();

function offsetFromParts(instant: InstantMs, p: LocalParts): number {
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - wholeSeconds;
}

function bucketOffset(instant: InstantMs, timeZone: string): number | null {
  const bucket = Math.floor(instant / BUCKET_MS);
  const key = `${timeZone}|${bucket}`;
  const cached = bucketOffsets.get(key);
  if (cached !== undefined) return cached;
  const start = bucket * BUCKET_MS;
  const end = start + BUCKET_MS - 1000;
  const startOffset = offsetFromParts(start, formattedParts(start, timeZone));
  const endOffset = offsetFromParts(end, formattedParts(end, timeZone));
  const offset = startOffset === endOffset ? startOffset : null;
  if (bucketOffsets.size >= MAX_CACHED_BUCKETS) bucketOffsets.clear();
  bucketOffsets.set(key, offset);
  return offset;
}

function localParts(instant: InstantMs, timeZone: string): LocalParts {
  const offset = bucketOffset(instant, timeZone);
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

/** Offset of local time from UTC at an instant, in ms (Paris: +1 h in winter, +2 h in summer). */
export function utcOffsetMs(instant: InstantMs, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const localAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return localAsUtc - wholeSeconds;
}

/** The local calendar date of an instant. */
export function localDateOf(instant: InstantMs, timeZone: string): LocalDate {
  const { year, month, day } = localParts(instant, timeZone);
  return { year, month, day };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

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
  return startOfLocalDay(addDays(localDateOf(instant, timeZone), 1), timeZone);
}

/** First instant of the local month after the one containing `instant`. */
export function startOfNextLocalMonth(instant: InstantMs, timeZone: string): InstantMs {
  return startOfLocalDay(addMonths(localDateOf(instant, timeZone), 1), timeZone);
}

/** First instant of the local year after the one containing `instant`. */
export function startOfNextLocalYear(instant: InstantMs, timeZone: string): InstantMs {
  const { year } = localDateOf(instant, timeZone);
  return startOfLocalDay({ year: year + 1, month: 1, day: 1 }, timeZone);
}
