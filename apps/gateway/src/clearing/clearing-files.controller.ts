import { Body, Controller, Headers, HttpCode, Inject, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import { IDEMPOTENCY_CONFLICT_REASON_TEXT, idempotencyRequest, parseIdempotencyKey, runOncePerKey } from '@lib/back-office';
import type { RejectedLine } from '@lib/clearing';
import { Clock, CLOCK } from '@lib/clock';
import type { Result } from '@lib/money';
import { REDIS } from '@lib/platform';
import { BackOfficeAuthGuard } from '../back-office/back-office-auth';
import { ClearingIngest, IngestAnswer } from './clearing-ingest';
import { NDJSON } from './ndjson-body';

/** A clearing ingest may take a while (files up to 64 MiB): the reservation of its Idempotency-Key outlasts it. */
const IDEMPOTENCY_LEASE_MS = 10 * 60_000;
const IDEMPOTENCY_WAIT_MS = 10_000;

/**
 * `POST /v1/clearing/files` (http-and-events.md): the body is the network's daily clearing file
 * (`application/x-ndjson`). Answers `200 {fileId, accepted, rejected: [{line, reason}]}` (plus what
 * was emitted now, what earlier ingests had emitted, unknown cards and warnings); a file whose
 * header cannot be read is a 400 naming line 1. A file id posts once (clearing.md; see
 * ClearingIngest). An `Idempotency-Key` works as on every back-office write (docs/back-office.md):
 * the same key and file replay the first answer with `Idempotency-Replayed: true`, another file
 * with the key is `409 idempotency-conflict`; a 400 or 415 is not kept for the key.
 */
@Controller('v1/clearing')
@UseGuards(BackOfficeAuthGuard)
export class ClearingFilesController {
  constructor(
    @Inject(ClearingIngest) private readonly ingest: ClearingIngest,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('files')
  @HttpCode(200)
  async ingestFile(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | string[] | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!NDJSON.test(contentType ?? '') || typeof body !== 'string') {
      reply.status(415);
      return { error: { code: 'unsupported-media-type', reason: 'the clearing file is sent as application/x-ndjson' } };
    }
    const key = parseIdempotencyKey(idempotencyKey);
    if (!key.ok) {
      reply.status(400);
      return { error: { code: 'validation', ...key.error } };
    }
    const request = idempotencyRequest(key.value, 'POST', '/v1/clearing/files', body);
    if (request === undefined) return answer(reply, await this.ingest.ingest(body));
    const once = await runOncePerKey(
      this.redis,
      request,
      () => this.clock.nowMs(),
      { leaseMs: IDEMPOTENCY_LEASE_MS, waitMs: IDEMPOTENCY_WAIT_MS },
      async () => {
        const outcome = await this.ingest.ingest(body);
        return { outcome, keep: outcome.ok };
      },
    );
    if (once.kind === 'conflict') {
      reply.status(409);
      return { error: { code: 'idempotency-conflict', reason: IDEMPOTENCY_CONFLICT_REASON_TEXT } };
    }
    if (once.kind === 'in-progress') {
      reply.status(503);
      return { error: { code: 'busy', reason: 'a request with this Idempotency-Key is still being processed: retry it' } };
    }
    if (once.replayed) reply.header('idempotency-replayed', 'true');
    return answer(reply, once.outcome);
  }
}

function answer(reply: FastifyReply, outcome: Result<IngestAnswer, RejectedLine>) {
  if (!outcome.ok) {
    reply.status(400);
    return { error: { code: 'validation', field: `line ${outcome.error.line}`, reason: outcome.error.reason } };
  }
  return outcome.value;
}
