import type { Kafka, Producer } from 'kafkajs';

/**
 * Publishes `card.clearing` events, acknowledged by all in-sync replicas (acks = -1) before the
 * caller marks them emitted. Connected on first use: Kafka down at boot does not stop the gateway.
 */
export interface ClearingPublisher {
  publish(topic: string, messages: readonly { key: string; value: string }[]): Promise<void>;
  close(): Promise<void>;
}

const SEND_CHUNK = 500;

export class KafkaClearingPublisher implements ClearingPublisher {
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;

  constructor(private readonly kafka: Kafka) {}

  private connected(): Promise<Producer> {
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 });
      try {
        await producer.connect();
      } catch (error) {
        this.connecting = null;
        throw error;
      }
      producer.on(producer.events.DISCONNECT, () => {
        if (this.producer === producer) {
          this.producer = null;
          this.connecting = null;
        }
      });
      this.producer = producer;
      return producer;
    })();
    return this.connecting;
  }

  async publish(topic: string, messages: readonly { key: string; value: string }[]): Promise<void> {
    const producer = await this.connected();
    for (let start = 0; start < messages.length; start += SEND_CHUNK) {
      await producer.send({ topic, acks: -1, messages: messages.slice(start, start + SEND_CHUNK).map((m) => ({ key: m.key, value: m.value, headers: eventHeaders(m.value) })) });
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    this.connecting = null;
    await producer?.disconnect().catch(() => undefined);
  }
}

/**
 * The headers every event message carries, as the relay's (docs/events.md: `eventId`, `type`,
 * `schemaVersion`), read back from the event itself.
 */
export function eventHeaders(value: string): Record<string, string> {
  const event = JSON.parse(value) as { eventId?: unknown; type?: unknown; schemaVersion?: unknown };
  const headers: Record<string, string> = {};
  if (typeof event.eventId === 'string') headers.eventId = event.eventId;
  if (typeof event.type === 'string') headers.type = event.type;
  if (event.schemaVersion !== undefined) headers.schemaVersion = String(event.schemaVersion);
  return headers;
}
