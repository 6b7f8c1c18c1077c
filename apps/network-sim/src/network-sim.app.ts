import { networkSimConfigSchema } from '@lib/config';
import type { HttpAppDefinition } from '@lib/platform';
import { NetworkSimModule } from './network-sim.module';

export const networkSimApp: HttpAppDefinition<typeof networkSimConfigSchema> = {
  name: 'network-sim',
  schema: networkSimConfigSchema,
  module: (config) => NetworkSimModule.forRoot(config),
  listen: (config) => config.networkSim.http,
};
