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
import { APP_CONFIG } from './tokens';

/**
 * Back-office authentication (http-and-events.md: "a missing or wrong key is 401, nothing else is
 * revealed"), shared by every app that serves back-office routes (gateway, settlement) so that
 * they accept the same headers and refuse with the same body.
 */
interface BackOfficeKeysConfig {
  readonly security: { readonly backOfficeKeys: readonly string[] };
}

/**
 * `Authorization: Bearer <key>` with one of the configured keys; the scheme is case-insensitive
 * (RFC 7235). The presented key and every configured key are compared as SHA-256 digests with
 * `timingSafeEqual`, all of them every time, so neither the length nor the position of a match
 * shows in the timing.
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

/** The one 401 body of every back-office route, whichever app serves it. */
export const UNAUTHORIZED_BODY = {
  error: { code: 'unauthorized', reason: 'a valid back-office key is required' },
} as const;

/**
 * Runs on the raw request at Fastify's `onRequest` (Nest middleware on Fastify goes through
 * middie there), before the body is even parsed: a request without a valid key learns nothing,
 * not even whether its body was valid JSON or had the right content type. Every module that
 * declares back-office controllers applies it to them (`forRoutes(...controllers)`).
 */
@Injectable()
export class BackOfficeAuthMiddleware implements NestMiddleware<IncomingMessage, ServerResponse> {
  constructor(@Inject(APP_CONFIG) private readonly config: BackOfficeKeysConfig) {}

  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (bearerMatches(req.headers.authorization, this.config.security.backOfficeKeys)) return next();
    res.statusCode = 401;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('www-authenticate', 'Bearer');
    res.end(JSON.stringify(UNAUTHORIZED_BODY));
  }
}

/**
 * The same check at the controller, in case a route is ever mounted outside the middleware's
 * paths (and the only check of apps whose back-office routes take no body). Its 401 carries the
 * same body and header as the middleware's, through Nest's default exception handling.
 */
@Injectable()
export class BackOfficeAuthGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: BackOfficeKeysConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<{ headers: IncomingMessage['headers'] }>();
    if (bearerMatches(request.headers.authorization, this.config.security.backOfficeKeys)) return true;
    const reply = http.getResponse<{ header?: (name: string, value: string) => unknown } | undefined>();
    if (typeof reply?.header === 'function') reply.header('www-authenticate', 'Bearer');
    throw new UnauthorizedException(UNAUTHORIZED_BODY);
  }
}
