import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { BackOfficeAuthGuard, BackOfficeAuthMiddleware } from '../back-office/back-office-auth';
import { ClearingFilesController } from './clearing-files.controller';
import { clearingProviders } from './clearing.providers';
import { DisputesController } from './disputes.controller';
import { NdjsonBodyParser } from './ndjson-body';

/**
 * Clearing ingest (`POST /v1/clearing/files`) and chargebacks (`POST /v1/accounts/{id}/disputes`),
 * back-office routes: the key is checked before the body is parsed (a request without it learns
 * neither that its JSON is broken nor that its content type is wrong).
 */
@Module({
  controllers: [ClearingFilesController, DisputesController],
  providers: [...clearingProviders, NdjsonBodyParser, BackOfficeAuthGuard],
})
export class ClearingModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(BackOfficeAuthMiddleware).forRoutes(ClearingFilesController, DisputesController);
  }
}
