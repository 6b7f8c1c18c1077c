/**
 * One Jest run for the whole suite. Unit tests (`*.spec.ts`) sit beside the code; integration
 * tests (`*.int-spec.ts`) talk to the real Redis, Kafka and PostgreSQL that `npm test` starts once
 * (see scripts/test.sh). `JEST_UNIT_ONLY=1` runs the unit tests alone, with no infrastructure.
 */
const swcConfig = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

const unitOnly = process.env.JEST_UNIT_ONLY === '1';

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/scripts'],
  testMatch: unitOnly ? ['**/*.spec.ts'] : ['**/*.spec.ts', '**/*.int-spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swcConfig] },
  moduleNameMapper: { '^@lib/([^/]+)$': '<rootDir>/libs/$1/src' },
  setupFiles: ['reflect-metadata'],
  testTimeout: 30000,
  maxWorkers: 2,
};
