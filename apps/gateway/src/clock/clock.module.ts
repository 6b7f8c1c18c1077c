import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { BackOfficeAuthMiddleware } from '../back-office/back-office-auth';
import { ClockController } from './clock.controller';

/**
 * The simulated clock's HTTP routes; the clock itself is InfraModule's CLOCK provider. Back-office
 * routes: the key is checked before the body is parsed.
 */
@Module({ controllers: [ClockController] })
export class ClockModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(BackOfficeAuthMiddleware).forRoutes(ClockController);
  }
}
