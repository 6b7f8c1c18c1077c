import { ArgumentsHost, Catch, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isBackingServiceUnavailable, UNAVAILABLE_BODY } from './unavailable';

/**
 * For apps without a filter of their own (settlement): a backing service that cannot be reached
 * is a `503` with a reason and one log line, not a `500` and a stack trace; everything else is
 * Nest's default handling. (The gateway's back-office filter does the same among its own rules.)
 */
@Catch()
export class UnavailableExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('Http');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (!isBackingServiceUnavailable(exception)) {
      super.catch(exception, host);
      return;
    }
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    this.logger.warn(`${request.method} ${request.url.split('?')[0]}: 503, ${(exception as Error).message}`);
    void http.getResponse<FastifyReply>().status(503).header('retry-after', '1').send(UNAVAILABLE_BODY);
  }
}
