export * from './tokens';
export * from './health';
export * from './infra-clients';
export * from './infra.module';
export * from './bootstrap';
export * from './back-office-auth';
export * from './metrics.module';
export * from './unavailable';
