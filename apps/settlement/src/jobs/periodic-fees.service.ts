import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { Clock, CLOCK } from '@lib/clock';
import type { SettlementConfig } from '@lib/config';
import { ChargePeriodicFeesUseCase, LedgerRepository, PeriodicFeesReport } from '@lib/ledger';
import { APP_CONFIG, KAFKA, REDIS } from '@lib/platform';
import type { ProgramCatalogue } from '@lib/programs';
import { consumerReachesEnd } from '../consumer/consumer-lag';
import { LEDGER_REPOSITORY, PROGRAM_CATALOGUE } from '../ledger.providers';
import { PeriodicJob } from './periodic-job';

/** How long one run waits for the ledger consumer to reach the topic's end before deferring. */
const LEDGER_WAIT_MS = 5_000;

/**
 * The periodic-fee job (`settlement.periodicFeesIntervalMs`, docs/settlement.md "Periodic fees"):
 * a thin adapter running ChargePeriodicFeesUseCase (@lib/ledger) on the injected business clock
 * (the shared simulated clock when `clock.simulated` is on). Safe with several settlement
 * instances: each period of each account is charged once by whichever step applies first.
 */
@Injectable()
export class PeriodicFeesService extends PeriodicJob {
  private readonly useCase: ChargePeriodicFeesUseCase;

  constructor(
    @Inject(APP_CONFIG) private readonly config: SettlementConfig,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(REDIS) redis: Redis,
    @Inject(LEDGER_REPOSITORY) repository: LedgerRepository,
    @Inject(PROGRAM_CATALOGUE) catalogue: ProgramCatalogue,
    @Inject(CLOCK) clock: Clock,
  ) {
    super('PeriodicFees', kafka);
    const { groupId, topics } = config.settlement;
    this.useCase = new ChargePeriodicFeesUseCase({
      redis,
      repository,
      programs: catalogue.programs,
      clock,
      ledgerCaughtUp: async () => consumerReachesEnd(await this.connectedAdmin(), groupId, topics.authorizations, LEDGER_WAIT_MS),
    });
  }

  run(accountIds?: readonly string[]): Promise<PeriodicFeesReport> {
    return this.useCase.execute(accountIds);
  }

  // The job reads the ledger this process' consumer keeps current: off without the consumer.
  protected intervalMs(): number {
    return this.config.settlement.consumer ? this.config.settlement.periodicFeesIntervalMs : 0;
  }

  protected async runOnce(): Promise<void> {
    const report = await this.run();
    if (report.charged.length > 0 || report.deferred.length > 0) {
      this.logger.log(`${report.accountsDue} account(s) due: ${report.charged.length} period(s) charged, ${report.nothingDue} with nothing due, ${report.deferred.length} deferred`);
    }
  }
}
