import { Body, Controller, Get, HttpCode, Inject, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Clock, CLOCK, parseClockCommand, SharedSimulatedClock } from '@lib/clock';
import { BackOfficeAuthGuard } from '../back-office/back-office-auth';

/**
 * `GET` / `POST /v1/clock` (http-and-events.md): the simulated clock shared by every app, only when
 * the start flag `clock.simulated` is on; `404` otherwise. A back-office route: the bearer key is
 * required (401 first, whether the clock is on or off). Errors take the back office's shape
 * `{error: {code, ...}}`:
 * - `400 validation` names the field of a body that is not `{advanceSeconds: <integer >= 0>}` or
 *   `{set: "<ISO 8601 with offset>"}`;
 * - `409 clock-backwards` refuses a `set` before the current simulated instant (the request is well
 *   formed but conflicts with the clock's state; the body carries the current `now`).
 * The settlement app can mount the same controller (it needs only the CLOCK provider).
 */
@Controller('v1/clock')
@UseGuards(BackOfficeAuthGuard)
export class ClockController {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  @Get()
  now(@Res({ passthrough: true }) reply: FastifyReply) {
    const clock = this.simulated();
    if (!clock) return notEnabled(reply);
    return { now: iso(clock.nowMs()) };
  }

  @Post()
  @HttpCode(200)
  async change(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const clock = this.simulated();
    if (!clock) return notEnabled(reply);
    const command = parseClockCommand(body);
    if (!command.ok) {
      reply.status(400);
      return { error: { code: 'validation', ...command.error } };
    }
    const change = command.value.kind === 'advance' ? await clock.advance(command.value.seconds) : await clock.set(command.value.instantMs);
    if (!change.ok) {
      reply.status(409);
      return { error: { code: 'clock-backwards', reason: 'the simulated clock never goes backwards', now: iso(change.nowMs) } };
    }
    return { now: iso(change.nowMs) };
  }

  private simulated(): SharedSimulatedClock | undefined {
    return this.clock instanceof SharedSimulatedClock ? this.clock : undefined;
  }
}

function notEnabled(reply: FastifyReply) {
  reply.status(404);
  return { error: { code: 'not-found', reason: 'the simulated clock is off (start flag clock.simulated / CLOCK_SIMULATED)' } };
}

function iso(instantMs: number): string {
  return new Date(instantMs).toISOString();
}
