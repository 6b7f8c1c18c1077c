import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { findRepoRoot } from '@lib/config';
import { parseScenario, ParsedScenario } from './parse-scenario';

/** Where the documented scenario files live. */
export function scenariosDir(root = findRepoRoot()): string {
  return join(root, 'apps', 'network-sim', 'scenarios');
}

export function listScenarios(root = findRepoRoot()): string[] {
  return readdirSync(scenariosDir(root))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => name.replace(/\.yaml$/, ''))
    .sort();
}

/** A scenario by name (a file of scenarios/) or by path; errors are one line naming the file. */
export function loadScenario(nameOrPath: string, root = findRepoRoot()): ParsedScenario {
  const byName = join(scenariosDir(root), `${nameOrPath}.yaml`);
  const path = /\.ya?ml$/.test(nameOrPath) ? (isAbsolute(nameOrPath) ? nameOrPath : resolve(process.cwd(), nameOrPath)) : byName;
  if (!existsSync(path)) {
    return { ok: false, error: `${nameOrPath}: no such scenario (known: ${listScenarios(root).join(', ')})` };
  }
  return parseScenario(readFileSync(path, 'utf8'), relative(root, path) || path);
}
