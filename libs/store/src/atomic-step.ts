import { readFileSync } from 'fs';
import { join } from 'path';
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import { keys } from './keys';

/**
 * The typed side of atomic-step.lua: the plan the domain decides and the script applies in one
 * round trip. Keys are referred to by their 1-based index in KEYS; StepKeys assigns them.
 */
export type KeyRef = number;

/**
 * `stale: true`: a failure means the plan's premise changed (recompute), not a decline.
 * `move: false`: the check only compares; the plan moves the key once in onApprove.
 */
export type Check = { name: string; stale?: boolean; move?: false } & (
  | { type: 'const'; pass: boolean }
  | { type: 'absent'; key: KeyRef; field?: string }
  | { type: 'min'; key: KeyRef; field: string; min: number }
  | { type: 'hbump'; key: KeyRef; field: string; by: number; min?: number; max?: number }
  | { type: 'bump'; key: KeyRef; by: number; max?: number; expireAt?: number }
  | { type: 'bumpSum'; keys: KeyRef[]; by: number; max?: number; expireAt?: number }
);

export interface HoldRecord {
  holdId: string;
  transactionId: string;
  cardId: string;
  currency: string;
  /** Amount originally held (amount + fees), minor units of the wallet currency. */
  amountMinor: number;
  /** What the hold still takes from the available balance. */
  remainingMinor: number;
  feesMinor: number;
  openedAt: number;
  expiresAt: number;
  kind: string;
}

export type Op =
  | { type: 'hbump'; key: KeyRef; field: string; by: number; min?: number; max?: number }
  | { type: 'post'; currency: string; by: number; covered?: boolean }
  | { type: 'bump'; key: KeyRef; by: number; expireAt?: number }
  | { type: 'hset'; key: KeyRef; values: Record<string, string | number>; expireAt?: number }
  | { type: 'hdel'; key: KeyRef; field: string }
  | { type: 'hold'; hold: HoldRecord }
  | { type: 'release'; holdId: string; by?: number; close?: boolean }
  | { type: 'grow'; holdId: string; by: number; expiresAt?: number };

export interface AtomicStepPlan {
  dedupe?: { key: KeyRef; ttlMs: number };
  expect?: { key: KeyRef; field: string; value: string }[];
  checks?: Check[];
  /** Ops of the decline of one named check (an empty list: none, not even onDeclineOther). */
  onDecline?: Record<string, Op[]>;
  /** Ops of a decline whose check has no entry in onDecline. */
  onDeclineOther?: Op[];
  onApprove?: Op[];
  always?: Op[];
  report?: { key: KeyRef; field: string }[];
  /** false: nothing goes to the outbox (e.g. a dry read). */
  publish?: boolean;
}

export type StepResult<R> =
  | { status: 'duplicate'; stored: StoredDecision<R> }
  | { status: 'stale'; reason: string }
  | { status: 'late'; lateByMs: number }
  | { status: 'done'; outcome: StepOutcome };

export interface StepOutcome {
  declined: string | false;
  report: string[];
  /** Holds this step found past their expiry and released first (each with its hold.expired entry). */
  expired?: string[];
}

export interface StoredDecision<R> {
  record: R;
  outcome: StepOutcome;
}

/** Fixed positions of KEYS shared by every step; the step's own keys follow. */
export const BALANCES_KEY: KeyRef = 1;
/** The account's open holds (hash holdId -> hold JSON): a plan may `expect` one hold unchanged. */
export const HOLDS_KEY: KeyRef = 2;

export class StepKeys {
  private readonly list: string[];
  private readonly index = new Map<string, KeyRef>();

  constructor(readonly accountId: string) {
    this.list = [keys.balances(accountId), keys.holds(accountId), keys.holdExpiries(accountId), keys.outbox(accountId)];
    this.list.forEach((key, i) => this.index.set(key, i + 1));
  }

  /** The index of a key, adding it once. */
  ref(key: string): KeyRef {
    const known = this.index.get(key);
    if (known !== undefined) return known;
    this.list.push(key);
    this.index.set(key, this.list.length);
    return this.list.length;
  }

  get all(): readonly string[] {
    return this.list;
  }
}

const ATOMIC_STEP_LUA = readFileSync(join(__dirname, 'atomic-step.lua'), 'utf8');

type AtomicStepCommand = (numKeys: number, ...args: string[]) => Promise<[string, string]>;

/** Registers the script on a connection (EVALSHA, re-sent on NOSCRIPT by ioredis). */
export function defineAtomicStep(redis: Redis): void {
  if (!(redis as unknown as { atomicStep?: unknown }).atomicStep) {
    redis.defineCommand('atomicStep', { lua: ATOMIC_STEP_LUA });
  }
}

export function atomicStepArgs(
  stepKeys: StepKeys,
  plan: AtomicStepPlan,
  nowMs: number,
  recordJson: string,
  deadlineMs?: number,
  retryRecordJson?: string,
): [number, ...string[]] {
  const args: [number, ...string[]] = [stepKeys.all.length, ...stepKeys.all, JSON.stringify(plan), String(nowMs), recordJson];
  if (deadlineMs !== undefined || retryRecordJson !== undefined) args.push(deadlineMs === undefined ? '' : String(Math.floor(deadlineMs)));
  if (retryRecordJson !== undefined) args.push(retryRecordJson);
  return args;
}

export function parseStepReply<R>(reply: [string, string]): StepResult<R> {
  const [status, payload] = reply;
  if (status === 'duplicate') return { status, stored: JSON.parse(payload) as StoredDecision<R> };
  if (status === 'stale') return { status, reason: payload };
  if (status === 'late') return { status, lateByMs: Number(payload) };
  if (status === 'done') return { status, outcome: JSON.parse(payload) as StepOutcome };
  throw new Error(`atomic-step: unexpected reply status ${status}`);
}

/** Runs one step: one round trip. */
export async function runAtomicStep<R>(
  redis: Redis,
  stepKeys: StepKeys,
  plan: AtomicStepPlan,
  nowMs: number,
  recordJson: string,
  deadlineMs?: number,
  retryRecordJson?: string,
): Promise<StepResult<R>> {
  defineAtomicStep(redis);
  const command = (redis as unknown as { atomicStep: AtomicStepCommand }).atomicStep.bind(redis);
  return parseStepReply<R>(await command(...atomicStepArgs(stepKeys, plan, nowMs, recordJson, deadlineMs, retryRecordJson)));
}

/** The same step queued on a pipeline (the relay's work-list entry rides in the same write). */
export function queueAtomicStep(pipeline: ChainableCommander, stepKeys: StepKeys, plan: AtomicStepPlan, nowMs: number, recordJson: string): void {
  (pipeline as unknown as { atomicStep: (...args: (string | number)[]) => void }).atomicStep(...atomicStepArgs(stepKeys, plan, nowMs, recordJson));
}
