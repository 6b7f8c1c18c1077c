import { createHash, timingSafeEqual } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  NestMiddleware,
  UnauthorizedException,
} from '@nestjs/common';
import type { GatewayConfig } from '@lib/config';
import { APP_CONFIG } from '@lib/platform';

/**
 * Back-office authentication (http-and-events.md): `Authorization: Bearer <key>` with one of the
 * configured keys, else 401 and nothing else. The presented key and every configured key are
 * compared as SHA-256 digests with `timingSafeEqual`, all of them every time, so neither the
 * length nor the position of a match shows in the timing.
 */
export function bearerMatches(
  header: string | string[] | undefined,
  configuredKeys: readonly string[],
): boolean {
  const match = typeof header === 'string' ? /^Bearer +([\x21-\x7e]+) *$/i.exec(header) : null;
  const presented = digest(match?.[1] ?? '');
  let found = false;
  for (const key of configuredKeys) {
    // Evaluated for every key (no short-circuit) on purpose.
    found = timingSafeEqual(presented, digest(key)) || found;
  }
  return match !== null && found;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export const UNAUTHORIZED_BODY = {
  error: { code: 'unauthorized', reason: 'a valid back-office key is required' },
} as const;

/**
 * Runs on the raw request at Fastify's `onRequest` (Nest middleware on Fastify goes through
 * middie there), before the body is even parsed: a request without a valid key learns nothing,
 * not even whether its body was valid JSON.
 */
@Injectable()
export class BackOfficeAuthMiddleware implements NestMiddleware<IncomingMessage, ServerResponse> {
  constructor(@Inject(APP_CONFIG) private readonly config: GatewayConfig) {}

  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (bearerMatches(req.headers.authorization, this.config.security.backOfficeKeys)) return next();
    res.statusCode = 401;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('www-authenticate', 'Bearer');
    res.end(JSON.stringify(UNAUTHORIZED_BODY));
  }
}

/** The same check at the controller, in case a route is ever mounted outside the middleware's paths. */
@Injectable()
export class BackOfficeAuthGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: GatewayConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: IncomingMessage['headers'] }>();
    if (bearerMatches(request.headers.authorization, this.config.security.backOfficeKeys)) return true;
    throw new UnauthorizedException();
  }
}
