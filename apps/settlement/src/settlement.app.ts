import { settlementConfigSchema } from '@lib/config';
import type { HttpAppDefinition } from '@lib/platform';
import { SettlementModule } from './settlement.module';

export const settlementApp: HttpAppDefinition<typeof settlementConfigSchema> = {
  name: 'settlement',
  schema: settlementConfigSchema,
  module: (config) => SettlementModule.forRoot(config),
  listen: (config) => config.settlement.http,
};
