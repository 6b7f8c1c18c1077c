/**
 * Errors that mean a backing service (Redis, PostgreSQL, Kafka) cannot be reached right now, as
 * opposed to a bug: an HTTP route answers them `503` with a reason, and the caller retries later
 * (the engine's own answer to the network is `91`, decided by its latency guard).
 */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN', '57P01', '57P03']);
const UNREACHABLE_NAMES = new Set(['MaxRetriesPerRequestError', 'KafkaJSConnectionError', 'KafkaJSNumberOfRetriesExceeded', 'KafkaJSRequestTimeoutError']);
// ioredis (closed connection), pg (connection lost; pool: no connection within its timeout).
const UNREACHABLE_MESSAGES = /^(Connection is closed\.|Connection terminated|Stream isn't writeable|timeout exceeded when trying to connect)/;

export function isBackingServiceUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && UNREACHABLE_CODES.has(code)) || UNREACHABLE_NAMES.has(error.name) || UNREACHABLE_MESSAGES.test(error.message);
}

/** The body of such a 503, in the back office's error shape. */
export const UNAVAILABLE_BODY = {
  error: { code: 'unavailable', reason: 'a backing service (Redis, PostgreSQL or Kafka) cannot be reached: retry later (a write with the same Idempotency-Key is applied once)' },
} as const;
