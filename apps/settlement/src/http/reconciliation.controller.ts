import { Controller, Get, HttpException, Inject, Query, UseGuards } from '@nestjs/common';
import { ReconciliationService } from '../jobs/reconciliation.service';
import { BackOfficeKeyGuard } from './back-office-key.guard';

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `GET /v1/reconciliation` (clearing.md): the cache against the ledger. Optional `accountId`
 * (repeated, or comma-separated) limits the check to those accounts; without it every account
 * of the cache's directory and of the ledger is checked.
 */
@Controller('v1/reconciliation')
@UseGuards(BackOfficeKeyGuard)
export class ReconciliationController {
  constructor(@Inject(ReconciliationService) private readonly reconciliation: ReconciliationService) {}

  @Get()
  async reconcile(@Query('accountId') accountId?: string | string[]) {
    const ids = accountId === undefined ? undefined : (Array.isArray(accountId) ? accountId : [accountId]).flatMap((v) => v.split(',')).filter((v) => v !== '');
    const bad = ids?.find((id) => !ACCOUNT_ID.test(id));
    if (bad !== undefined) throw new HttpException({ error: { code: 'validation', field: 'accountId', reason: 'must be account ids (A-Z a-z 0-9 _ -)' } }, 400);
    const report = await this.reconciliation.reconcile(ids);
    return { checkedAt: report.checkedAt, accountsChecked: report.accountsChecked, differences: report.differences, inFlight: report.inFlight };
  }
}
