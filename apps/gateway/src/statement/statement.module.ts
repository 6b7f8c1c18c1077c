import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { BackOfficeAuthGuard, BackOfficeAuthMiddleware } from '../back-office/back-office-auth';
import { StatementController } from './statement.controller';

/** `GET /v1/accounts/{id}/statement`, read from the ledger; a back-office route (key checked first). */
@Module({
  controllers: [StatementController],
  providers: [BackOfficeAuthGuard],
})
export class StatementModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(BackOfficeAuthMiddleware).forRoutes(StatementController);
  }
}
