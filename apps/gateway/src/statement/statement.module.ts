import { Module } from '@nestjs/common';
import { BackOfficeAuthGuard } from '../back-office/back-office-auth';
import { StatementController } from './statement.controller';

/** `GET /v1/accounts/{id}/statement`, read from the ledger. */
@Module({
  controllers: [StatementController],
  providers: [BackOfficeAuthGuard],
})
export class StatementModule {}
