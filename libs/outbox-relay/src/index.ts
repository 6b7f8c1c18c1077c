export * from './outbox-relay';
export * from './relay-metrics';
export * from './relay-keys';
export type { DeadLetter } from './dead-letter';
