import type { Admin } from 'kafkajs';
import type { InFlight } from '@lib/ledger';

/**
 * Messages of the consumed topics not yet committed by the group: high watermark minus committed
 * offset per partition (a partition the group never committed counts from its low watermark).
 */
export async function consumerLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<InFlight> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  const lagByTopic: Record<string, number> = {};
  let total = 0;
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
    let lag = 0;
    for (const end of ends) {
      const offset = Number(mine.find((p) => p.partition === end.partition)?.offset ?? '-1');
      const from = offset >= 0 ? offset : Number(end.low);
      lag += Math.max(0, Number(end.high) - from);
    }
    lagByTopic[topic] = lag;
    total += lag;
  }
  return { consumerLag: total, lagByTopic };
}
