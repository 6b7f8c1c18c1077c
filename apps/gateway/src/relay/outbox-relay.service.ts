import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { Gauge, Registry } from 'prom-client';
import type { GatewayConfig } from '@lib/config';
import { OutboxRelay, RelayMetrics } from '@lib/outbox-relay';
import { APP_CONFIG, createKafka, createRedis, METRICS_REGISTRY } from '@lib/platform';

/**
 * Runs the outbox relay inside the gateway: every decision appended to an account's outbox by
 * the atomic step reaches `card.authorizations`, at least once, even after Kafka was down. The
 * relay has its own Redis connection so it never delays an authorisation.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private redis: Redis | undefined;
  private relay: OutboxRelay | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    const gauge = (name: keyof RelayMetrics, help: string) => {
      const current = () => this.relay?.metrics()[name] ?? 0;
      return new Gauge({
        name: `outbox_relay_${name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}`,
        help,
        registers: [registry],
        collect() {
          this.set(current());
        },
      });
    };
    gauge('relayedEvents', 'Events acknowledged by Kafka (re-sends count again)');
    gauge('failedAttempts', 'Relay turns that failed; their entries were kept');
    gauge('deadLettered', 'Outbox entries that could not become valid events');
    gauge('pendingAccounts', 'Accounts with outbox entries waiting (lag)');
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.gateway.outboxRelay) return;
    this.redis = createRedis(this.config.redis, 'gateway-outbox-relay');
    await this.redis.connect();
    this.relay = new OutboxRelay(this.redis, createKafka(this.config.kafka, 'gateway-outbox-relay'), {
      logger: { warn: (m) => this.logger.warn(m), error: (m) => this.logger.error(m) },
    });
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    await this.redis?.quit().catch(() => undefined);
  }
}
