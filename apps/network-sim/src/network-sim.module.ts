import { DynamicModule, Module } from '@nestjs/common';
import type { NetworkSimConfig } from '@lib/config';
import { InfraModule } from '@lib/platform';

/** Plays the card network towards the gateway. */
@Module({})
export class NetworkSimModule {
  static forRoot(config: NetworkSimConfig): DynamicModule {
    return { module: NetworkSimModule, imports: [InfraModule.forRoot({ appName: 'network-sim', config })] };
  }
}
