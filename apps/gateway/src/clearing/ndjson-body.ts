import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

export const NDJSON_MEDIA_TYPE = 'application/x-ndjson';
export const NDJSON = /^application\/x-ndjson\s*(;.*)?$/i;
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Fastify parses JSON and text only; the clearing file comes as `application/x-ndjson`. This adds
 * a parser for that one media type that hands the body over as a string (parsed line by line by
 * @lib/clearing), leaving the JSON routes as they are. Registered while the module initialises,
 * before Fastify is ready.
 */
@Injectable()
export class NdjsonBodyParser implements OnModuleInit {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || fastify.hasContentTypeParser(NDJSON_MEDIA_TYPE)) return;
    fastify.addContentTypeParser(NDJSON_MEDIA_TYPE, { parseAs: 'string', bodyLimit: MAX_FILE_BYTES }, (_request, body, done) => done(null, body));
  }
}
