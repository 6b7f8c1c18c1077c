import { Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import { Clock, CLOCK } from '@lib/clock';
import { findRepoRoot } from '@lib/config';
import { ClearingApplier, LedgerRepository, SettleBatchUseCase } from '@lib/ledger';
import { PG_POOL, REDIS } from '@lib/platform';
import { loadProgramCatalogue, ProgramCatalogue } from '@lib/programs';
import { join } from 'path';

export const PROGRAM_CATALOGUE = Symbol('PROGRAM_CATALOGUE');
export const LEDGER_REPOSITORY = Symbol('LEDGER_REPOSITORY');
export const SETTLE_BATCH = Symbol('SETTLE_BATCH');

/** The ledger's collaborators, built once at boot from the validated config. */
export const ledgerProviders: Provider[] = [
  { provide: PROGRAM_CATALOGUE, useFactory: (): ProgramCatalogue => loadProgramCatalogue(join(findRepoRoot(), 'config')) },
  { provide: LEDGER_REPOSITORY, inject: [PG_POOL, CLOCK], useFactory: (pool: Pool, clock: Clock) => new LedgerRepository(pool, clock) },
  {
    provide: SETTLE_BATCH,
    inject: [LEDGER_REPOSITORY, REDIS, PROGRAM_CATALOGUE, CLOCK],
    useFactory: (repository: LedgerRepository, redis: Redis, catalogue: ProgramCatalogue, clock: Clock) =>
      new SettleBatchUseCase({ repository, clearing: new ClearingApplier({ redis, catalogue, clock, disputes: repository }) }),
  },
];
