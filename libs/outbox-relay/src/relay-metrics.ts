/**
 * The relay's counters, as plain numbers for the gateway's /metrics (prom-client counters and
 * gauges are set from a snapshot there; the relay itself stays free of metrics libraries).
 */
export interface RelayMetrics {
  /** Events Kafka acknowledged (acks = all); a re-send after a failure counts again. */
  relayedEvents: number;
  /** Producer sends Kafka acknowledged. */
  acknowledgedSends: number;
  /** Turns that failed (Kafka or Redis unreachable, a send timed out); entries were kept. */
  failedAttempts: number;
  /** Failed attempts since the last success (0 when healthy). */
  consecutiveFailures: number;
  /** Entries that could not become valid events, moved to the DLQ topic or the dead stream. */
  deadLettered: number;
  /** Of those, kept in the Redis dead stream because Kafka was down. */
  deadLetteredToRedis: number;
  /** Dead letters forwarded later from the dead stream to the DLQ topic. */
  deadLettersForwarded: number;
  /** Accounts taken from the pending set whose lease another relay held (put back). */
  leaseConflicts: number;
  /** Accounts the safety scan found with a non-empty outbox and re-added to the pending set. */
  requeuedByScan: number;
  /** Lag: accounts in the pending set when last sampled. */
  pendingAccounts: number;
  /** Age of the oldest entry of the last acknowledged send, in ms (Redis stamp to ack). */
  lastDeliveryLagMs: number;
}

export function emptyRelayMetrics(): RelayMetrics {
  return {
    relayedEvents: 0,
    acknowledgedSends: 0,
    failedAttempts: 0,
    consecutiveFailures: 0,
    deadLettered: 0,
    deadLetteredToRedis: 0,
    deadLettersForwarded: 0,
    leaseConflicts: 0,
    requeuedByScan: 0,
    pendingAccounts: 0,
    lastDeliveryLagMs: 0,
  };
}
