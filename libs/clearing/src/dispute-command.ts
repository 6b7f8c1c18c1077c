import { Money, Result, err, isCurrencyCode, money, ok } from '@lib/money';

/**
 * The body of `POST /v1/accounts/{id}/disputes` (clearing.md): `{transactionId, amount, reason}`,
 * validated once, here. Errors name the field (JSON path) and the reason.
 */
export interface DisputeCommand {
  readonly transactionId: string;
  readonly amount: Money;
  readonly reason: string;
}

export interface DisputeFieldError {
  readonly field: string;
  readonly reason: string;
}

const FIELDS = ['transactionId', 'amount', 'reason'];
const MINOR = /^[1-9][0-9]{0,14}$/;

export function parseDisputeCommand(body: unknown): Result<DisputeCommand, DisputeFieldError> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return err({ field: 'body', reason: 'must be a JSON object' });
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).find((name) => !FIELDS.includes(name));
  if (unknown !== undefined) return err({ field: unknown, reason: 'unknown field' });
  if (typeof b.transactionId !== 'string' || !/^[0-9]{15}$/.test(b.transactionId)) return err({ field: 'transactionId', reason: 'must be the 15-digit TI of the transaction' });
  if (typeof b.amount !== 'object' || b.amount === null || Array.isArray(b.amount)) return err({ field: 'amount', reason: 'must be an object {minor, currency}' });
  const { minor, currency } = b.amount as Record<string, unknown>;
  if (typeof currency !== 'string' || !isCurrencyCode(currency)) return err({ field: 'amount.currency', reason: 'must be a known ISO 4217 alpha code, e.g. "EUR"' });
  if (typeof minor !== 'string' || !MINOR.test(minor)) return err({ field: 'amount.minor', reason: 'must be a string of 1 to 15 digits, greater than 0' });
  if (typeof b.reason !== 'string' || b.reason.trim() === '') return err({ field: 'reason', reason: 'is required, a non-empty string' });
  if (b.reason.length > 200) return err({ field: 'reason', reason: 'must have at most 200 characters' });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(b.reason)) return err({ field: 'reason', reason: 'must not contain control characters' });
  return ok({ transactionId: b.transactionId, amount: money(BigInt(minor), currency), reason: b.reason.trim() });
}
