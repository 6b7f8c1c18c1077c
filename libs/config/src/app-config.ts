import { bool, int, ip, list, oneOf, optional, port, str } from './fields';
import { ConfigOf, ConfigSchema } from './load-config';

/** Sections shared by the apps. Environment names follow the key path (redis.port -> REDIS_PORT). */
export const redisSection = {
  host: str(),
  port: port(),
  /** Logical database (tests keep apart on a shared server). */
  db: int({ min: 0, max: 15, default: 0 }),
  /** Latency guard: past this budget the gateway answers 91 rather than risk a late approval. */
  commandTimeoutMs: int({ min: 1, max: 10_000, default: 50 }),
} satisfies ConfigSchema;

export const kafkaSection = {
  host: str(),
  port: port(),
} satisfies ConfigSchema;

export const postgresSection = {
  host: str(),
  port: port(),
  db: str(),
  user: str(),
  password: optional(str({ secret: true })),
  poolSize: int({ min: 1, max: 100, default: 10 }),
} satisfies ConfigSchema;

export const clockSection = {
  /** The simulated clock (GET/POST /v1/clock) exists only when this start flag is on. */
  simulated: bool({ default: false }),
} satisfies ConfigSchema;

export const securitySection = {
  /** Key of the PAN's keyed hash (HMAC-SHA256): the only form of a PAN kept anywhere. */
  panHmacKey: str({ secret: true, minLength: 32 }),
  /** Bearer keys of the back office. */
  backOfficeKeys: list(str({ secret: true, minLength: 16 }), { minItems: 1, secret: true }),
  /** Zone PIN key (3DES, 32 or 48 hex digits) under which field 52 PIN blocks arrive. */
  zonePinKey: str({ secret: true, pattern: /^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{48})$/ }),
} satisfies ConfigSchema;

export const gatewayConfigSchema = {
  gateway: {
    http: { host: str({ default: '127.0.0.1' }), port: port({ default: 3000 }) },
    tcp: {
      host: str({ default: '127.0.0.1' }),
      port: port({ default: 8583 }),
      allowList: list(ip(), { default: ['127.0.0.1', '::1', '::ffff:127.0.0.1'] }),
      maxConnections: int({ min: 1, max: 10_000, default: 64 }),
      maxInFlightPerConnection: int({ min: 1, max: 100_000, default: 2048 }),
    },
    /** Latency guard: past this budget the answer is 91 and the step applies nothing. */
    redisBudgetMs: int({ min: 1, max: 10_000, default: 250 }),
    /** POST /v1/network/messages: open, behind the back-office key, or off (http-and-events.md). */
    networkHttpRoute: oneOf(['open', 'back-office-key', 'off'] as const, { default: 'open' }),
    /** Run the outbox relay (outbox -> card.authorizations) in this gateway process. */
    outboxRelay: bool({ default: true }),
    /** Run the hold-expiry sweeper (holds of idle accounts released at expiry) in this process. */
    holdExpirySweeper: bool({ default: true }),
    /** Topic of the clearing ingest and the disputes (http-and-events.md: card.clearing). */
    clearingTopic: str({ default: 'card.clearing' }),
  },
  redis: redisSection,
  kafka: kafkaSection,
  postgres: postgresSection,
  security: securitySection,
  clock: clockSection,
} satisfies ConfigSchema;

export const settlementConfigSchema = {
  settlement: {
    http: { host: str({ default: '127.0.0.1' }), port: port({ default: 3001 }) },
    /** Run the ledger consumer in this process (off: the HTTP routes only, e.g. in route tests). */
    consumer: bool({ default: true }),
    /** Kafka consumer group of the ledger consumer (docs/settlement.md). */
    groupId: str({ default: 'settlement' }),
    topics: {
      authorizations: str({ default: 'card.authorizations' }),
      clearing: str({ default: 'card.clearing' }),
      postings: str({ default: 'ledger.postings' }),
    },
    /** Attempts of a failing batch before its messages go one by one, and then to `<topic>.dlq`. */
    maxRetries: int({ min: 0, max: 100, default: 5 }),
    retryBackoffMs: int({ min: 0, max: 60_000, default: 200 }),
    /** Partitions processed at once (one account's events stay in one partition, in order). */
    partitionsConcurrently: int({ min: 1, max: 64, default: 3 }),
    /** Period of the reconciliation job; 0 turns it off (GET /v1/reconciliation still answers). */
    reconciliationIntervalMs: int({ min: 0, max: 86_400_000, default: 300_000 }),
    /**
     * Period of the periodic-fee job (subscription, account management, inactivity; real ms, the
     * charge days follow the business clock); 0 turns it off. Short by default: an accelerated
     * simulated clock passes charge days in seconds (missed periods are caught up anyway).
     */
    periodicFeesIntervalMs: int({ min: 0, max: 86_400_000, default: 2_000 }),
    /** Tests only: end the process right after a batch's database commit, before its offsets. */
    crashAfterCommit: bool({ default: false }),
  },
  redis: redisSection,
  kafka: kafkaSection,
  postgres: postgresSection,
  security: securitySection,
  clock: clockSection,
} satisfies ConfigSchema;

export const networkSimConfigSchema = {
  networkSim: {
    http: { host: str({ default: '127.0.0.1' }), port: port({ default: 3002 }) },
    gatewayHost: str({ default: '127.0.0.1' }),
    gatewayTcpPort: port({ default: 8583 }),
    gatewayHttpPort: port({ default: 3000 }),
  },
} satisfies ConfigSchema;

export type GatewayConfig = ConfigOf<typeof gatewayConfigSchema>;
export type SettlementConfig = ConfigOf<typeof settlementConfigSchema>;
export type NetworkSimConfig = ConfigOf<typeof networkSimConfigSchema>;
export type RedisConfig = ConfigOf<typeof redisSection>;
export type KafkaConfig = ConfigOf<typeof kafkaSection>;
export type PostgresConfig = ConfigOf<typeof postgresSection>;

/** Every top-level section of config/app.yaml, whichever app reads it. */
export const ALL_CONFIG_SECTIONS: readonly string[] = [
  ...new Set([gatewayConfigSchema, settlementConfigSchema, networkSimConfigSchema].flatMap((schema) => Object.keys(schema))),
];
