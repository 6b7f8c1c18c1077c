import { performance } from 'perf_hooks';
import type { Writable } from 'stream';
import { Logger } from '@nestjs/common';
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
  reportErrorsSparingly(redis, `Redis ${config.host}:${config.port} (${connectionName})`);
  return redis;
}

const REDIS_ERROR_REPORT_INTERVAL_MS = 10_000;
const redisLogger = new Logger('Redis');

/**
 * While Redis is unreachable, ioredis emits an error per reconnection attempt (and prints each
 * one with its stack when nobody listens): one warning line per interval says the same. Commands
 * fail fast meanwhile (`91` on the network side, `503` in the back office).
 */
function reportErrorsSparingly(redis: Redis, name: string): void {
  let reportedAt = -Infinity;
  redis.on('error', (error: Error) => {
    const now = performance.now();
    if (now - reportedAt < REDIS_ERROR_REPORT_INTERVAL_MS) return;
    reportedAt = now;
    redisLogger.warn(`${name}: ${error.message}; retrying (repeats silenced for ${REDIS_ERROR_REPORT_INTERVAL_MS / 1000} s)`);
  });
}

/**
 * Writes made in one turn of the event loop leave in one system call: the socket is corked at the
 * first write and uncorked in the loop's check phase (setImmediate), once every I/O callback of
 * the turn has run. ioredis writes every command as it is issued, and the gateway issues the
 * commands of many messages per turn (each HTTP request or Redis reply is a callback of its own):
 * a write per command, or per callback, cost more CPU here and in Redis than the commands
 * themselves. On loopback a write also runs the receiver's side of TCP and wakes it. Order is
 * unchanged.
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
      setImmediate(uncork);
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
