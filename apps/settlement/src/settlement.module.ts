import { DynamicModule, Module } from '@nestjs/common';
import type { SettlementConfig } from '@lib/config';
import { InfraModule } from '@lib/platform';
import { SettlementConsumerService } from './consumer/settlement-consumer.service';
import { BackOfficeKeyGuard } from './http/back-office-key.guard';
import { ReconciliationController } from './http/reconciliation.controller';
import { ReportsController } from './http/reports.controller';
import { ReconciliationService } from './jobs/reconciliation.service';
import { ledgerProviders } from './ledger.providers';

/** The book of record: consumes the event stream into the double-entry ledger. */
@Module({})
export class SettlementModule {
  static forRoot(config: SettlementConfig): DynamicModule {
    return {
      module: SettlementModule,
      imports: [InfraModule.forRoot({ appName: 'settlement', config, redis: config.redis, kafka: config.kafka, postgres: config.postgres })],
      controllers: [ReconciliationController, ReportsController],
      providers: [...ledgerProviders, BackOfficeKeyGuard, SettlementConsumerService, ReconciliationService],
    };
  }
}
