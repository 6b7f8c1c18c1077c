import { Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { Clock, CLOCK } from '@lib/clock';
import { HoldExpirySweeper } from '@lib/engine';
import type { GatewayConfig } from '@lib/config';
import { APP_CONFIG, REDIS } from '@lib/platform';

/**
 * Runs the hold-expiry sweeper (libs/engine/src/expiry) in the gateway: holds of accounts no
 * message touches are released at their expiry on the app's clock (the shared simulated one when
 * clock.simulated is on), each once, with its hold.expired outbox entry. Every gateway instance
 * may run it: the atomic step expires a hold once whoever runs it.
 */
@Injectable()
export class HoldExpiryService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly sweeper: HoldExpirySweeper;

  constructor(@Inject(REDIS) redis: Redis, @Inject(CLOCK) clock: Clock, @Inject(APP_CONFIG) private readonly config: GatewayConfig) {
    this.sweeper = new HoldExpirySweeper(redis, clock);
  }

  onApplicationBootstrap(): void {
    if (this.config.gateway.holdExpirySweeper) this.sweeper.start();
  }

  onApplicationShutdown(): void {
    this.sweeper.stop();
  }
}

@Module({ providers: [HoldExpiryService], exports: [HoldExpiryService] })
export class HoldExpiryModule {}
