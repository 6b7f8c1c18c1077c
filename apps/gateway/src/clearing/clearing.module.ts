import { Module } from '@nestjs/common';
import { BackOfficeAuthGuard } from '../back-office/back-office-auth';
import { ClearingFilesController } from './clearing-files.controller';
import { clearingProviders } from './clearing.providers';
import { DisputesController } from './disputes.controller';
import { NdjsonBodyParser } from './ndjson-body';

/** Clearing ingest (`POST /v1/clearing/files`) and chargebacks (`POST /v1/accounts/{id}/disputes`). */
@Module({
  controllers: [ClearingFilesController, DisputesController],
  providers: [...clearingProviders, NdjsonBodyParser, BackOfficeAuthGuard],
})
export class ClearingModule {}
