import { DynamicModule, Module } from '@nestjs/common';
import type { SettlementConfig } from '@lib/config';
import { InfraModule } from '@lib/platform';

/** The book of record: consumes the event stream into the double-entry ledger. */
@Module({})
export class SettlementModule {
  static forRoot(config: SettlementConfig): DynamicModule {
    return {
      module: SettlementModule,
      imports: [InfraModule.forRoot({ appName: 'settlement', config, redis: config.redis, kafka: config.kafka, postgres: config.postgres })],
    };
  }
}
