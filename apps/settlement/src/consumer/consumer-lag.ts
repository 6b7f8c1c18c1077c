import { performance } from 'perf_hooks';
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

/**
 * Waits until the group's committed offsets reach the end offsets `topic` has now (every message
 * produced before the call is consumed and posted): true, or false after `timeoutMs` (wall time:
 * a wait, not business time).
 */
export async function consumerReachesEnd(admin: Admin, groupId: string, topic: string, timeoutMs: number, pollMs = 100): Promise<boolean> {
  const ends = await admin.fetchTopicOffsets(topic);
  const deadline = performance.now() + timeoutMs; // a wait, measured on the monotonic clock
  for (;;) {
    const committed = (await admin.fetchOffsets({ groupId, topics: [topic] })).find((c) => c.topic === topic)?.partitions ?? [];
    const behind = ends.some((end) => {
      const offset = Number(committed.find((p) => p.partition === end.partition)?.offset ?? '-1');
      return Number(end.high) > (offset >= 0 ? offset : Number(end.low));
    });
    if (!behind) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
