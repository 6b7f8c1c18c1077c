import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import { Clock, CLOCK } from '@lib/clock';
import type { SettlementConfig } from '@lib/config';
import { ChargePeriodicFeesUseCase, LedgerRepository, PeriodicFeesReport } from '@lib/ledger';
import { APP_CONFIG, KAFKA, REDIS } from '@lib/platform';
import type { ProgramCatalogue } from '@lib/programs';
import { consumerReachesEnd } from '../consumer/consumer-lag';
import { LEDGER_REPOSITORY, PROGRAM_CATALOGUE } from '../ledger.providers';

/** How long one run waits for the ledger consumer to reach the topic's end before deferring. */
const LEDGER_WAIT_MS = 5_000;

/**
 * The periodic-fee job (`settlement.periodicFeesIntervalMs`, docs/settlement.md "Periodic fees"):
 * a thin adapter running ChargePeriodicFeesUseCase (@lib/ledger) on the injected business clock
 * (the shared simulated clock when `clock.simulated` is on). Safe with several settlement
 * instances: each period of each account is charged once by whichever step applies first.
 */
@Injectable()
export class PeriodicFeesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PeriodicFees');
  private readonly useCase: ChargePeriodicFeesUseCase;
  private admin: Admin | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: SettlementConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(REDIS) redis: Redis,
    @Inject(LEDGER_REPOSITORY) repository: LedgerRepository,
    @Inject(PROGRAM_CATALOGUE) catalogue: ProgramCatalogue,
    @Inject(CLOCK) clock: Clock,
  ) {
    const { groupId, topics } = config.settlement;
    this.useCase = new ChargePeriodicFeesUseCase({
      redis,
      repository,
      programs: catalogue.programs,
      clock,
      ledgerCaughtUp: async () => consumerReachesEnd(await this.connectedAdmin(), groupId, topics.authorizations, LEDGER_WAIT_MS),
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

  run(accountIds?: readonly string[]): Promise<PeriodicFeesReport> {
    return this.useCase.execute(accountIds);
  }

  onApplicationBootstrap(): void {
    // The job reads the ledger this process' consumer keeps current: off without the consumer.
    const every = this.config.settlement.consumer ? this.config.settlement.periodicFeesIntervalMs : 0;
    if (every > 0) this.timer = setInterval(() => void this.periodic(), every);
  }

  private periodic(): void {
    if (this.running) return;
    this.running = (async () => {
      try {
        const report = await this.run();
        if (report.charged.length > 0 || report.deferred.length > 0) {
          this.logger.log(`${report.accountsDue} account(s) due: ${report.charged.length} period(s) charged, ${report.nothingDue} with nothing due, ${report.deferred.length} deferred`);
        }
      } catch (error) {
        this.logger.error(`periodic fees failed: ${(error as Error).message}`);
      } finally {
        this.running = null;
      }
    })();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.admin?.disconnect().catch(() => undefined);
  }
}
