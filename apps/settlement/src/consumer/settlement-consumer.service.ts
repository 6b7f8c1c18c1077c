import { Inject, Injectable, Logger, BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { SettlementConfig } from '@lib/config';
import type { SettleBatchUseCase } from '@lib/ledger';
import { APP_CONFIG, KAFKA } from '@lib/platform';
import { SETTLE_BATCH } from '../ledger.providers';
import { SettlementMetrics } from '../metrics/settlement-metrics';
import { SettlementConsumer } from './settlement-consumer';

const RESTART_DELAY_MS = 5_000;

/**
 * Runs the ledger consumer for the app's lifetime. Kafka being down at boot does not stop the app
 * (health reports it): the consumer is started in the background and restarted until it joins.
 */
@Injectable()
export class SettlementConsumerService implements BeforeApplicationShutdown, OnApplicationBootstrap {
  private readonly logger = new Logger('SettlementConsumer');
  private consumer: SettlementConsumer | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: SettlementConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(SETTLE_BATCH) private readonly settle: SettleBatchUseCase,
    @Inject(SettlementMetrics) private readonly metrics: SettlementMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.settlement.consumer) void this.run();
  }

  private async run(): Promise<void> {
    if (this.stopping) return;
    const s = this.config.settlement;
    this.consumer = new SettlementConsumer({
      kafka: this.kafka,
      groupId: s.groupId,
      topics: s.topics,
      settle: this.settle,
      maxRetries: s.maxRetries,
      retryBackoffMs: s.retryBackoffMs,
      partitionsConcurrently: s.partitionsConcurrently,
      // Tests only (settlement.crashAfterCommit): die between the ledger commit and the offset commit.
      afterCommit: s.crashAfterCommit ? () => void process.kill(process.pid, 'SIGKILL') : undefined,
      log: (line) => this.logger.log(line),
      // One set of counters across consumer restarts: Prometheus counters only go up.
      metrics: this.metrics,
    });
    try {
      await this.consumer.start();
    } catch (error) {
      this.logger.error(`consumer did not start: ${(error as Error).message}; retrying in ${RESTART_DELAY_MS} ms`);
      await this.consumer.stop();
      this.restartTimer = setTimeout(() => void this.run(), RESTART_DELAY_MS);
    }
  }

  /** Before the infrastructure clients close: a batch in flight finishes or is abandoned uncommitted. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    await this.consumer?.stop();
  }
}
