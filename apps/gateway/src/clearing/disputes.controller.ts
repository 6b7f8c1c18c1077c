import { Body, Controller, Headers, Inject, Param, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BackOfficeAuthGuard } from '../back-office/back-office-auth';
import { RaiseDispute } from './raise-dispute';

/** `POST /v1/accounts/{id}/disputes` `{transactionId, amount, reason}` -> `{disputeId, status}` (clearing.md). */
@Controller('v1/accounts')
@UseGuards(BackOfficeAuthGuard)
export class DisputesController {
  constructor(@Inject(RaiseDispute) private readonly raise: RaiseDispute) {}

  @Post(':id/disputes')
  async dispute(@Param('id') accountId: string, @Body() body: unknown, @Headers('idempotency-key') idempotencyKey: string | string[] | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const answer = await this.raise.execute(accountId, body, idempotencyKey);
    if (answer.replayed) reply.header('idempotency-replayed', 'true');
    reply.status(answer.status);
    return answer.body;
  }
}
