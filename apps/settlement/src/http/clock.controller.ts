import { Controller, Get, Inject, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Clock, CLOCK, SharedSimulatedClock } from '@lib/clock';
import { BackOfficeKeyGuard } from './back-office-key.guard';

/**
 * `GET /v1/clock` (http-and-events.md): the simulated clock "is shared by every app", so settlement
 * answers the instant it posts, expires holds and rolls business days by, the same shared clock
 * (Redis) the gateway serves, with the same shapes: `{now}` when the start flag
 * `clock.simulated` is on, `404 {error: {code: not-found}}` when it is off, `401` first without the
 * back-office key. Read-only: moving the clock (`POST /v1/clock`) is the gateway's, one place to
 * drive a demo from (docs/settlement.md); here a POST is 404 like any unknown route.
 */
@Controller('v1/clock')
@UseGuards(BackOfficeKeyGuard)
export class SettlementClockController {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  @Get()
  now(@Res({ passthrough: true }) reply: FastifyReply) {
    if (!(this.clock instanceof SharedSimulatedClock)) {
      reply.status(404);
      return { error: { code: 'not-found', reason: 'the simulated clock is off (start flag clock.simulated / CLOCK_SIMULATED)' } };
    }
    return { now: new Date(this.clock.nowMs()).toISOString() };
  }
}
