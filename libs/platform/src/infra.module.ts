import { Controller, DynamicModule, Get, Global, Inject, Injectable, Module, OnApplicationShutdown, Provider, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { Clock, CLOCK, SharedSimulatedClock, SystemClock } from '@lib/clock';
import type { KafkaConfig, PostgresConfig, RedisConfig } from '@lib/config';
import { keys } from '@lib/store';
import { HealthCheck, kafkaHealth, postgresHealth, redisHealth, runHealthChecks } from './health';
import { createKafka, createPgPool, createRedis } from './infra-clients';
import { APP_CONFIG, HEALTH_CHECKS, KAFKA, PG_POOL, REDIS } from './tokens';

export interface InfraOptions {
  appName: string;
  config: object;
  redis?: RedisConfig;
  kafka?: KafkaConfig;
  postgres?: PostgresConfig;
}

const KAFKA_ADMIN = Symbol('KAFKA_ADMIN');

/** Closes every client this module opened when the app shuts down. */
@Injectable()
class InfraLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin | null,
    @Inject(PG_POOL) private readonly pool: Pool | null,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // The simulated clock's subscriber connection closes before the Redis client it duplicates.
    if (this.clock instanceof SharedSimulatedClock) await this.clock.stop();
    await Promise.allSettled([this.redis?.quit(), this.admin?.disconnect(), this.pool?.end()]);
  }
}

@Controller()
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  /** Liveness and readiness of each dependency: 200 when all are up, 503 otherwise. */
  @Get('health')
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await runHealthChecks(this.checks);
    reply.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}

/**
 * The shared infrastructure of an app: typed config, clock, Redis, Kafka and PostgreSQL clients
 * (only those the app uses), their health checks, and their shutdown.
 */
@Global()
@Module({})
export class InfraModule {
  static forRoot(options: InfraOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: APP_CONFIG, useValue: options.config },
      {
        // The simulated clock (GET / POST /v1/clock) only with the start flag clock.simulated,
        // shared by every app through Redis; the wall clock otherwise.
        provide: CLOCK,
        inject: [REDIS],
        useFactory: async (redis: Redis | null): Promise<Clock> => {
          const simulated = (options.config as { clock?: { simulated?: boolean } }).clock?.simulated === true;
          if (!simulated) return new SystemClock();
          if (!redis) throw new Error(`${options.appName}: clock.simulated needs Redis (the clock's state is shared there)`);
          const clock = new SharedSimulatedClock(redis, { key: keys.simulatedClock() });
          await clock.start();
          return clock;
        },
      },
      {
        provide: REDIS,
        useFactory: async () => {
          if (!options.redis) return null;
          const { host, port } = options.redis;
          const redis = createRedis(options.redis, options.appName);
          await redis.connect().catch((error: Error) => {
            redis.disconnect();
            throw new Error(`Redis unreachable at ${host}:${port} (REDIS_HOST / REDIS_PORT): ${error.message}`);
          });
          return redis;
        },
      },
      { provide: KAFKA, useFactory: () => (options.kafka ? createKafka(options.kafka, options.appName) : null) },
      {
        provide: KAFKA_ADMIN,
        inject: [KAFKA],
        useFactory: async (kafka: Kafka | null) => {
          if (!kafka) return null;
          const admin = kafka.admin();
          // Kafka down at boot must not stop the app (authorisations never wait on Kafka);
          // the health check reports it until it is back.
          await admin.connect().catch(() => undefined);
          return admin;
        },
      },
      { provide: PG_POOL, useFactory: () => (options.postgres ? createPgPool(options.postgres) : null) },
      {
        provide: HEALTH_CHECKS,
        inject: [REDIS, KAFKA_ADMIN, PG_POOL],
        useFactory: (redis: Redis | null, admin: Admin | null, pool: Pool | null): HealthCheck[] => [
          ...(redis ? [redisHealth(redis)] : []),
          ...(admin ? [kafkaHealth(admin)] : []),
          ...(pool ? [postgresHealth(pool)] : []),
        ],
      },
      InfraLifecycle,
    ];
    return {
      module: InfraModule,
      controllers: [HealthController],
      providers,
      exports: [APP_CONFIG, CLOCK, REDIS, KAFKA, PG_POOL, HEALTH_CHECKS],
    };
  }
}
