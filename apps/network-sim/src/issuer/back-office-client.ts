import type { CardForm } from '@lib/programs';
import type { CardCredentials } from '../messages/build-message';
import type { CurrencyAmount } from '../scenario/scenario';
import { HttpClient, HttpResponse } from './http-client';

/**
 * The issuer's HTTP API as a card-program team uses it (http-and-events.md): back office under
 * the Bearer key with an Idempotency-Key on every write, the simulated clock, the clearing ingest
 * and the settlement's reconciliation.
 */
export class BackOfficeError extends Error {
  override readonly name = 'BackOfficeError';
  constructor(
    readonly route: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${route} answered ${status}${reason ? `: ${reason}` : ''}`);
  }
}

export interface IssuedCard extends CardCredentials {
  readonly form: CardForm;
  readonly state: string;
}

export interface AccountHold {
  readonly holdId: string;
  readonly transactionId: string;
}

export type Optional<T> = { readonly available: true; readonly value: T } | { readonly available: false; readonly status: number; readonly reason: string };

function reasonOf(response: HttpResponse): string {
  const body = response.json as { error?: { reason?: string; code?: string; field?: string } } | undefined;
  const error = body?.error;
  if (error?.reason) return `${error.field ? `${error.field}: ` : ''}${error.reason}`;
  return response.text.slice(0, 120).replace(/\s+/g, ' ');
}

export class BackOfficeClient {
  constructor(
    private readonly gateway: HttpClient,
    private readonly settlement: HttpClient,
    private readonly key: string,
  ) {}

  private async write(route: string, path: string, body: unknown, idempotencyKey: string, expected: readonly number[]): Promise<unknown> {
    const response = await this.gateway.request('POST', path, { json: body }, { authorization: `Bearer ${this.key}`, 'idempotency-key': idempotencyKey });
    if (!expected.includes(response.status)) throw new BackOfficeError(route, response.status, reasonOf(response));
    return response.json;
  }

  async openAccount(program: string, holder: { name: string; email: string }, idempotencyKey: string): Promise<string> {
    const body = (await this.write('POST /v1/accounts', '/v1/accounts', { program, holder }, idempotencyKey, [200, 201])) as { accountId?: string };
    if (typeof body?.accountId !== 'string') throw new BackOfficeError('POST /v1/accounts', 201, 'no accountId in the answer');
    return body.accountId;
  }

  async load(accountId: string, amount: CurrencyAmount, idempotencyKey: string): Promise<void> {
    await this.write('POST /v1/accounts/{id}/loads', `/v1/accounts/${accountId}/loads`, { amount: { minor: amount.minor.toString(), currency: amount.currency }, method: 'sepa-transfer' }, idempotencyKey, [200, 201]);
  }

  async issueCard(accountId: string, form: CardForm, idempotencyKey: string): Promise<IssuedCard> {
    const body = (await this.write('POST /v1/accounts/{id}/cards', `/v1/accounts/${accountId}/cards`, { form }, idempotencyKey, [200, 201])) as Partial<Record<string, string>>;
    const { cardId, pan, expiry, cvv2, pin, state } = body ?? {};
    if (!cardId || !pan || !expiry || !cvv2 || !pin) throw new BackOfficeError('POST /v1/accounts/{id}/cards', 201, 'the answer lacks the card numbers (answered once: a replayed key?)');
    return { cardId, pan, expiry, cvv2, pin, form, state: state ?? 'unknown' };
  }

  async cardAction(cardId: string, action: 'activate' | 'unblock' | 'pin/unblock', idempotencyKey: string): Promise<void> {
    await this.write(`POST /v1/cards/{id}/${action}`, `/v1/cards/${cardId}/${action}`, {}, idempotencyKey, [200]);
  }

  async block(cardId: string, mode: 'temporary' | 'total' | 'lost' | 'stolen', idempotencyKey: string): Promise<void> {
    await this.write('POST /v1/cards/{id}/block', `/v1/cards/${cardId}/block`, { mode }, idempotencyKey, [200]);
  }

  async revokeConsent(cardId: string, merchantId: string, idempotencyKey: string): Promise<void> {
    const path = `/v1/cards/${cardId}/recurring-consents/${encodeURIComponent(merchantId)}/revoke`;
    await this.write('POST /v1/cards/{id}/recurring-consents/{merchantId}/revoke', path, {}, idempotencyKey, [200, 201]);
  }

  async holds(accountId: string): Promise<AccountHold[]> {
    const response = await this.gateway.request('GET', `/v1/accounts/${accountId}`, undefined, { authorization: `Bearer ${this.key}` });
    if (response.status !== 200) throw new BackOfficeError('GET /v1/accounts/{id}', response.status, reasonOf(response));
    const body = response.json as { holds?: AccountHold[] };
    return Array.isArray(body?.holds) ? body.holds : [];
  }

  /** GET /v1/clock: the gateway's simulated clock, or why it is not there (404 when the flag is off). */
  async clock(): Promise<Optional<number>> {
    const response = await this.gateway.request('GET', '/v1/clock', undefined, { authorization: `Bearer ${this.key}` });
    return clockAnswer(response);
  }

  /** POST /v1/clock {set}: moves the shared clock forward (never backwards); answers the new now. */
  async setClock(atMs: number): Promise<Optional<number>> {
    const response = await this.gateway.request('POST', '/v1/clock', { json: { set: new Date(atMs).toISOString() } }, { authorization: `Bearer ${this.key}` });
    return clockAnswer(response);
  }

  /** POST /v1/clearing/files with the file as the body (application/x-ndjson). */
  async postClearingFile(text: string): Promise<Optional<{ accepted: number; rejected: { line: number; reason: string }[] }>> {
    const response = await this.gateway.request('POST', '/v1/clearing/files', { raw: text, contentType: 'application/x-ndjson' }, { authorization: `Bearer ${this.key}` }, 30_000);
    if (response.status !== 200 && response.status !== 201) return { available: false, status: response.status, reason: reasonOf(response) };
    const body = response.json as { accepted?: number; rejected?: { line: number; reason: string }[] };
    return { available: true, value: { accepted: body?.accepted ?? 0, rejected: Array.isArray(body?.rejected) ? body.rejected : [] } };
  }

  /** GET settlement /v1/reconciliation, limited to some accounts (`accountId=a,b,c`) when given. */
  async reconciliation(accountIds?: readonly string[]): Promise<Optional<{ accountsChecked: number; differences: unknown[] }>> {
    const query = accountIds === undefined ? '' : `?accountId=${accountIds.map(encodeURIComponent).join(',')}`;
    const response = await this.settlement.request('GET', `/v1/reconciliation${query}`, undefined, { authorization: `Bearer ${this.key}` }, 30_000);
    if (response.status !== 200) return { available: false, status: response.status, reason: reasonOf(response) };
    const body = response.json as { accountsChecked?: number; differences?: unknown[] };
    return { available: true, value: { accountsChecked: body?.accountsChecked ?? 0, differences: Array.isArray(body?.differences) ? body.differences : [] } };
  }
}

function clockAnswer(response: HttpResponse): Optional<number> {
  if (response.status !== 200 && response.status !== 201) return { available: false, status: response.status, reason: reasonOf(response) };
  const now = (response.json as { now?: string } | undefined)?.now;
  const ms = typeof now === 'string' ? Date.parse(now) : NaN;
  if (!Number.isFinite(ms)) return { available: false, status: response.status, reason: 'the answer has no {now}' };
  return { available: true, value: ms };
}
