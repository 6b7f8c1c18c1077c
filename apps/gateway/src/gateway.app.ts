import { gatewayConfigSchema } from '@lib/config';
import type { HttpAppDefinition } from '@lib/platform';
import { GatewayModule } from './gateway.module';
import { setupOpenApi } from './openapi/openapi';

export const gatewayApp: HttpAppDefinition<typeof gatewayConfigSchema> = {
  name: 'gateway',
  schema: gatewayConfigSchema,
  module: (config) => GatewayModule.forRoot(config),
  listen: (config) => config.gateway.http,
  configure: (app) => setupOpenApi(app),
};
