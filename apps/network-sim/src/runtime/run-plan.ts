import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IsoMessage, IsoTimeoutError } from '@lib/iso8583';
import { dayIdOf, localDateOf } from '@lib/programs';
import { ClearableTransaction, clearingFileId, recordsForItems, writeClearingFile } from '../clearing/clearing-file';
import { BackOfficeClient, BackOfficeError } from '../issuer/back-office-client';
import type { ProvisionedCardholder } from '../issuer/provision';
import type { NetworkDriver } from '../link/network-driver';
import {
  buildAuthorisation,
  buildCompletion,
  buildEcho,
  buildIncremental,
  buildReversal,
  CardCredentials,
  MessageIds,
  OriginalMessage,
  PinBlockEncoder,
} from '../messages/build-message';
import { isApproval } from '../messages/response-codes';
import { networkMessagesOf } from '../planning/plan-scenario';
import type { AuthStep, BackOfficeStep, ClearingItem, Plan, Step } from '../planning/plan';
import { RunStats } from '../summary/run-stats';
import type { SimClock } from './sim-clock';

/**
 * Plays a plan against the gateway: paces the steps (simulated time and/or a target rate), keeps
 * each cardholder's steps in order (one thing at a time per person, many people at once), moves
 * the shared clock, writes and posts each day's clearing file, and records what happened.
 */
export interface RunPlanInput {
  readonly plan: Plan;
  readonly timeZone: string;
  readonly driver: NetworkDriver;
  readonly backOffice: BackOfficeClient;
  readonly clock: SimClock;
  readonly provisioned: ReadonlyMap<number, ProvisionedCardholder>;
  /** Simulated seconds per real second; 0 = steps are not paced by their planned time. */
  readonly accelerate: number;
  /** Network messages per second; 0 = as fast as the link allows. */
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly maxInFlight: number;
  readonly responseTimeoutMs: number;
  readonly encodePin: PinBlockEncoder;
  /** 5 digits that start every `TI` of the run; also tags clearing file ids. */
  readonly runTag: string;
  readonly clearingDir: string | null;
  readonly postClearing: boolean;
  readonly stats: RunStats;
  readonly log: (line: string) => void;
  /** The network's own acquirer id (0800). */
  readonly networkAcquirerId: string;
}

interface TxnState {
  readonly transactionId: string;
  readonly cardholder: number;
  readonly original: OriginalMessage;
  readonly pan: string;
  code: string | null;
  approved: boolean;
  authCode: string | null;
  /** Approved amount plus increments (field 4 of a full reversal). */
  authorisedMinor: bigint;
  reversed: boolean;
}

