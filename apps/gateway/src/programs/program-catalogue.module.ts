import { join } from 'path';
import { Module } from '@nestjs/common';
import { findRepoRoot } from '@lib/config';
import { loadProgramCatalogue } from '@lib/programs';

/**
 * The card programs, FX reference rates and merchant category groups of config/, loaded and
 * validated once at boot (a bad file stops the app naming the file, key and problem). Shared by
 * every module of the gateway that applies program rules.
 */
export const PROGRAM_CATALOGUE = Symbol('PROGRAM_CATALOGUE');

@Module({
  providers: [
    { provide: PROGRAM_CATALOGUE, useFactory: () => loadProgramCatalogue(join(findRepoRoot(), 'config')) },
  ],
  exports: [PROGRAM_CATALOGUE],
})
export class ProgramCatalogueModule {}
