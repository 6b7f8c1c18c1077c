import { readFileSync } from 'fs';
import { join } from 'path';
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import { keys } from './keys';
import { LuaScript } from './lua-script';

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
  /**
   * Per check name, the text a record says of a decline of that check: it replaces the record's
   * DECLINE_MARK when that check decides, and nothing replaces the mark otherwise. A record then
   * carries the decline that happened, not every decline that could have (see recordJsonWithMark).
   */
  declineTexts?: Record<string, string>;
}

/**
 * Where, in a record's JSON, the step puts the text of the deciding check. A NUL byte: JSON text
 * escapes every control character, so it never occurs in one.
 */
export const DECLINE_MARK = '\u0000';

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
    this.list = [
      keys.balances(accountId),
      keys.holds(accountId),
      keys.holdExpiries(accountId),
      keys.outbox(accountId),
    ];
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
  return [
    stepKeys.all.length,
    ...stepKeys.all,
    String(nowMs),
    recordJson,
    deadlineMs === undefined ? '' : String(Math.floor(deadlineMs)),
    retryRecordJson ?? '',
    ...encodePlan(plan),
  ];
}

/** '' stands for "none" in the script's tokens (no bound, no expiry, no field). */
const opt = (value: number | string | undefined): string => (value === undefined ? '' : String(value));
/** Amounts and instants go to INCRBY / HINCRBY / PEXPIREAT as integers (as the script's int() did). */
const int = (value: number): string => String(Math.trunc(value));
const optInt = (value: number | undefined): string => (value === undefined ? '' : int(value));

/**
 * The plan as the flat tokens atomic-step.lua reads (its header documents the layout): the
 * script reads ARGV in place instead of decoding a JSON document, which cost more of Redis' time
 * than the rest of the step. Ops go once into an op table that the lists name by index, so the
 * same write shared by several declines is sent once.
 */
export function encodePlan(plan: AtomicStepPlan): string[] {
  const tokens: string[] = [];
  if (plan.dedupe) tokens.push(String(plan.dedupe.key), String(plan.dedupe.ttlMs));
  else tokens.push('', '');
  const expect = plan.expect ?? [];
  tokens.push(String(expect.length));
  for (const e of expect) tokens.push(String(e.key), e.field, e.value);
  const checks = plan.checks ?? [];
  tokens.push(String(checks.length));
  for (const c of checks) encodeCheck(c, tokens);

  const table: string[][] = [];
  const indexOf = new Map<string, number>();
  const listOf = (list: readonly Op[] | undefined): string[] =>
    (list ?? []).map((op) => {
      const encoded = encodeOp(op);
      const identity = encoded.join('\u0000');
      let index = indexOf.get(identity);
      if (index === undefined) {
        table.push(encoded);
        index = table.length;
        indexOf.set(identity, index);
      }
      return String(index);
    });
  const onApprove = listOf(plan.onApprove);
  const onDeclineOther = listOf(plan.onDeclineOther);
  const onDecline = Object.entries(plan.onDecline ?? {}).map(([name, list]) => [
    name,
    ...counted(listOf(list)),
  ]);
  const always = listOf(plan.always);
  tokens.push(String(table.length));
  for (const op of table) tokens.push(...op);
  tokens.push(...counted(onApprove), ...counted(onDeclineOther), String(onDecline.length));
  for (const entry of onDecline) tokens.push(...entry);
  tokens.push(...counted(always));
  const report = plan.report ?? [];
  tokens.push(String(report.length));
  for (const r of report) tokens.push(String(r.key), r.field);
  tokens.push(plan.publish === false ? '0' : '1');
  const texts = Object.entries(plan.declineTexts ?? {});
  tokens.push(String(texts.length));
  for (const [name, text] of texts) tokens.push(name, text);
  return tokens;
}

const counted = (list: string[]): string[] => [String(list.length), ...list];

function encodeCheck(c: Check, tokens: string[]): void {
  const flags = `${c.stale ? 's' : ''}${c.move === false ? 'n' : ''}`;
  switch (c.type) {
    case 'const':
      tokens.push('c', c.name, flags, c.pass ? '1' : '0');
      return;
    case 'absent':
      tokens.push('a', c.name, flags, String(c.key), c.field ?? '');
      return;
    case 'min':
      tokens.push('m', c.name, flags, String(c.key), c.field, String(c.min));
      return;
    case 'hbump':
      tokens.push('h', c.name, flags, String(c.key), c.field, int(c.by), opt(c.min), opt(c.max));
      return;
    case 'bump':
      tokens.push('b', c.name, flags, String(c.key), int(c.by), opt(c.max), optInt(c.expireAt));
      return;
    case 'bumpSum':
      tokens.push(
        'S',
        c.name,
        flags,
        String(c.keys.length),
        ...c.keys.map(String),
        int(c.by),
        opt(c.max),
        optInt(c.expireAt),
      );
      return;
  }
}

function encodeOp(op: Op): string[] {
  switch (op.type) {
    case 'hbump':
      return ['h', String(op.key), op.field, int(op.by), opt(op.min), opt(op.max)];
    case 'post':
      return ['p', op.currency, int(op.by), op.covered ? '1' : '0'];
    case 'bump':
      return ['b', String(op.key), int(op.by), optInt(op.expireAt)];
    case 'hset': {
      const fields = Object.entries(op.values);
      const tokens = ['H', String(op.key), optInt(op.expireAt), String(fields.length)];
      for (const [field, value] of fields) tokens.push(field, String(value));
      return tokens;
    }
    case 'hdel':
      return ['d', String(op.key), op.field];
    case 'hold':
      return ['o', op.hold.holdId, int(op.hold.expiresAt), JSON.stringify(op.hold)];
    case 'release':
      return ['r', op.holdId, optInt(op.by), op.close ? '1' : '0'];
    case 'grow':
      return ['g', op.holdId, int(op.by), optInt(op.expiresAt)];
  }
}

export function parseStepReply<R>(reply: [string, string]): StepResult<R> {
  const [status, payload] = reply;
  if (status === 'duplicate') return { status, stored: JSON.parse(payload) as StoredDecision<R> };
  if (status === 'stale') return { status, reason: payload };
  if (status === 'late') return { status, lateByMs: Number(payload) };
  if (status === 'done') return { status, outcome: JSON.parse(payload) as StepOutcome };
  throw new Error(`atomic-step: unexpected reply status ${status}`);
}

const ATOMIC_STEP = new LuaScript(ATOMIC_STEP_LUA);

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
  const [numKeys, ...args] = atomicStepArgs(stepKeys, plan, nowMs, recordJson, deadlineMs, retryRecordJson);
  return parseStepReply<R>(await ATOMIC_STEP.run<[string, string]>(redis, numKeys, args));
}

/** The same step queued on a pipeline (the relay's work-list entry rides in the same write). */
export function queueAtomicStep(
  pipeline: ChainableCommander,
  stepKeys: StepKeys,
  plan: AtomicStepPlan,
  nowMs: number,
  recordJson: string,
): void {
  (pipeline as unknown as { atomicStep: (...args: (string | number)[]) => void }).atomicStep(
    ...atomicStepArgs(stepKeys, plan, nowMs, recordJson),
  );
}
