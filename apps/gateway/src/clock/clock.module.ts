import { Module } from '@nestjs/common';
import { ClockController } from './clock.controller';

/** The simulated clock's HTTP routes; the clock itself is InfraModule's CLOCK provider. */
@Module({ controllers: [ClockController] })
export class ClockModule {}
