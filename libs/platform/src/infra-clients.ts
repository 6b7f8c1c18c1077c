import type { Writable } from 'stream';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import type { KafkaConfig, PostgresConfig, RedisConfig } from '@lib/config';

/** One place that knows how to reach each service; apps and tests build clients here. */
export function createRedis(config: RedisConfig, connectionName: string): Redis {
  const redis = new Redis({
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
  redis.on('connect', () => coalesceWrites((redis as unknown as { stream: Writable }).stream));
  return redis;
}

/**
 * Writes made in one tick leave in one system call: the socket is corked at the first write of a
 * tick and uncorked once the tick's work is done. ioredis writes every command as it is issued,
 * and the gateway issues the commands of many messages per Redis reply it reads: a write per
 * command cost more CPU (here and in Redis) than the commands themselves. Order is unchanged.
 */
export function coalesceWrites(socket: Writable): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  }) as Writable['write'];
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
