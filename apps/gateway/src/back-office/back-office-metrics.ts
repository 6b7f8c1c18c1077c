import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@lib/platform';

export type BackOfficeOperation =
  'open-account' | 'get-account' | 'load' | 'issue-card' | 'card-state' | 'revoke-consent';

/** `back_office_operations_total{operation, outcome}`: outcome is `ok`, `replayed` or the error code. */
@Injectable()
export class BackOfficeMetrics {
  private readonly operations: Counter<'operation' | 'outcome'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const existing = registry.getSingleMetric('back_office_operations_total') as
      Counter<'operation' | 'outcome'> | undefined;
    this.operations =
      existing ??
      new Counter({
        name: 'back_office_operations_total',
        help: 'Back-office operations by outcome (ok, replayed, or the refusal code)',
        labelNames: ['operation', 'outcome'],
        registers: [registry],
      });
  }

  count(operation: BackOfficeOperation, outcome: string): void {
    this.operations.inc({ operation, outcome });
  }
}
