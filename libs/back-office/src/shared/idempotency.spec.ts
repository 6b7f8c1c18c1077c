import {
  IDEMPOTENCY_TTL_MS,
  canonicalJson,
  encodeStoredAnswer,
  fingerprintOf,
  judgeStored,
  parseIdempotencyKey,
} from './idempotency';

describe('idempotency', () => {
  it('canonicalises JSON by sorting keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('fingerprints method, route and body; key order and an absent vs empty body do not matter', () => {
    const a = fingerprintOf('POST', '/v1/accounts/x/loads', {
      amount: { minor: '100', currency: 'EUR' },
      method: 'p2p',
    });
    expect(
      fingerprintOf('post', '/v1/accounts/x/loads', {
        method: 'p2p',
        amount: { currency: 'EUR', minor: '100' },
      }),
    ).toBe(a);
    expect(
      fingerprintOf('POST', '/v1/accounts/y/loads', {
        amount: { minor: '100', currency: 'EUR' },
        method: 'p2p',
      }),
    ).not.toBe(a);
    expect(
      fingerprintOf('POST', '/v1/accounts/x/loads', {
        amount: { minor: '101', currency: 'EUR' },
        method: 'p2p',
      }),
    ).not.toBe(a);
    expect(fingerprintOf('POST', '/v1/cards/c/activate', undefined)).toBe(
      fingerprintOf('POST', '/v1/cards/c/activate', {}),
    );
  });

  it('replays the stored outcome for the same request, refuses another, forgets after 24 h', () => {
    const request = { key: 'k1', fingerprint: 'f1' };
    const raw = encodeStoredAnswer(request, 1_000, { ok: true, value: 42 });
    expect(judgeStored(null, request, 2_000)).toEqual({ kind: 'fresh', raw: '' });
    expect(judgeStored(raw, request, 2_000)).toEqual({ kind: 'replay', outcome: { ok: true, value: 42 } });
    expect(judgeStored(raw, { key: 'k1', fingerprint: 'f2' }, 2_000)).toEqual({ kind: 'conflict' });
    expect(judgeStored(raw, request, 1_000 + IDEMPOTENCY_TTL_MS - 1).kind).toBe('replay');
    expect(judgeStored(raw, request, 1_000 + IDEMPOTENCY_TTL_MS)).toEqual({ kind: 'fresh', raw });
    expect(judgeStored(raw, request, 'ttl-decides').kind).toBe('replay');
  });

  it('accepts 1 to 255 visible ASCII characters as a key, once', () => {
    expect(parseIdempotencyKey(undefined)).toEqual({ ok: true, value: undefined });
    expect(parseIdempotencyKey('3f2c-4a9b_x')).toEqual({ ok: true, value: '3f2c-4a9b_x' });
    for (const bad of ['', 'a b', 'é', 'x'.repeat(256), ['a', 'b']]) {
      expect(parseIdempotencyKey(bad)).toEqual({
        ok: false,
        error: { field: 'headers.idempotency-key', reason: expect.any(String) },
      });
    }
  });
});
