export * from './clearing-file';
export * from './clearing-events';
export * from './dispute-command';