/** How far the issuer's clock may run ahead of the step being sent (simulated time). */
const MAX_CLOCK_LEAD_MS = 30 * 60_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PlanRunner {
  /** The response code of each step sent (by step seq): what tests and reports look at. */
  readonly outcomes = new Map<number, string>();
  private readonly txns = new Map<string, TxnState>();
  private tiCounter = 0;
  private stanCounter: number;
  private standInCounter = 0;
  private readonly clearingByDay = new Map<string, ClearingItem[]>();
  private readonly flushedDays = new Set<string>();
  private readonly startedRealMs = Date.now();
  // A TI is network-wide: a TI reused on any account is a 94, also across runs on one Redis. Eight
  // random digits per run (the run tag's five would meet another run's too often), then a count.
  private readonly tiPrefix = String(randomInt(0, 100_000_000)).padStart(8, '0');

  constructor(private readonly input: RunPlanInput) {
    this.stanCounter = Number(input.runTag) % 900_000;
    for (const item of input.plan.clearing) {
      const items = this.clearingByDay.get(item.processingDay) ?? [];
      items.push(item);
      this.clearingByDay.set(item.processingDay, items);
    }
  }

  get realElapsedMs(): number {
    return Date.now() - this.startedRealMs;
  }

  async run(): Promise<void> {
    const { plan, accelerate, ratePerSecond, durationMs, maxInFlight, stats } = this.input;
    const queues = new Map<number, Promise<void>>();
    let inFlight = 0;
    let released: (() => void) | undefined;
    let messages = 0;
    for (let i = 0; i < plan.steps.length; i++) {
      const step = plan.steps[i];
      if (accelerate > 0) await this.waitForSimulatedTime(step.atMs);
      if (ratePerSecond > 0) {
        const dueMs = (messages / ratePerSecond) * 1000 - this.realElapsedMs;
        if (dueMs > 1) await sleep(dueMs);
      }
      if (this.realElapsedMs >= durationMs) {
        stats.stepsNotSent = plan.steps.length - i;
        break;
      }
      if (accelerate > 0) {
        await this.input.clock.advanceTo(this.clockTarget(step.atMs));
        await this.flushClearing(false);
      }
      while (inFlight >= maxInFlight) await new Promise<void>((resolve) => (released = resolve));
      inFlight += 1;
      messages += networkMessagesOf(step);
      const previous = queues.get(step.cardholder) ?? Promise.resolve();
      const next = previous
        .then(() => this.execute(step))
        .catch((error: Error) => stats.linkError(`step failed: ${error.name}`))
        .finally(() => {
          inFlight -= 1;
          released?.();
          released = undefined;
        });
      queues.set(step.cardholder, next);
    }
    await Promise.all(queues.values());
  }

  /**
   * Where to move the issuer's clock before sending a step planned at `atMs`: the simulated now
   * (start + real elapsed x accelerate), so that one move covers every step due in the same few
   * milliseconds, but never more than MAX_CLOCK_LEAD_MS past the step (when sending lags, the clock
   * waits for the plan rather than run ahead of the steps still to send).
   */
  private clockTarget(atMs: number): number {
    const simulatedNow = this.input.plan.startMs + this.realElapsedMs * this.input.accelerate;
    return Math.min(Math.max(atMs, simulatedNow), atMs + MAX_CLOCK_LEAD_MS);
  }

  /** Waits until the real time at which this simulated instant is due, or the end of the run. */
  private async waitForSimulatedTime(atMs: number): Promise<void> {
    const dueRealMs = (atMs - this.input.plan.startMs) / this.input.accelerate;
    for (;;) {
      const left = Math.min(dueRealMs, this.input.durationMs) - this.realElapsedMs;
      if (left <= 1) return;
      await sleep(Math.min(left, 50));
    }
  }

  private nextIds(): MessageIds {
    this.stanCounter = (this.stanCounter % 999_999) + 1;
    return { stan: String(this.stanCounter).padStart(6, '0'), sentAtMs: this.input.clock.nowMs() };
  }

  private nextTransactionId(): string {
    this.tiCounter += 1;
    return `${this.tiPrefix}${String(this.tiCounter).padStart(7, '0')}`;
  }

  private credentials(step: { cardholder: number; card: 'physical' | 'virtual' }): CardCredentials | undefined {
    return this.input.provisioned.get(step.cardholder)?.cards[step.card];
  }

  /** Sends one message and records its answer; undefined when none came (timeout, link error). */
  private async transmit(message: IsoMessage, family: string): Promise<IsoMessage | 'timeout' | undefined> {
    const { driver, stats, responseTimeoutMs } = this.input;
    stats.messageSent(message.mti);
    const sentAt = performance.now();
    try {
      const response = await driver.send(message, responseTimeoutMs);
      stats.responseReceived(message, response, family, performance.now() - sentAt);
      return response;
    } catch (error) {
      if (error instanceof IsoTimeoutError) {
        stats.linkError('timeout');
        return 'timeout';
      }
      stats.linkError((error as Error).name || 'error');
      return undefined;
    }
  }

  private async execute(step: Step): Promise<void> {
    switch (step.type) {
      case 'auth':
        return this.authorise(step);
      case 'incremental':
      case 'completion':
      case 'reversal':
        return this.followUp(step);
      case 'echo': {
        const response = await this.transmit(buildEcho(this.nextIds(), this.input.networkAcquirerId), step.family);
        if (response instanceof IsoMessage) {
          this.outcomes.set(step.seq, response.get(39) ?? '??');
          this.input.stats.expectation(step.expect, response.get(39) ?? '??', { family: step.family, behaviour: step.behaviour, mti: '0800' });
        }
        return;
      }
      case 'malformed':
        return this.malformed(step);
      case 'back-office':
        return this.backOfficeStep(step);
    }
  }

  private async authorise(step: AuthStep): Promise<void> {
    const { stats } = this.input;
    const card = this.credentials(step);
    if (card === undefined) return stats.skip('card not provisioned');
    const transactionId = this.nextTransactionId();
    const standInAuthCode = step.standIn ? `S${(++this.standInCounter).toString(36).toUpperCase().padStart(5, '0').slice(-5)}` : undefined;
    const message = buildAuthorisation(step.request, { card, transactionId, ids: this.nextIds(), encodePin: this.input.encodePin, standInAuthCode });
    const state: TxnState = {
      transactionId,
      cardholder: step.cardholder,
      original: { mti: message.mti, transactionId, message },
      pan: message.get(2)!,
      code: null,
      approved: false,
      authCode: standInAuthCode ?? null,
      authorisedMinor: step.request.amountMinor,
      reversed: false,
    };
    this.txns.set(step.txn, state);
    if (step.standIn) stats.standInAdvices += 1;
    const response = await this.transmit(message, step.family);
    if (response === 'timeout') {
      // The network's timer ran out: it reverses what it may have been approved (0420).
      stats.timeouts.real += 1;
      if (message.mti !== '0120') await this.reverse(state, '0420', 0n, 'network', 'timeout-reversal', ['00']);
      return;
    }
    if (response === undefined) return;
    const code = response.get(39) ?? '??';
    this.outcomes.set(step.seq, code);
    state.code = code;
    // A stand-in advice was approved by the network whatever the issuer answers (it must apply it).
    state.approved = step.standIn ? true : isApproval(code) && code !== '85';
    if (!step.standIn) state.authCode = response.get(38)?.trim() || null;
    if (code === '10') state.authorisedMinor = BigInt(response.get(4) ?? '0');
    stats.expectation(step.expect, code, { family: step.family, behaviour: step.behaviour, mti: message.mti });
    if (step.timeout) stats.timeouts.injected += 1;
    if (step.retry) await this.retry(message, response, step.family);
  }

  /** The network sends the very same message again: the answer must be the same. */
  private async retry(message: IsoMessage, first: IsoMessage, family: string): Promise<void> {
    const { stats } = this.input;
    stats.retries.sent += 1;
    const again = await this.transmit(message, family);
    if (!(again instanceof IsoMessage)) return;
    const same = [4, 6, 28, 38, 39, 54].every((field) => again.get(field) === first.get(field));
    if (same) stats.retries.identical += 1;
    else stats.retries.different += 1;
  }

  private async followUp(step: Extract<Step, { type: 'incremental' | 'completion' | 'reversal' }>): Promise<void> {
    const { stats } = this.input;
    const state = this.txns.get(step.txn);
    if (state === undefined) return stats.skip('original not sent');
    // A timeout reversal goes whatever the answer was: the network never saw it in time.
    const networkBlind = step.type === 'reversal' && step.mti === '0420';
    if (!networkBlind && !state.approved) return stats.skip('original not approved');
    if (step.type === 'reversal') return this.reverse(state, step.mti, step.remainingMinor, step.family, step.behaviour, step.expect, step.seq);
    const message =
      step.type === 'incremental' ? buildIncremental(state.original, step.amountMinor, this.nextIds()) : buildCompletion(state.original, step.amountMinor, this.nextIds());
    const response = await this.transmit(message, step.family);
    if (!(response instanceof IsoMessage)) return;
    const code = response.get(39) ?? '??';
    this.outcomes.set(step.seq, code);
    stats.expectation(step.expect, code, { family: step.family, behaviour: step.behaviour, mti: message.mti });
    if (step.type === 'incremental' && isApproval(code)) state.authorisedMinor += step.amountMinor;
  }

  private async reverse(state: TxnState, mti: '0400' | '0420', remainingMinor: bigint, family: string, behaviour: string, expect: readonly string[] | null, seq?: number): Promise<void> {
    const { stats } = this.input;
    const message = buildReversal(mti, state.original, state.authorisedMinor, remainingMinor, this.nextIds());
    if (mti === '0420') stats.timeouts.reversalAdvices += 1;
    const response = await this.transmit(message, family);
    if (!(response instanceof IsoMessage)) return;
    const code = response.get(39) ?? '??';
    if (seq !== undefined) this.outcomes.set(seq, code);
    stats.expectation(expect, code, { family, behaviour, mti });
    if (code === '00' && remainingMinor === 0n) state.reversed = true;
  }

  private async malformed(step: Extract<Step, { type: 'malformed' }>): Promise<void> {
    const { stats, driver } = this.input;
    const card = this.credentials(step);
    if (card === undefined) return stats.skip('card not provisioned');
    const merchant = { id: 'FRGROCERY000001', name: 'SUPERMARCHE PARIS', city: 'PARIS', countryAlpha: 'FR', countryNumeric: '250', mcc: '5411', acquirerId: '12345678', terminalId: 'T0000001' };
    const request = { mti: '0100', processing: '00', amountMinor: 1250n, currency: 'EUR', merchant, entryMode: '071', condition: '00', pin: null, cvv2: null, expiry: 'right', tags: {}, pan: 'card' } as const;
    const message = buildAuthorisation(request, { card, transactionId: this.nextTransactionId(), ids: this.nextIds(), encodePin: this.input.encodePin });
    stats.messageSent(message.mti);
    const sentAt = performance.now();
    try {
      const response = await driver.sendMalformed(message, this.input.responseTimeoutMs);
      stats.responseReceived(message, response, step.family, performance.now() - sentAt);
      this.outcomes.set(step.seq, response.get(39) ?? '??');
      stats.expectation(step.expect, response.get(39) ?? '??', { family: step.family, behaviour: step.behaviour, mti: `${message.mti} (malformed)` });
    } catch (error) {
      stats.linkError(`malformed: ${(error as Error).name}`);
    }
  }

  private async backOfficeStep(step: BackOfficeStep): Promise<void> {
    const { stats, backOffice } = this.input;
    const holder = this.input.provisioned.get(step.cardholder);
    const card = holder?.cards[step.card];
    if (holder === undefined || card === undefined) return stats.skip('card not provisioned');
    const key = `sim-${this.input.runTag}-${step.seq}`;
    const action = step.action;
    try {
      if (action.kind === 'revoke-consent') await backOffice.revokeConsent(card.cardId, action.merchantId, key);
      else if (action.kind === 'block') await backOffice.block(card.cardId, action.mode, key);
      else if (action.kind === 'pin-unblock') await backOffice.cardAction(card.cardId, 'pin/unblock', key);
      else await backOffice.load(holder.accountId, action.amount, key);
      stats.backOfficeCall(action.kind, null);
      this.outcomes.set(step.seq, 'ok');
    } catch (error) {
      // A load above the program's balance cap is a rule the holder meets, not a failure.
      const refused = error instanceof BackOfficeError && error.status === 422;
      this.outcomes.set(step.seq, refused ? 'refused' : 'failed');
      const text = error instanceof BackOfficeError ? `${error.status} ${error.reason}`.slice(0, 100) : (error as Error).message;
      stats.backOfficeCall(action.kind, refused ? { refused: text } : { error: text });
    }
  }

  /**
   * Writes and posts the clearing files: in accelerated runs, each processing day once the clock
   * has passed it (`final` = false); at the end (`final` = true) every day up to today, or, on the
   * real clock, every item in one file of today.
   */
  async flushClearing(final: boolean): Promise<void> {
    const today = dayIdOf(localDateOf(this.input.clock.nowMs(), this.input.timeZone));
    if (this.input.accelerate <= 0 || this.input.clock.kind === 'real') {
      if (!final) return;
      const items = [...this.clearingByDay.values()].flat();
      this.clearingByDay.clear();
      if (items.length > 0) await this.writeAndPost(today, items);
      return;
    }
    for (const day of [...this.clearingByDay.keys()].sort()) {
      if (day > today || (day === today && !final) || this.flushedDays.has(day)) continue;
      const items = this.clearingByDay.get(day)!;
      this.clearingByDay.delete(day);
      this.flushedDays.add(day);
      await this.writeAndPost(day, items);
    }
    if (final) {
      const later = [...this.clearingByDay.values()].reduce((sum, items) => sum + items.length, 0);
      if (later > 0) this.input.stats.clearingRecords([], new Map([['due after the end of the run', later]]));
      this.clearingByDay.clear();
    }
  }

  private async writeAndPost(day: string, items: readonly ClearingItem[]): Promise<void> {
    const { stats, backOffice } = this.input;
    const { records, dropped } = recordsForItems(items, (txn) => this.clearable(txn), (cardholder, card) => this.input.provisioned.get(cardholder)?.cards[card]?.pan);
    stats.clearingRecords(
      records.map((r) => r.label),
      dropped,
    );
    if (records.length === 0) return;
    const fileId = clearingFileId(day, this.input.runTag);
    const text = writeClearingFile(fileId, day, records);
    let path: string | null = null;
    if (this.input.clearingDir !== null) {
      mkdirSync(this.input.clearingDir, { recursive: true });
      path = join(this.input.clearingDir, `${fileId}.jsonl`);
      writeFileSync(path, text, { mode: 0o600 });
    }
    let outcome = 'written, not posted (--no-post-clearing)';
    let rejected: { line: number; reason: string }[] = [];
    if (this.input.postClearing) {
      try {
        const answer = await backOffice.postClearingFile(text);
        if (answer.available) {
          outcome = `accepted ${answer.value.accepted}, rejected ${answer.value.rejected.length}`;
          rejected = answer.value.rejected;
        } else {
          outcome = `not ingested: POST /v1/clearing/files answered ${answer.status}${answer.reason ? ` (${answer.reason})` : ''}`;
          if (answer.status === 404) stats.note('POST /v1/clearing/files answered 404: the gateway has no clearing ingest yet; the files are written to disk only.');
        }
      } catch (error) {
        outcome = `not ingested: ${(error as Error).message}`;
      }
    }
    stats.clearingFiles.push({ fileId, processingDate: day, records: records.length, path, outcome, rejected });
    this.input.log(`[sim] clearing ${fileId}: ${records.length} records -> ${outcome}`);
  }

  private clearable(txn: string): ClearableTransaction | undefined {
    const state = this.txns.get(txn);
    if (state === undefined || state.code === null) return undefined;
    const source = state.original.message;
    const location = source.get(43) ?? '';
    return {
      transactionId: state.transactionId,
      pan: state.pan,
      authCode: state.authCode,
      approved: state.approved,
      reversed: state.reversed,
      mcc: source.get(18) ?? '0000',
      merchant: { id: (source.get(42) ?? '').trim(), name: location.slice(0, 25).trim(), country: location.slice(38, 40) },
      acquirerId: source.get(32) ?? '',
    };
  }

  /** The run's transaction id (TI) of a planned transaction, once sent. */
  transactionIdOf(txn: string): string | undefined {
    return this.txns.get(txn)?.transactionId;
  }

  /** The TI of a planned transaction the issuer approved (and nobody reversed), else undefined. */
  approvedTransactionIdOf(txn: string): string | undefined {
    const state = this.txns.get(txn);
    return state !== undefined && state.approved && !state.reversed ? state.transactionId : undefined;
  }
}
