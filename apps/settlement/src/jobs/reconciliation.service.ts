import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { Clock, CLOCK } from '@lib/clock';
import type { SettlementConfig } from '@lib/config';
import { LedgerRepository, ReconciliationReport, ReconciliationUseCase } from '@lib/ledger';
import { APP_CONFIG, KAFKA, REDIS } from '@lib/platform';
import { consumerLag } from '../consumer/consumer-lag';
import { LEDGER_REPOSITORY } from '../ledger.providers';
import { PeriodicJob } from './periodic-job';

/**
 * Reconciliation of Redis against the ledger: on demand (GET /v1/reconciliation) and as a periodic
 * job (`settlement.reconciliationIntervalMs`) whose report is logged, one line per difference.
 */
@Injectable()
export class ReconciliationService extends PeriodicJob {
  private readonly useCase: ReconciliationUseCase;

  constructor(
    @Inject(APP_CONFIG) private readonly config: SettlementConfig,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(REDIS) redis: Redis,
    @Inject(LEDGER_REPOSITORY) repository: LedgerRepository,
    @Inject(CLOCK) clock: Clock,
  ) {
    super('Reconciliation', kafka);
    const { groupId, topics } = config.settlement;
    this.useCase = new ReconciliationUseCase({
      redis,
      repository,
      clock,
      inFlight: async () => consumerLag(await this.connectedAdmin(), groupId, [topics.authorizations, topics.clearing]),
    });
  }

  reconcile(accountIds?: readonly string[]): Promise<ReconciliationReport> {
    return this.useCase.execute(accountIds);
  }

  protected intervalMs(): number {
    return this.config.settlement.reconciliationIntervalMs;
  }

  protected async runOnce(): Promise<void> {
    const report = await this.reconcile();
    this.logger.log(`checked ${report.accountsChecked} accounts: ${report.differences.length} difference(s)`);
    for (const d of report.differences.slice(0, 100)) {
      this.logger.warn(`${d.accountId} ${d.currency} ${d.check}: cache ${d.cache.minor} vs expected ${d.expected.minor} (${d.cause})`);
    }
  }
}
