import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type Redis from 'ioredis';
import {
  BackOfficeDeps,
  ChangeCardStateUseCase,
  GetAccountUseCase,
  IssueCardUseCase,
  LoadFundsUseCase,
  OpenAccountUseCase,
  RevokeConsentUseCase,
  cryptoRandom,
} from '@lib/back-office';
import type { Clock } from '@lib/clock';
import { CLOCK } from '@lib/clock';
import type { GatewayConfig } from '@lib/config';
import { APP_CONFIG, MetricsModule, REDIS } from '@lib/platform';
import type { ProgramCatalogue } from '@lib/programs';
import { CardSecrets } from '@lib/store';
import { PROGRAM_CATALOGUE, ProgramCatalogueModule } from '../programs/program-catalogue.module';
import { AccountsController } from './accounts.controller';
import { BackOfficeAuthGuard, BackOfficeAuthMiddleware } from './back-office-auth';
import { BackOfficeExceptionFilter } from './back-office-exception.filter';
import { BackOfficeHttp } from './back-office-http';
import { BackOfficeMetrics } from './back-office-metrics';
import { CardsController } from './cards.controller';

export const BACK_OFFICE_DEPS = Symbol('BACK_OFFICE_DEPS');

const useCase = <T>(type: new (deps: BackOfficeDeps) => T) => ({
  provide: type,
  inject: [BACK_OFFICE_DEPS],
  useFactory: (deps: BackOfficeDeps) => new type(deps),
});

/**
 * The back office of http-and-events.md (accounts, loads, cards, card states, consents): Nest
 * controllers over the framework-free use cases of @lib/back-office, behind the bearer key.
 */
@Module({
  imports: [MetricsModule, ProgramCatalogueModule],
  controllers: [AccountsController, CardsController],
  providers: [
    {
      provide: BACK_OFFICE_DEPS,
      inject: [REDIS, CLOCK, APP_CONFIG, PROGRAM_CATALOGUE],
      useFactory: (
        redis: Redis,
        clock: Clock,
        config: GatewayConfig,
        catalogue: ProgramCatalogue,
      ): BackOfficeDeps => ({
        redis,
        clock,
        catalogue,
        secrets: new CardSecrets(config.security.panHmacKey),
        random: cryptoRandom,
      }),
    },
    useCase(OpenAccountUseCase),
    useCase(GetAccountUseCase),
    useCase(LoadFundsUseCase),
    useCase(IssueCardUseCase),
    useCase(ChangeCardStateUseCase),
    useCase(RevokeConsentUseCase),
    BackOfficeHttp,
    BackOfficeMetrics,
    BackOfficeAuthGuard,
    { provide: APP_FILTER, useClass: BackOfficeExceptionFilter },
  ],
  exports: [BackOfficeAuthGuard],
})
export class BackOfficeModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(BackOfficeAuthMiddleware).forRoutes(AccountsController, CardsController);
  }
}
