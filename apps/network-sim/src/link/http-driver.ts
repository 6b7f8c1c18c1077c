import { IsoMessage, IsoMessageJson, IsoTimeoutError, messageFromJson, messageToJson } from '@lib/iso8583';
import { HttpClient, HttpTimeoutError } from '../issuer/http-client';
import { corruptAmountJson, NetworkDriver } from './network-driver';

/** The same messages as JSON over `POST /v1/network/messages` (http-and-events.md). */
export class HttpDriver implements NetworkDriver {
  readonly kind = 'http' as const;
  private readonly counters = { requests: 0, badAnswers: 0 };

  constructor(private readonly client: HttpClient) {}

  async start(): Promise<void> {
    // Nothing to open: connections are kept alive by the client's agent.
  }

  send(message: IsoMessage, timeoutMs: number): Promise<IsoMessage> {
    return this.post(messageToJson(message), message, timeoutMs);
  }

  sendMalformed(message: IsoMessage, timeoutMs: number): Promise<IsoMessage> {
    return this.post(corruptAmountJson(message), message, timeoutMs);
  }

  private async post(json: IsoMessageJson, message: IsoMessage, timeoutMs: number): Promise<IsoMessage> {
    this.counters.requests += 1;
    try {
      const response = await this.client.request('POST', '/v1/network/messages', { json }, {}, timeoutMs);
      if (response.status !== 200) {
        this.counters.badAnswers += 1;
        throw new Error(`POST /v1/network/messages answered ${response.status}: ${response.text.slice(0, 120)}`);
      }
      return messageFromJson(response.json);
    } catch (error) {
      if (error instanceof HttpTimeoutError) throw new IsoTimeoutError(message.mti, message.get(11) ?? '', timeoutMs);
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.client.close();
  }

  metrics(): Readonly<Record<string, number>> {
    return { ...this.counters };
  }
}
