import { Controller, Get, Inject, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { readStatement } from '@lib/ledger';
import { PG_POOL, REDIS } from '@lib/platform';
import { keys } from '@lib/store';
import { BackOfficeAuthGuard } from '../back-office/back-office-auth';

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/**
 * `GET /v1/accounts/{id}/statement` (clearing.md): the ledger entries of the account, newest
 * first, read from PostgreSQL (the book of record). `limit` (1-1000, default 100) and `before`
 * (an entryId: older entries) page through it.
 */
@Controller('v1/accounts')
@UseGuards(BackOfficeAuthGuard)
export class StatementController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get(':id/statement')
  async statement(@Param('id') accountId: string, @Query('limit') limit: string | undefined, @Query('before') before: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const invalid = (field: string, reason: string) => {
      reply.status(400);
      return { error: { code: 'validation', field, reason } };
    };
    if (limit !== undefined && !/^[1-9][0-9]{0,3}$/.test(limit)) return invalid('limit', `must be an integer between 1 and ${MAX_LIMIT}`);
    if (before !== undefined && !/^[1-9][0-9]{0,18}$/.test(before)) return invalid('before', 'must be an entryId');
    const pageSize = Math.min(Number(limit ?? DEFAULT_LIMIT), MAX_LIMIT);
    if (!ACCOUNT_ID.test(accountId)) {
      reply.status(404);
      return { error: { code: 'not-found', reason: 'unknown account' } };
    }
    const statement = await readStatement(this.pool, { accountId, beforeEntryId: before, limit: pageSize });
    if (statement.entries.length === 0 && before === undefined && (await this.redis.exists(keys.account(accountId))) === 0) {
      reply.status(404);
      return { error: { code: 'not-found', reason: 'unknown account' } };
    }
    return statement;
  }
}
