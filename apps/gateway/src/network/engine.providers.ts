import { Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import { Clock, CLOCK } from '@lib/clock';
import type { GatewayConfig } from '@lib/config';
import { NetworkMessageHandler, PinBlockCodec } from '@lib/engine';
import { APP_CONFIG, METRICS_REGISTRY, REDIS } from '@lib/platform';
import type { ProgramCatalogue } from '@lib/programs';
import { CardSecrets } from '@lib/store';
import type { Registry } from 'prom-client';
import type { IsoMessage } from '@lib/iso8583';
import { PROGRAM_CATALOGUE } from '../programs/program-catalogue.module';
import { NetworkMetrics } from './network-metrics';

export const CARD_SECRETS = Symbol('CARD_SECRETS');
export const NETWORK_HANDLER = Symbol('NETWORK_HANDLER');

/** What the TCP link and the HTTP route call: the engine's NetworkMessageHandler, metered. */
export interface NetworkHandler {
  handle(request: IsoMessage): Promise<IsoMessage | undefined>;
}

/** The engine's collaborators, built once at boot from the validated config. */
export const engineProviders: Provider[] = [
  { provide: CARD_SECRETS, inject: [APP_CONFIG], useFactory: (config: GatewayConfig) => new CardSecrets(config.security.panHmacKey) },
  {
    provide: NETWORK_HANDLER,
    inject: [REDIS, PROGRAM_CATALOGUE, CARD_SECRETS, CLOCK, APP_CONFIG, METRICS_REGISTRY],
    useFactory: (redis: Redis, catalogue: ProgramCatalogue, secrets: CardSecrets, clock: Clock, config: GatewayConfig, registry: Registry) => {
      const handler = new NetworkMessageHandler({
        redis,
        catalogue,
        secrets,
        clock,
        pinBlocks: new PinBlockCodec(config.security.zonePinKey),
        redisBudgetMs: config.gateway.redisBudgetMs,
      });
      // Same interface, every answer counted (GET /metrics).
      const metered: NetworkHandler = { handle: new NetworkMetrics(registry).measure((request) => handler.handle(request)) };
      return metered;
    },
  },
];
