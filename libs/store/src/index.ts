export * from './keys';
export * from './atomic-step';
export * from './records';
export * from './card-secrets';
export * from './transaction-record';
export * from './account-read';
export * from './lua-script';
export * from './step-runner';
