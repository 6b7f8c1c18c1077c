import { join } from 'path';
import { findRepoRoot } from '@lib/config';
import { Program, ProgramCatalogue, loadProgramCatalogue } from '@lib/programs';

/** The real programs of config/ (tests check the rules against the shipped data, not a copy). */
let catalogue: ProgramCatalogue | undefined;

export function specCatalogue(): ProgramCatalogue {
  return (catalogue ??= loadProgramCatalogue(join(findRepoRoot(), 'config')));
}

export function specProgram(id: string): Program {
  const program = specCatalogue().programs.get(id);
  if (!program) throw new Error(`no program ${id} in config/programs`);
  return program;
}
