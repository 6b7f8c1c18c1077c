import { HttpException, UnauthorizedException } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { GatewayConfig } from '@lib/config';
import { BackOfficeAuthGuard, bearerMatches } from './back-office-auth';

const KEYS = ['first-back-office-key-000', 'second-back-office-key-00'];

describe('bearerMatches', () => {
  it('accepts any configured key after the Bearer scheme, in any case', () => {
    expect(bearerMatches(`Bearer ${KEYS[0]}`, KEYS)).toBe(true);
    expect(bearerMatches(`bearer ${KEYS[1]}`, KEYS)).toBe(true);
    expect(bearerMatches(`BEARER ${KEYS[1]} `, KEYS)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['the bare key', KEYS[0]],
    ['another scheme', `Basic ${KEYS[0]}`],
    ['a prefix of a key', `Bearer ${KEYS[0].slice(0, -1)}`],
    ['a key and more', `Bearer ${KEYS[0]}0`],
    ['two keys', `Bearer ${KEYS[0]} ${KEYS[1]}`],
    ['an empty bearer', 'Bearer '],
    ['a repeated header', [`Bearer ${KEYS[0]}`, `Bearer ${KEYS[0]}`]],
  ])('refuses %s', (_name, header) => {
    expect(bearerMatches(header, KEYS)).toBe(false);
  });

  it('matches nothing when no key is configured', () => {
    expect(bearerMatches('Bearer ', [])).toBe(false);
    expect(bearerMatches(`Bearer ${KEYS[0]}`, [])).toBe(false);
  });
});

describe('BackOfficeAuthGuard', () => {
  const guard = new BackOfficeAuthGuard({ security: { backOfficeKeys: KEYS } } as unknown as GatewayConfig);
  const contextWith = (authorization?: string) =>
    ({
      switchToHttp: () => ({
        getRequest: () => ({ headers: { authorization } }),
        getResponse: () => ({ header: (name: string, value: string) => headers.set(name, value) }),
      }),
    }) as unknown as ExecutionContext;
  const headers = new Map<string, string>();

  it('lets a valid key through and refuses anything else with 401', () => {
    expect(guard.canActivate(contextWith(`Bearer ${KEYS[0]}`))).toBe(true);
    expect(() => guard.canActivate(contextWith())).toThrow(UnauthorizedException);
    expect(() => guard.canActivate(contextWith('Bearer wrong'))).toThrow(UnauthorizedException);
  });

  it('refuses with the one 401 body and WWW-Authenticate, whatever filter answers it', () => {
    let thrown: unknown;
    try {
      guard.canActivate(contextWith('bearer wrong'));
    } catch (error) {
      thrown = error;
    }
    expect((thrown as HttpException).getResponse()).toEqual({
      error: { code: 'unauthorized', reason: 'a valid back-office key is required' },
    });
    expect(headers.get('www-authenticate')).toBe('Bearer');
  });
});
