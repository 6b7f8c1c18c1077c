/**
 * Delay before the next attempt after `failures` consecutive failed sends: exponential from
 * `initialMs`, capped at `maxMs`, with up to 20 % of jitter so that several gateways whose Kafka
 * came back at once do not retry in step. `random` is injected for tests.
 */
export function backoffMs(
  failures: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  if (failures <= 0) return 0;
  const exponential = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(exponential * (0.8 + 0.2 * random()));
}
