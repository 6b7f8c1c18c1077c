/**
 * The only file of the domain libraries that reads files (eslint.config.mjs exempts it): it reads
 * config/merchant-categories.yaml, config/programs/*.yaml and config/fx/*.yaml and hands the
 * texts to the pure `buildCatalogue`. Call once at start-up; a bad file throws a ConfigError
 * naming the file, the key path and the problem, which stops the app.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogueTexts, ConfigText, ProgramCatalogue, buildCatalogue } from './config/catalogue';

function readTexts(directory: string): ConfigText[] {
  return readdirSync(directory)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => ({ file: join(directory, name), text: readFileSync(join(directory, name), 'utf8') }));
}

/** Reads the config texts under `configDir` (e.g. 'config'); file names in errors start with it. */
export function readCatalogueTexts(configDir: string): CatalogueTexts {
  const merchantCategoriesFile = join(configDir, 'merchant-categories.yaml');
  return {
    merchantCategories: { file: merchantCategoriesFile, text: readFileSync(merchantCategoriesFile, 'utf8') },
    programs: readTexts(join(configDir, 'programs')),
    rates: readTexts(join(configDir, 'fx')),
  };
}

/** Loads and validates every program, the FX reference rates and the merchant category groups. */
export function loadProgramCatalogue(configDir: string): ProgramCatalogue {
  return buildCatalogue(readCatalogueTexts(configDir));
}
