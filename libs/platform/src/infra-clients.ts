import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import type { KafkaConfig, PostgresConfig, RedisConfig } from '@lib/config';

/** One place that knows how to reach each service; apps and tests build clients here. */
export function createRedis(config: RedisConfig, connectionName: string): Redis {
  return new Redis({
    host: config.host,
    port: config.port,
    db: config.db,
    connectionName,
    // Fail fast rather than queue commands while Redis is unreachable: the latency guard answers 91.
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
  });
}

export function createKafka(config: KafkaConfig, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [`${config.host}:${config.port}`],
    logLevel: logLevel.ERROR,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 100, retries: 5 },
  });
}

export function createPgPool(config: PostgresConfig): Pool {
  return new Pool({
    host: config.host,
    port: config.port,
    database: config.db,
    user: config.user,
    password: config.password,
    max: config.poolSize,
    connectionTimeoutMillis: 3000,
  });
}
