import type Redis from 'ioredis';
import { Clock, SystemClock } from './clock';

/**
 * The simulated clock shared by every app (http-and-events.md `GET` / `POST /v1/clock`), enabled
 * only by the start flag `clock.simulated`. Its state lives in Redis: the simulated instant it was
 * last set to and the real instant it was set at; from there it ticks in real time, so
 * now = base + (real now - real instant of the set). Every process (gateway, settlement,
 * simulator) derives the same time from the same state.
 *
 * `nowMs()` is synchronous (the engine reads it on every message): it reads a cached copy of the
 * state, refreshed on every change by Redis pub/sub and, in case a message is lost, by a periodic
 * read. A change made by this process applies to it at once. Changes are atomic in Redis (a Lua
 * script), and the clock never goes backwards: neither in Redis (a `set` before the current
 * instant is refused) nor in one process (nowMs never answers less than it answered before).
 */
export interface SimulatedClockState {
  /** The simulated instant set, epoch ms. */
  readonly baseMs: number;
  /** The real instant it was set at, epoch ms. */
  readonly setAtRealMs: number;
}

export interface SharedSimulatedClockOptions {
  /** Redis key of the state (keys.simulatedClock()). */
  readonly key: string;
  /** Pub/sub channel announcing a change (default `<key>:changed`). */
  readonly channel?: string;
  /** Periodic re-read of the state, in case a notification was missed. */
  readonly refreshIntervalMs?: number;
  /** The real clock it ticks with (default: the wall clock). */
  readonly real?: Clock;
}

export type ClockChange = { ok: true; nowMs: number } | { ok: false; reason: 'backwards'; nowMs: number };

/** KEYS[1] the state key. ARGV[1] 'advance' | 'set', ARGV[2] ms to add or the target instant, ARGV[3] real now ms, ARGV[4] channel. */
const CHANGE_LUA = `
local raw = redis.call('GET', KEYS[1])
local real = tonumber(ARGV[3])
local current = real
if raw then
  local state = cjson.decode(raw)
  current = state.baseMs + (real - state.setAtRealMs)
end
local target = tonumber(ARGV[2])
if ARGV[1] == 'advance' then target = current + target end
if target < current then return { 'backwards', string.format('%d', current) } end
local state = '{"baseMs":' .. string.format('%d', target) .. ',"setAtRealMs":' .. string.format('%d', real) .. '}'
redis.call('SET', KEYS[1], state)
redis.call('PUBLISH', ARGV[4], state)
return { 'ok', state }
`;

type ChangeCommand = (key: string, mode: string, amount: string, realNowMs: string, channel: string) => Promise<[string, string]>;

export class SharedSimulatedClock implements Clock {
  private state: SimulatedClockState | undefined;
  private lastMs = 0;
  private subscriber: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly channel: string;
  private readonly real: Clock;

  constructor(
    private readonly redis: Redis,
    private readonly options: SharedSimulatedClockOptions,
  ) {
    this.channel = options.channel ?? `${options.key}:changed`;
    this.real = options.real ?? new SystemClock();
  }

  /** Reads the state and follows its changes (pub/sub on a connection of its own, and a timer). */
  async start(): Promise<void> {
    await this.refresh();
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.apply(message);
    });
    await this.subscriber.subscribe(this.channel);
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.options.refreshIntervalMs ?? 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  nowMs(): number {
    const realMs = this.real.nowMs();
    const computed = this.state === undefined ? realMs : this.state.baseMs + (realMs - this.state.setAtRealMs);
    // Never backwards within a process (two processes' real clocks may differ by a few ms).
    this.lastMs = Math.max(this.lastMs, computed);
    return this.lastMs;
  }

  /** Moves the clock forward by a whole number of seconds (0 or more). */
  advance(seconds: number): Promise<ClockChange> {
    if (!Number.isSafeInteger(seconds) || seconds < 0) throw new RangeError('advanceSeconds must be a non-negative integer');
    return this.change('advance', seconds * 1000);
  }

  /** Sets the clock to an instant, refused when that is before the current simulated instant. */
  set(instantMs: number): Promise<ClockChange> {
    if (!Number.isSafeInteger(instantMs)) throw new RangeError('the instant must be an integer of epoch milliseconds');
    return this.change('set', instantMs);
  }

  /** Re-reads the state from Redis. */
  async refresh(): Promise<void> {
    const raw = await this.redis.get(this.options.key);
    if (raw !== null) this.apply(raw);
  }

  private async change(mode: 'advance' | 'set', amountMs: number): Promise<ClockChange> {
    if (!(this.redis as unknown as { simulatedClockChange?: unknown }).simulatedClockChange) {
      this.redis.defineCommand('simulatedClockChange', { numberOfKeys: 1, lua: CHANGE_LUA });
    }
    const command = (this.redis as unknown as { simulatedClockChange: ChangeCommand }).simulatedClockChange.bind(this.redis);
    const [status, payload] = await command(this.options.key, mode, String(amountMs), String(this.real.nowMs()), this.channel);
    if (status === 'backwards') return { ok: false, reason: 'backwards', nowMs: Math.max(Number(payload), this.nowMs()) };
    this.apply(payload);
    return { ok: true, nowMs: this.nowMs() };
  }

  private apply(raw: string): void {
    try {
      const parsed = JSON.parse(raw) as SimulatedClockState;
      if (Number.isFinite(parsed.baseMs) && Number.isFinite(parsed.setAtRealMs)) this.state = { baseMs: parsed.baseMs, setAtRealMs: parsed.setAtRealMs };
    } catch {
      // A malformed state is ignored: the clock keeps the last good one.
    }
  }
}
