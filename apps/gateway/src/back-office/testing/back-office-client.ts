import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import { integrationConfig } from '@lib/testing';

/** Test support for the back-office integration tests: requests through Fastify's `inject`. */
export const BACK_OFFICE_KEY = integrationConfig().security.backOfficeKeys[0];

export interface CallOptions {
  body?: unknown;
  /** The Authorization header: the configured key by default, `null` for none. */
  authorization?: string | null;
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

export const eur = (minor: number | string) => ({ minor: String(minor), currency: 'EUR' });

export class BackOfficeClient {
  constructor(private readonly app: NestFastifyApplication) {}

  call(method: 'GET' | 'POST', url: string, options: CallOptions = {}): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const authorization =
      options.authorization === undefined ? `Bearer ${BACK_OFFICE_KEY}` : options.authorization;
    if (authorization !== null) headers.authorization = authorization;
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    const payload =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    if (payload !== undefined && headers['content-type'] === undefined)
      headers['content-type'] = 'application/json';
    return this.app.getHttpAdapter().getInstance().inject({ method, url, headers, payload });
  }

  async openAccount(program: string, extra: Record<string, unknown> = {}): Promise<string> {
    const response = await this.call('POST', '/v1/accounts', {
      body: { program, holder: { name: 'HTTP Test', email: 'http@example.org' }, ...extra },
    });
    if (response.statusCode !== 201) throw new Error(`open account: ${response.statusCode} ${response.body}`);
    return response.json().accountId as string;
  }

  load(
    accountId: string,
    minor: number | string,
    method = 'sepa-transfer',
    currency = 'EUR',
    idempotencyKey?: string,
  ): Promise<LightMyRequestResponse> {
    return this.call('POST', `/v1/accounts/${accountId}/loads`, {
      body: { amount: { minor: String(minor), currency }, method },
      idempotencyKey,
    });
  }

  async mustLoad(
    accountId: string,
    minor: number | string,
    method = 'sepa-transfer',
    currency = 'EUR',
  ): Promise<void> {
    const response = await this.load(accountId, minor, method, currency);
    if (response.statusCode !== 201) throw new Error(`load: ${response.statusCode} ${response.body}`);
  }

  issue(
    accountId: string,
    form: 'physical' | 'virtual',
    idempotencyKey?: string,
  ): Promise<LightMyRequestResponse> {
    return this.call('POST', `/v1/accounts/${accountId}/cards`, { body: { form }, idempotencyKey });
  }

  async account(accountId: string) {
    const response = await this.call('GET', `/v1/accounts/${accountId}`);
    if (response.statusCode !== 200) throw new Error(`get account: ${response.statusCode} ${response.body}`);
    return response.json();
  }
}
