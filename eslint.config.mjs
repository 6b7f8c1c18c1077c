// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layer rules (STYLE.md, domain-driven-hexagon): the domain libraries are pure. They import no
 * I/O library and never read the wall clock; time is passed in by the caller.
 */
const DOMAIN_LIBS = ['libs/money/**/*.ts', 'libs/programs/**/*.ts', 'libs/iso8583/src/codec/**/*.ts'];
const IO_PACKAGES = ['ioredis', 'kafkajs', 'pg', '@nestjs/*', 'net', 'node:net', 'fs', 'node:fs', 'http', 'node:http'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.infra/**', 'coverage/**', 'load-tests/k6/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    files: DOMAIN_LIBS,
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.bench.ts', 'libs/programs/src/load-programs.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: IO_PACKAGES, message: 'Domain libraries do no I/O.' }] }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Domain code takes time from the injected clock.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Domain code takes time from the injected clock.' },
        { selector: "CallExpression[callee.name='parseFloat']", message: 'Money is exact: no parseFloat.' },
        { selector: "CallExpression[callee.property.name='toFixed']", message: 'Money is exact: no toFixed.' },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
