import type { Server } from 'http';
import { gatewayConfigSchema } from '@lib/config';
import type { HttpAppDefinition } from '@lib/platform';
import { GatewayModule } from './gateway.module';
import { NETWORK_HANDLER, NetworkHandler } from './network/engine.providers';
import { installNetworkFastPath, NetworkFastPath } from './network/network-fast-path';
import { setupOpenApi } from './openapi/openapi';

export const gatewayApp: HttpAppDefinition<typeof gatewayConfigSchema> = {
  name: 'gateway',
  schema: gatewayConfigSchema,
  module: (config) => GatewayModule.forRoot(config),
  listen: (config) => config.gateway.http,
  configure: (app, config) => {
    setupOpenApi(app);
    installNetworkFastPath(app.getHttpServer() as Server, new NetworkFastPath(app.get<NetworkHandler>(NETWORK_HANDLER), config));
  },
};
