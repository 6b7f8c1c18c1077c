import { DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from '@lib/config';
import { InfraModule, MetricsModule } from '@lib/platform';
import { BackOfficeModule } from './back-office/back-office.module';
import { ClearingModule } from './clearing/clearing.module';
import { ClockModule } from './clock/clock.module';
import { HoldExpiryModule } from './expiry/hold-expiry.module';
import { NetworkModule } from './network/network.module';
import { RelayModule } from './relay/relay.module';
import { StatementModule } from './statement/statement.module';

/** The issuer's front door: ISO 8583 over TCP and HTTP, and the back office. */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        InfraModule.forRoot({ appName: 'gateway', config, redis: config.redis, kafka: config.kafka, postgres: config.postgres }),
        MetricsModule,
        NetworkModule,
        BackOfficeModule,
        ClearingModule,
        StatementModule,
        ClockModule,
        HoldExpiryModule,
        RelayModule,
      ],
    };
  }
}
