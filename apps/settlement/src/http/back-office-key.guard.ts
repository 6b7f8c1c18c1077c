import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'crypto';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG } from '@lib/platform';

/**
 * Back-office routes need `Authorization: Bearer <key>` with a key of `security.backOfficeKeys`
 * (http-and-events.md): anything else is 401, revealing nothing more. Keys are compared in
 * constant time.
 */
@Injectable()
export class BackOfficeKeyGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: { security: { backOfficeKeys: readonly string[] } }) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const match = typeof header === 'string' ? /^Bearer (.+)$/.exec(header) : null;
    const presented = Buffer.from(match?.[1] ?? '');
    const known = this.config.security.backOfficeKeys.some((key) => {
      const expected = Buffer.from(key);
      return expected.length === presented.length && timingSafeEqual(expected, presented);
    });
    if (!known) throw new UnauthorizedException();
    return true;
  }
}
