import { readFileSync } from 'fs';
import { join } from 'path';
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import type { CardAuthorizationsEvent } from './authorization-event';

/**
 * The JSON Schemas kept in the repo (libs/events/schemas), compiled once per process. Every event
 * is validated before it is produced (spec: JSON values validated against schemas in the repo).
 */
export const SCHEMAS_DIR = join(__dirname, '..', 'schemas');
export const CARD_AUTHORIZATIONS_SCHEMA_FILE = 'card.authorizations.v1.schema.json';
/** `ledger.postings` (settlement's journal entries, for ops); `card.clearing` keeps its schemas in libs/clearing. */
export const LEDGER_POSTINGS_SCHEMA_FILE = 'ledger.postings.v1.schema.json';

export type ValidationResult = { valid: true } | { valid: false; errors: string[] };

export function loadSchema(fileName: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMAS_DIR, fileName), 'utf8')) as Record<string, unknown>;
}

let authorizationValidator: ValidateFunction<CardAuthorizationsEvent> | undefined;

function compiledAuthorizationValidator(): ValidateFunction<CardAuthorizationsEvent> {
  // strict: a typo in the schema is an error at compile time, not a silently ignored keyword.
  authorizationValidator ??= new Ajv2020({ allErrors: true, strict: true }).compile<CardAuthorizationsEvent>(
    loadSchema(CARD_AUTHORIZATIONS_SCHEMA_FILE),
  );
  return authorizationValidator;
}

/** Validates a `card.authorizations` event (any of its types) against schema v1. */
export function validateEvent(event: unknown): ValidationResult {
  const validate = compiledAuthorizationValidator();
  if (validate(event)) return { valid: true };
  return { valid: false, errors: describeErrors(validate.errors ?? []) };
}

let postingValidator: ValidateFunction | undefined;

/**
 * Validates a `ledger.postings` event against schema v1. Settlement checks every posting before it
 * is produced: one that fails is a bug of the event's builder, never an expected outcome.
 */
export function validateLedgerPostingEvent(event: unknown): ValidationResult {
  postingValidator ??= new Ajv2020({ allErrors: true, strict: true }).compile(loadSchema(LEDGER_POSTINGS_SCHEMA_FILE));
  if (postingValidator(event)) return { valid: true };
  return { valid: false, errors: describeErrors(postingValidator.errors ?? []) };
}

/**
 * Each error as `<path> <message>`: ajv's messages name the rule (pattern, type, required), never
 * the value, so the text is safe to log even when the value is card data.
 */
function describeErrors(errors: readonly ErrorObject[]): string[] {
  // `if` errors ("must match "then" schema") only repeat that a branch failed: its own errors say why.
  const lines = errors
    .filter((e) => e.keyword !== 'if')
    .map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  return [...new Set(lines)];
}
