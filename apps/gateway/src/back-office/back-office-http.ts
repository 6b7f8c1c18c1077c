import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Answer, BackOfficeError, BackOfficeErrorCode } from '@lib/back-office';
import { BackOfficeMetrics, BackOfficeOperation } from './back-office-metrics';

/**
 * The HTTP face of the use cases' outcomes (docs/back-office.md "Status codes"): the only place
 * that knows status codes. A refusal is `{error: {code, ...}}`; a replayed answer carries the
 * header `Idempotency-Replayed: true`.
 */
export const STATUS_OF_ERROR: Record<BackOfficeErrorCode, number> = {
  validation: 400,
  'not-found': 404,
  'idempotency-conflict': 409,
  'insufficient-funds': 409,
  'card-limit': 409,
  'card-form-not-offered': 409,
  'invalid-transition': 409,
  'account-state': 409,
  'load-limit': 422,
  busy: 503,
  'fx-unavailable': 503,
};

export function errorBody(error: BackOfficeError): { error: BackOfficeError } {
  return { error };
}

@Injectable()
export class BackOfficeHttp {
  constructor(private readonly metrics: BackOfficeMetrics) {}

  /** Sets the status (and replay header) of an answer and returns the body to send. */
  reply<T>(
    reply: FastifyReply,
    operation: BackOfficeOperation,
    answer: Answer<T>,
    okStatus: number,
    body: (value: T) => unknown = (value) => value,
  ): unknown {
    if (answer.replayed) reply.header('idempotency-replayed', 'true');
    const { outcome } = answer;
    if (!outcome.ok) {
      this.metrics.count(operation, outcome.error.code);
      reply.status(STATUS_OF_ERROR[outcome.error.code]);
      return errorBody(outcome.error);
    }
    this.metrics.count(operation, answer.replayed ? 'replayed' : 'ok');
    reply.status(okStatus);
    return body(outcome.value);
  }

  /** A request refused before any use case (a malformed Idempotency-Key header). */
  invalid(reply: FastifyReply, operation: BackOfficeOperation, field: string, reason: string): unknown {
    return this.reply(
      reply,
      operation,
      { outcome: { ok: false, error: { code: 'validation', field, reason } }, replayed: false },
      400,
    );
  }
}
