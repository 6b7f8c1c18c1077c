import { MAX_ADVANCE_SECONDS, parseClockCommand } from './clock-command';

describe('POST /v1/clock body', () => {
  it.each([
    [{ advanceSeconds: 0 }, { kind: 'advance', seconds: 0 }],
    [{ advanceSeconds: 86_400 }, { kind: 'advance', seconds: 86_400 }],
    [{ set: '2026-12-07T10:00:00Z' }, { kind: 'set', instantMs: Date.UTC(2026, 11, 7, 10) }],
    [{ set: '2026-12-07T11:00:00.250+01:00' }, { kind: 'set', instantMs: Date.UTC(2026, 11, 7, 10, 0, 0, 250) }],
  ])('accepts %j', (body, value) => {
    expect(parseClockCommand(body)).toEqual({ ok: true, value });
  });

  it.each([
    [null, 'body'],
    [[], 'body'],
    [{}, 'body'],
    [{ advanceSeconds: 1, set: '2026-12-07T10:00:00Z' }, 'body'],
    [{ advanceSeconds: 1.5 }, 'advanceSeconds'],
    [{ advanceSeconds: '60' }, 'advanceSeconds'],
    [{ advanceSeconds: -1 }, 'advanceSeconds'],
    [{ advanceSeconds: MAX_ADVANCE_SECONDS + 1 }, 'advanceSeconds'],
    [{ set: '2026-12-07' }, 'set'],
    [{ set: '2026-12-07T10:00:00' }, 'set'],
    [{ set: '2026-13-45T10:00:00Z' }, 'set'],
    [{ set: 1796637600000 }, 'set'],
    [{ rewind: 5 }, 'rewind'],
  ])('refuses %j naming %s', (body, field) => {
    const parsed = parseClockCommand(body);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error.field).toBe(field);
  });
});
