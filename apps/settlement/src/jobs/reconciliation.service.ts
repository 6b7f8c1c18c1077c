import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import { Clock, CLOCK } from '@lib/clock';
import type { SettlementConfig } from '@lib/config';
import { LedgerRepository, ReconciliationReport, ReconciliationUseCase } from '@lib/ledger';
import { APP_CONFIG, KAFKA, REDIS } from '@lib/platform';
import { consumerLag } from '../consumer/consumer-lag';
import { LEDGER_REPOSITORY } from '../ledger.providers';

/**
 * Reconciliation of Redis against the ledger: on demand (GET /v1/reconciliation) and as a periodic
 * job (`settlement.reconciliationIntervalMs`) whose report is logged, one line per difference.
 */
@Injectable()
export class ReconciliationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciliation');
  private readonly useCase: ReconciliationUseCase;
  private admin: Admin | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: SettlementConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(REDIS) redis: Redis,
    @Inject(LEDGER_REPOSITORY) repository: LedgerRepository,
    @Inject(CLOCK) clock: Clock,
  ) {
    const { groupId, topics } = config.settlement;
    this.useCase = new ReconciliationUseCase({
      redis,
      repository,
      clock,
      inFlight: async () => consumerLag(await this.connectedAdmin(), groupId, [topics.authorizations, topics.clearing]),
    });
  }

  private async connectedAdmin(): Promise<Admin> {
    if (this.admin === null) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  reconcile(accountIds?: readonly string[]): Promise<ReconciliationReport> {
    return this.useCase.execute(accountIds);
  }

  onApplicationBootstrap(): void {
    const every = this.config.settlement.reconciliationIntervalMs;
    if (every > 0) this.timer = setInterval(() => void this.periodic(), every);
  }

  private async periodic(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const report = await this.reconcile();
      this.logger.log(`checked ${report.accountsChecked} accounts: ${report.differences.length} difference(s)`);
      for (const d of report.differences.slice(0, 100)) {
        this.logger.warn(`${d.accountId} ${d.currency} ${d.check}: cache ${d.cache.minor} vs expected ${d.expected.minor} (${d.cause})`);
      }
    } catch (error) {
      this.logger.error(`reconciliation failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
