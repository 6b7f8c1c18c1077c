import { Money, err, ok } from '@lib/money';
import type { LoadMethod } from '@lib/programs';
import { parseMoneyJson } from '../shared/money-json';
import { BODY, Parsed, objectWithFields, oneOf } from '../shared/validation';

/** The methods of the HTTP contract (http-and-events.md: `sepa-transfer`, `card`, `p2p`). */
export const HTTP_LOAD_METHODS = ['sepa-transfer', 'card', 'p2p'] as const;
export type HttpLoadMethod = (typeof HTTP_LOAD_METHODS)[number];

/**
 * The program's load method behind a contract method. The contract has one `card`; the tariffs
 * (seed 004 annex "Frais de chargement") price an external debit card and an external credit card
 * apart. A load "by card" is taken as a debit-card load: the common case, and the one the contract
 * cannot tell apart (docs/back-office.md).
 */
export function programLoadMethod(method: HttpLoadMethod): LoadMethod {
  return method === 'card' ? 'card-debit' : method;
}

export function httpLoadMethod(method: LoadMethod): HttpLoadMethod {
  return method === 'card-debit' || method === 'card-credit' ? 'card' : method;
}

/** `POST /v1/accounts/{id}/loads` body: `{amount: {minor, currency}, method}`. */
export interface LoadCommand {
  readonly amount: Money;
  readonly method: HttpLoadMethod;
}

export function parseLoad(body: unknown): Parsed<LoadCommand> {
  const root = objectWithFields(body, BODY, ['amount', 'method']);
  if (!root.ok) return root;
  if (root.value.amount === undefined) return err({ field: 'amount', reason: 'is required' });
  const amount = parseMoneyJson(root.value.amount, 'amount');
  if (!amount.ok) return amount;
  if (amount.value.amountMinor <= 0n) return err({ field: 'amount.minor', reason: 'must be greater than 0' });
  const method = oneOf(root.value.method, 'method', HTTP_LOAD_METHODS);
  if (!method.ok) return method;
  return ok({ amount: amount.value, method: method.value! });
}
