export * from './decision-record';
export * from './authorization-event';
export * from './event-validator';
export * from './card-data-guard';
export * from './encode-authorization-event';
export * from './fee-charged-event';
