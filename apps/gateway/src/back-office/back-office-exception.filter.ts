import { ArgumentsHost, Catch, HttpException, Inject, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '@lib/config';
import { APP_CONFIG, bearerMatches, isBackingServiceUnavailable, UNAVAILABLE_BODY } from '@lib/platform';
import { UNAUTHORIZED_BODY } from './back-office-auth';

/** Paths of the back-office routes of this module (their errors take the `{error: {...}}` shape). */
export const BACK_OFFICE_PATH = /^\/v1\/(accounts|cards)(\/|\?|$)/;
/** Every path under /v1 is the back office's but the network route (its own access setting). */
const KEYED_PATH = /^\/v1\/(?!network\/)/;

/**
 * Errors raised before or around the back-office handlers (the handlers themselves never throw
 * for an expected outcome): a body that is not JSON, an unsupported content type, a body too
 * large, an unknown sub-route. On back-office paths they get the back office's `{error: {code,
 * reason}}` shape and name the problem; the guard's 401 gets the one 401 body on every path; a
 * backing service that cannot be reached is a 503 with a reason on every path; anything else is
 * left to Nest's default handling, which logs unexpected errors and answers 500.
 */
@Catch()
export class BackOfficeExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('BackOffice');

  constructor(@Inject(APP_CONFIG) private readonly config: GatewayConfig) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // The back-office guard's refusal, wherever the guard is used (clearing files, statements...):
    // one 401 body for every back-office route. A path under /v1 that no route serves (or the
    // clock with its flag off) is the back office's too: without a valid key it is a 401 like the
    // others ("nothing else is revealed"), with one a 404.
    const unkeyed = () => KEYED_PATH.test(request.url) && !bearerMatches(request.headers.authorization, this.config.security.backOfficeKeys);
    if (exception instanceof UnauthorizedException || (exception instanceof NotFoundException && unkeyed())) {
      void reply.status(401).header('www-authenticate', 'Bearer').send(UNAUTHORIZED_BODY);
      return;
    }
    // Redis, PostgreSQL or Kafka unreachable: 503 and a reason on every route, one log line.
    if (isBackingServiceUnavailable(exception)) {
      this.logger.warn(`${request.method} ${request.url.split('?')[0]}: 503, ${(exception as Error).message}`);
      void reply.status(503).header('retry-after', '1').send(UNAVAILABLE_BODY);
      return;
    }
    if (!(exception instanceof HttpException) || !BACK_OFFICE_PATH.test(request.url)) {
      super.catch(exception, host);
      return;
    }
    const status = exception.getStatus();
    void reply
      .status(status)
      .send({ error: { code: codeOf(status, exception.message), reason: exception.message } });
  }
}

function codeOf(status: number, message: string): string {
  switch (status) {
    case 400:
      return /JSON/i.test(message) ? 'invalid-json' : 'invalid-body';
    case 404:
      return 'not-found';
    case 413:
      return 'body-too-large';
    case 415:
      return 'unsupported-media-type';
    default:
      return `http-${status}`;
  }
}
