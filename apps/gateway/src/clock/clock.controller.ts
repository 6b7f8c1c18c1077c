import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type Redis from 'ioredis';
import { IDEMPOTENCY_CONFLICT_REASON_TEXT, idempotencyRequest, parseIdempotencyKey, runOncePerKey } from '@lib/back-office';
import { Clock, CLOCK, ClockCommand, parseClockCommand, SharedSimulatedClock } from '@lib/clock';
import { REDIS } from '@lib/platform';
import { BackOfficeAuthGuard } from '../back-office/back-office-auth';

/** What a clock change answered, kept for an idempotent replay: the new instant, or a refused `set`. */
interface ClockChange {
  readonly nowMs: number;
  readonly backwards: boolean;
}

/**
 * `GET` / `POST /v1/clock` (http-and-events.md): the simulated clock shared by every app, only when
 * the start flag `clock.simulated` is on; `404` otherwise. A back-office route: the bearer key is
 * required (401 first, whether the clock is on or off). Errors take the back office's shape
 * `{error: {code, ...}}`:
 * - `400 validation` names the field of a body that is not `{advanceSeconds: <integer >= 0>}` or
 *   `{set: "<ISO 8601 with offset>"}`;
 * - `409 clock-backwards` refuses a `set` before the current simulated instant (the request is well
 *   formed but conflicts with the clock's state; the body carries the current `now`).
 * A change takes an `Idempotency-Key` like every back-office write (docs/back-office.md
 * "Idempotency"): the same key and body replay the first answer (`Idempotency-Replayed: true`, the
 * clock is not moved again), another body is `409 idempotency-conflict`. The 400s and the 404
 * are not kept for the key.
 * The settlement app can mount the same controller (it needs only the CLOCK provider).
 */
@Controller('v1/clock')
@UseGuards(BackOfficeAuthGuard)
export class ClockController {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get()
  now(@Res({ passthrough: true }) reply: FastifyReply) {
    const clock = this.simulated();
    if (!clock) return notEnabled(reply);
    return { now: iso(clock.nowMs()) };
  }

  @Post()
  @HttpCode(200)
  async change(@Body() body: unknown, @Headers('idempotency-key') idempotencyKey: string | string[] | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const clock = this.simulated();
    if (!clock) return notEnabled(reply);
    const key = parseIdempotencyKey(idempotencyKey);
    if (!key.ok) {
      reply.status(400);
      return { error: { code: 'validation', ...key.error } };
    }
    const command = parseClockCommand(body);
    if (!command.ok) {
      reply.status(400);
      return { error: { code: 'validation', ...command.error } };
    }
    const request = idempotencyRequest(key.value, 'POST', '/v1/clock', body);
    if (request === undefined) return answer(reply, await apply(clock, command.value));
    const once = await runOncePerKey(this.redis, request, () => clock.nowMs(), { leaseMs: 30_000, waitMs: 5_000 }, async () => ({
      outcome: await apply(clock, command.value),
      keep: true,
    }));
    if (once.kind === 'conflict') {
      reply.status(409);
      return { error: { code: 'idempotency-conflict', reason: IDEMPOTENCY_CONFLICT_REASON_TEXT } };
    }
    if (once.kind === 'in-progress') return inProgress(reply);
    if (once.replayed) reply.header('idempotency-replayed', 'true');
    return answer(reply, once.outcome);
  }

  private simulated(): SharedSimulatedClock | undefined {
    return this.clock instanceof SharedSimulatedClock ? this.clock : undefined;
  }
}

async function apply(clock: SharedSimulatedClock, command: ClockCommand): Promise<ClockChange> {
  const change = command.kind === 'advance' ? await clock.advance(command.seconds) : await clock.set(command.instantMs);
  return { nowMs: change.nowMs, backwards: !change.ok };
}

function answer(reply: FastifyReply, change: ClockChange) {
  if (change.backwards) {
    reply.status(409);
    return { error: { code: 'clock-backwards', reason: 'the simulated clock never goes backwards', now: iso(change.nowMs) } };
  }
  return { now: iso(change.nowMs) };
}

function inProgress(reply: FastifyReply) {
  reply.status(503);
  return { error: { code: 'busy', reason: 'a request with this Idempotency-Key is still being processed: retry it' } };
}

function notEnabled(reply: FastifyReply) {
  reply.status(404);
  return { error: { code: 'not-found', reason: 'the simulated clock is off (start flag clock.simulated / CLOCK_SIMULATED)' } };
}

function iso(instantMs: number): string {
  return new Date(instantMs).toISOString();
}
