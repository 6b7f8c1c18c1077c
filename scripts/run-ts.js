#!/usr/bin/env node
/**
 * Runs a TypeScript file without a build step: `node scripts/run-ts.js <file.ts> [args...]`.
 *
 * Registers a `.ts` loader that transforms each file with @swc/core (the options of the repo's
 * .swcrc, so code runs as it does under Jest and the build) and resolves the `@lib/<name>` path
 * alias to `libs/<name>/src`, as tsconfig.json and jest.config.js do. No type checking: run
 * `npx tsc --noEmit` for that. Reusable by any script; `require('./run-ts').register()` registers
 * the loader without running a file (e.g. in a forked child: `execArgv: ['-r', '<this file>']`).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');

const ROOT = path.resolve(__dirname, '..');
const LIB_ALIAS = /^@lib\/([^/]+)(\/.*)?$/;

function swcOptions() {
  const rc = JSON.parse(fs.readFileSync(path.join(ROOT, '.swcrc'), 'utf8'));
  delete rc.$schema;
  // The alias is resolved below at require time; swc's own `paths` rewrite needs an absolute baseUrl.
  delete rc.jsc.paths;
  delete rc.jsc.baseUrl;
  return { ...rc, sourceMaps: 'inline', swcrc: false, configFile: false };
}

let registered = false;

function register() {
  if (registered) return;
  registered = true;
  const { transformSync } = require('@swc/core');
  const options = swcOptions();
  require.extensions['.ts'] = (module, filename) => {
    const source = fs.readFileSync(filename, 'utf8');
    const { code } = transformSync(source, { ...options, filename });
    module._compile(code, filename);
  };
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function resolveWithAlias(request, parent, ...rest) {
    const match = LIB_ALIAS.exec(request);
    const target = match ? path.join(ROOT, 'libs', match[1], 'src', match[2] || '') : request;
    return resolve.call(this, target, parent, ...rest);
  };
  // Source maps inline in the transformed code give TypeScript line numbers in stack traces.
  if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);
}

module.exports = { register };

if (require.main === module) {
  const [file, ...args] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node scripts/run-ts.js <file.ts> [args...]');
    process.exit(2);
  }
  register();
  const entry = path.resolve(process.cwd(), file);
  process.argv = [process.argv[0], entry, ...args];
  require(entry);
} else if (process.execArgv.includes('-r') || process.execArgv.includes('--require')) {
  // Loaded with `node -r scripts/run-ts.js`: register for the main module.
  register();
}
