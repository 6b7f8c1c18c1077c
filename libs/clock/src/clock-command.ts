/**
 * The body of `POST /v1/clock` (http-and-events.md): `{advanceSeconds: <integer>}` or
 * `{set: "<ISO 8601>"}`, exactly one of them. Validated here once, as a value; the HTTP adapter
 * maps a refusal to 400 naming the field.
 */
export type ClockCommand = { readonly kind: 'advance'; readonly seconds: number } | { readonly kind: 'set'; readonly instantMs: number };

export interface ClockCommandError {
  readonly field: string;
  readonly reason: string;
}

export type ClockCommandParse = { readonly ok: true; readonly value: ClockCommand } | { readonly ok: false; readonly error: ClockCommandError };

/** 100 years: a larger jump is a typo, not a simulation. */
export const MAX_ADVANCE_SECONDS = 100 * 366 * 24 * 3600;

/** An instant with a date, a time and an explicit offset (`Z` or `+hh:mm`): no local-time guess. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

const refuse = (field: string, reason: string): ClockCommandParse => ({ ok: false, error: { field, reason } });

export function parseClockCommand(body: unknown): ClockCommandParse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse('body', 'must be a JSON object');
  const fields = Object.keys(body);
  const unknown = fields.find((field) => field !== 'advanceSeconds' && field !== 'set');
  if (unknown !== undefined) return refuse(unknown, 'is not a field of this request (advanceSeconds or set)');
  if (fields.length !== 1) return refuse('body', 'must have exactly one of advanceSeconds or set');
  const { advanceSeconds, set } = body as { advanceSeconds?: unknown; set?: unknown };
  if (fields[0] === 'advanceSeconds') {
    if (typeof advanceSeconds !== 'number' || !Number.isInteger(advanceSeconds)) return refuse('advanceSeconds', 'must be an integer number of seconds');
    if (advanceSeconds < 0) return refuse('advanceSeconds', 'must be 0 or more (the clock never goes backwards)');
    if (advanceSeconds > MAX_ADVANCE_SECONDS) return refuse('advanceSeconds', `must be at most ${MAX_ADVANCE_SECONDS}`);
    return { ok: true, value: { kind: 'advance', seconds: advanceSeconds } };
  }
  if (typeof set !== 'string' || !ISO_INSTANT.test(set)) return refuse('set', 'must be an ISO 8601 instant with an offset, e.g. 2026-12-07T10:00:00Z');
  const instantMs = Date.parse(set);
  if (!Number.isFinite(instantMs)) return refuse('set', 'is not a valid date and time');
  return { ok: true, value: { kind: 'set', instantMs } };
}
