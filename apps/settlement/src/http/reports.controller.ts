import { Controller, Get, HttpException, Inject, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Pool } from 'pg';
import { readSettlementReport, settlementReportCsv } from '@lib/ledger';
import { PG_POOL } from '@lib/platform';
import { parseDayId } from '@lib/programs';
import { BackOfficeKeyGuard } from './back-office-key.guard';

/** `GET /v1/reports/settlement?date=YYYY-MM-DD[&format=csv]`: the daily settlement report. */
@Controller('v1/reports')
@UseGuards(BackOfficeKeyGuard)
export class ReportsController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get('settlement')
  async settlement(@Query('date') date: string | undefined, @Query('format') format: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    if (typeof date !== 'string' || parseDayId(date) === undefined) {
      throw new HttpException({ error: { code: 'validation', field: 'date', reason: 'is required, a date YYYY-MM-DD' } }, 400);
    }
    if (format !== undefined && format !== 'json' && format !== 'csv') {
      throw new HttpException({ error: { code: 'validation', field: 'format', reason: 'must be json or csv' } }, 400);
    }
    const report = await readSettlementReport(this.pool, date);
    if (format !== 'csv') return report;
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="settlement-${date}.csv"`);
    return settlementReportCsv(report);
  }
}
