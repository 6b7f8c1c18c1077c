import { Inject, Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { Clock, CLOCK } from '@lib/clock';
import type { GatewayConfig } from '@lib/config';
import { APP_CONFIG, KAFKA, PG_POOL, REDIS } from '@lib/platform';
import { CardSecrets } from '@lib/store';
import { ClearingIngest } from './clearing-ingest';
import { ClearingPublisher, KafkaClearingPublisher } from './event-publisher';
import { RaiseDispute } from './raise-dispute';

export const CLEARING_PUBLISHER = Symbol('CLEARING_PUBLISHER');

/** Closes the clearing producer with the app. */
@Injectable()
export class ClearingPublisherLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CLEARING_PUBLISHER) private readonly publisher: ClearingPublisher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close();
  }
}

export const clearingProviders: Provider[] = [
  { provide: CLEARING_PUBLISHER, inject: [KAFKA], useFactory: (kafka: Kafka): ClearingPublisher => new KafkaClearingPublisher(kafka) },
  ClearingPublisherLifecycle,
  {
    provide: ClearingIngest,
    inject: [REDIS, PG_POOL, CLEARING_PUBLISHER, CLOCK, APP_CONFIG],
    useFactory: (redis: Redis, pool: Pool, publisher: ClearingPublisher, clock: Clock, config: GatewayConfig) =>
      new ClearingIngest({ redis, pool, publisher, clock, secrets: new CardSecrets(config.security.panHmacKey), topic: config.gateway.clearingTopic }),
  },
  {
    provide: RaiseDispute,
    inject: [REDIS, PG_POOL, CLEARING_PUBLISHER, CLOCK, APP_CONFIG],
    useFactory: (redis: Redis, pool: Pool, publisher: ClearingPublisher, clock: Clock, config: GatewayConfig) =>
      new RaiseDispute({ redis, pool, publisher, clock, topic: config.gateway.clearingTopic }),
  },
];
