export * from './keys';
export * from './atomic-step';
