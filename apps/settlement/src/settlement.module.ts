import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { SettlementConfig } from '@lib/config';
import { InfraModule, MetricsModule, UnavailableExceptionFilter } from '@lib/platform';
import { SettlementConsumerService } from './consumer/settlement-consumer.service';
import { BackOfficeKeyGuard } from './http/back-office-key.guard';
import { SettlementClockController } from './http/clock.controller';
import { ReconciliationController } from './http/reconciliation.controller';
import { ReportsController } from './http/reports.controller';
import { PeriodicFeesService } from './jobs/periodic-fees.service';
import { ReconciliationService } from './jobs/reconciliation.service';
import { ledgerProviders } from './ledger.providers';
import { SettlementMetrics } from './metrics/settlement-metrics';

/**
 * The book of record: consumes the event stream into the double-entry ledger. Besides its own
 * routes it serves those of every app (http-and-events.md): `GET /health` (InfraModule),
 * `GET /metrics` (MetricsModule) and `GET /v1/clock` (the shared simulated clock, read-only).
 */
@Module({})
export class SettlementModule {
  static forRoot(config: SettlementConfig): DynamicModule {
    return {
      module: SettlementModule,
      imports: [InfraModule.forRoot({ appName: 'settlement', config, redis: config.redis, kafka: config.kafka, postgres: config.postgres }), MetricsModule],
      controllers: [ReconciliationController, ReportsController, SettlementClockController],
      providers: [...ledgerProviders, BackOfficeKeyGuard, SettlementMetrics, SettlementConsumerService, ReconciliationService, PeriodicFeesService, { provide: APP_FILTER, useClass: UnavailableExceptionFilter }],
    };
  }
}
