import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';

/**
 * What the settlement app's periodic jobs share: a timer (off when the interval is 0), one run at
 * a time (a run still going when the timer fires again is not doubled), a failed run logged and
 * retried at the next tick, a Kafka admin client connected on first use, and a shutdown that
 * waits for the run in progress.
 */
export abstract class PeriodicJob implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly logger: Logger;
  private admin: Admin | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  protected constructor(
    private readonly name: string,
    private readonly kafka: Kafka,
  ) {
    this.logger = new Logger(name);
  }

  /** Milliseconds between runs; 0: the job does not run by itself. */
  protected abstract intervalMs(): number;

  /** One run, logging what it did. */
  protected abstract runOnce(): Promise<void>;

  protected async connectedAdmin(): Promise<Admin> {
    if (this.admin === null) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  onApplicationBootstrap(): void {
    const every = this.intervalMs();
    if (every > 0) this.timer = setInterval(() => this.tick(), every);
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.runOnce()
      .catch((error: unknown) => this.logger.error(`${this.name} failed: ${(error as Error).message}`))
      .finally(() => {
        this.running = null;
      });
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.admin?.disconnect().catch(() => undefined);
  }
}
