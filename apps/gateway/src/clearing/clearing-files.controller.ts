import { Body, Controller, Headers, HttpCode, Inject, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BackOfficeAuthGuard } from '../back-office/back-office-auth';
import { ClearingIngest } from './clearing-ingest';
import { NDJSON } from './ndjson-body';

/**
 * `POST /v1/clearing/files` (http-and-events.md): the body is the network's daily clearing file
 * (`application/x-ndjson`). Answers `{fileId, accepted, rejected: [{line, reason}]}` (plus what was
 * emitted now, what earlier ingests had emitted, unknown cards and warnings); a file whose header
 * cannot be read is a 400 naming line 1.
 */
@Controller('v1/clearing')
@UseGuards(BackOfficeAuthGuard)
export class ClearingFilesController {
  constructor(@Inject(ClearingIngest) private readonly ingest: ClearingIngest) {}

  @Post('files')
  @HttpCode(200)
  async ingestFile(@Body() body: unknown, @Headers('content-type') contentType: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    if (!NDJSON.test(contentType ?? '') || typeof body !== 'string') {
      reply.status(415);
      return { error: { code: 'unsupported-media-type', reason: 'the clearing file is sent as application/x-ndjson' } };
    }
    const answer = await this.ingest.ingest(body);
    if (!answer.ok) {
      reply.status(400);
      return { error: { code: 'validation', field: `line ${answer.error.line}`, reason: answer.error.reason } };
    }
    return answer.value;
  }
}
