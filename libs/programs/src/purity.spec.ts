import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The domain libraries do no I/O and never read the wall clock (STYLE.md, README invariants).
 * eslint.config.mjs enforces the same; this test keeps it true even where lint is not run.
 * Scanned: every non-spec source of libs/money and libs/programs except load-programs.ts (the one
 * file allowed to read config files) and the spec helper (which loads the real config for tests).
 */
const ROOT = join(__dirname, '../../..');
const LIBS = ['libs/money/src', 'libs/programs/src'];
const ALLOWED_IO_FILES = new Set(['libs/programs/src/load-programs.ts', 'libs/programs/src/spec-helpers.ts']);
const IO_MODULES =
  /^(node:)?(fs|fs\/promises|net|http|https|http2|dgram|child_process|worker_threads|cluster|readline|tls|dns)$|^(ioredis|kafkajs|pg|@nestjs\/.*|axios|undici)$/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

function importsOf(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]);
  return found;
}

const files = LIBS.flatMap((lib) => sources(join(ROOT, lib))).map((path) => ({
  path: relative(ROOT, path),
  text: readFileSync(path, 'utf8'),
}));

describe('domain purity of libs/money and libs/programs', () => {
  it('scans the real sources', () => {
    expect(files.length).toBeGreaterThan(15);
    expect(files.some((f) => f.path === 'libs/programs/src/load-programs.ts')).toBe(true);
    expect(importsOf("import { x } from 'fs';\nconst y = require('net');\nimport 'pg';")).toEqual([
      'fs',
      'net',
      'pg',
    ]);
  });

  it.each(files.filter((f) => !ALLOWED_IO_FILES.has(f.path)).map((f) => [f.path, f.text]))(
    '%s imports no I/O library',
    (_path, text) => {
      expect(importsOf(text).filter((name) => IO_MODULES.test(name))).toEqual([]);
    },
  );

  it.each(files.map((f) => [f.path, f.text]))('%s never reads the wall clock', (_path, text) => {
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/Date\.now\s*\(/);
    expect(code).not.toMatch(/new\s+Date\s*\(\s*\)/);
    expect(code).not.toMatch(/performance\.now\s*\(/);
  });
});
