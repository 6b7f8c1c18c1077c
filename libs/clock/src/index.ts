export * from './clock';
export * from './clock-command';
export * from './shared-simulated-clock';
