import { Counter, Histogram, Registry } from 'prom-client';
import type { IsoMessage } from '@lib/iso8583';

/** What the network interface counts: messages by type and response code, and decision latency. */
export class NetworkMetrics {
  private readonly messages: Counter<'mti' | 'response_code'>;
  private readonly latency: Histogram<'mti'>;

  constructor(registry: Registry) {
    this.messages = new Counter({
      name: 'network_messages_total',
      help: 'Network messages answered, by request MTI and response code (39)',
      labelNames: ['mti', 'response_code'],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'network_decision_seconds',
      help: 'Time from a parsed request to its response, by request MTI',
      labelNames: ['mti'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
  }

  /** Wraps a handler so every answer is counted; labels never carry card data. */
  measure(handle: (request: IsoMessage) => Promise<IsoMessage | undefined>): (request: IsoMessage) => Promise<IsoMessage | undefined> {
    return async (request) => {
      const started = performance.now();
      const response = await handle(request);
      const mti = /^\d{4}$/.test(request.mti) ? request.mti : 'invalid';
      this.latency.observe({ mti }, (performance.now() - started) / 1000);
      this.messages.inc({ mti, response_code: response?.get(39) ?? 'none' });
      return response;
    };
  }
}
