import type { KafkaConfig } from '@lib/config';
import { createKafka } from '@lib/platform';
import { randomBytes } from 'crypto';

/**
 * A fresh consumer group on a topic, joined before it returns (a new group starts at the latest
 * offset, and kafkajs' run() resolves before the join), collecting the values keyed by one account.
 */
export interface AccountEvents {
  readonly values: string[];
  close(): Promise<void>;
}

export async function listenForAccount(config: KafkaConfig, topic: string, accountId: string): Promise<AccountEvents> {
  const id = `listen-${randomBytes(6).toString('hex')}`;
  const consumer = createKafka(config, id).consumer({ groupId: id, sessionTimeout: 10_000 });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === accountId) values.push(message.value!.toString());
      },
    });
    await joined;
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
  return { values, close: () => consumer.disconnect() };
}
