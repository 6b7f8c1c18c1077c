/** Injection tokens of the shared infrastructure providers. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const REDIS = Symbol('REDIS');
export const KAFKA = Symbol('KAFKA');
export const PG_POOL = Symbol('PG_POOL');
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
