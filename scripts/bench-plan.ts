/**
 * `npm run bench:plan`: the CPU an authorisation costs the gateway outside Redis, per message.
 * It builds in memory what a 0100 is planned from (the catalogue loaded as the app loads it, an
 * account snapshot as readSnapshot returns it) and times the per-message path that does not touch
 * Redis: parse the request, compute the retry / field 90 identities and the fee-usage counter keys,
 * plan the decision, serialise the record and the retry record, encode the plan for the atomic step, and
 * draw the event id, authorisation code and hold id.
 *
 * Two cases: a contactless purchase of 1.00 EUR at MCC 5999 on an active eur-premium card (the
 * common message), and a 1.00 USD purchase on a travel-multicurrency card with no USD funds, so
 * it is converted from the EUR wallet (fields 6 / 10, FX fee line). Both accounts hold 10,000.00
 * EUR. The clock moves 50 ms per message, as traffic does (15-minute and day caches are hit and
 * renewed as in production).
 *
 * Each figure is the median of RUNS timed runs of MESSAGES messages after a warm-up, on one core.
 * "whole path" runs every stage for each message in turn; each stage line runs that stage alone
 * on the same inputs (their sum is close to, not exactly, the whole path).
 */
import { randomUUID } from 'crypto';
import { join } from 'path';
import { findRepoRoot } from '@lib/config';
import { IsoMessage, packFrame, unpack } from '@lib/iso8583';
import { loadProgramCatalogue, Program, ProgramCatalogue } from '@lib/programs';
import { AccountRecord, CardRecord, encodePlan, transactionFromHash, walletFields } from '@lib/store';
import { AccountSnapshot } from '../libs/engine/src/authorise/account-snapshot';
import { parseAuthorisationRequest, ParsedRequest } from '../libs/engine/src/authorise/parse-request';
import { AuthorisationPlan, planAuthorisation } from '../libs/engine/src/authorise/plan-authorisation';
import { feeUsageKeys } from '../libs/engine/src/shared/decide-for-card';
import { originalKeyOfMessage, retryKeyOf } from '../libs/engine/src/shared/message-identity';
import { retryRecordOf } from '../libs/engine/src/shared/run-decision';
import { authCode, newHoldId } from '../libs/engine/src/shared/step-guard';
import { authorisationRequest } from '../libs/engine/src/testing/messages';

const RUNS = 7;
const MESSAGES = Number(process.env.BENCH_PLAN_MESSAGES ?? 20_000);
const WARM_UP_MESSAGES = 20_000;
/** Sunday 22 November 2026, 11:00 Paris (the engine harness's NOW: FX rates exist for it). */
const START_MS = Date.UTC(2026, 10, 22, 10, 0, 0);
const CLOCK_STEP_MS = 50;

interface BenchCase {
  readonly label: string;
  readonly catalogue: ProgramCatalogue;
  readonly program: Program;
  /** The request as the TCP link hands it over: unpacked from its frame. */
  readonly message: IsoMessage;
  readonly snapshot: AccountSnapshot;
}

function snapshotOf(program: Program, message: IsoMessage): AccountSnapshot {
  const account: AccountRecord = {
    accountId: 'acc4f1e2d3c4b5a',
    program: program.id,
    status: 'active',
    version: 3,
    billing: 'monthly',
    openedAt: START_MS - 90 * 24 * 3600 * 1000,
    homeCurrency: 'EUR',
    holderName: 'Test Holder',
    holderEmail: 'holder@example.test',
    loadCount: 4,
  };
  const pan = message.get(2)!;
  const card: CardRecord = {
    cardId: 'crd9a8b7c6d5e4f',
    accountId: account.accountId,
    form: 'physical',
    state: 'active',
    expiry: '2912',
    panHash: 'f'.repeat(64),
    panFirst6: pan.slice(0, 6),
    panLast4: pan.slice(-4),
    pinCheck: 'a'.repeat(64),
    cvv2Check: 'b'.repeat(64),
    pinTries: 0,
    scaExemptCount: 0,
    scaExemptSumMinor: 0,
    version: 7,
    issuedAt: account.openedAt,
  };
  // As readSnapshot reads them: every wallet field the account has, the EUR wallet funded.
  const balances = new Map<string, bigint>();
  for (const code of program.walletCurrencies) {
    const funded = code === 'EUR' ? 1_000_000n : 0n;
    balances.set(walletFields(code).ledger, funded);
    balances.set(walletFields(code).available, funded);
  }
  const transactionId = message.tag('TI')!;
  return {
    account,
    card,
    balances,
    transactionKnown: false,
    originalHoldId: undefined,
    // A new TI: readSnapshot's HGETALL of a missing key answers {}.
    transaction: transactionFromHash(transactionId, {}),
    hold: undefined,
    storedDecision: null,
    consentRevoked: false,
    counters: new Map(),
  };
}

function benchCase(
  label: string,
  catalogue: ProgramCatalogue,
  programId: string,
  currencyNumeric: string,
): BenchCase {
  const program = catalogue.programs.get(programId);
  if (program === undefined) throw new Error(`no program ${programId} in config/programs`);
  const request = authorisationRequest({
    pan: '4999991234567890',
    stan: 123456,
    amountMinor: 100,
    currencyNumeric,
    mcc: '5999',
    entryMode: '071', // contactless, terminal takes a PIN
    condition: '00',
    expiry: '2912',
    merchantName: 'BOUTIQUE DU COIN',
  });
  const message = unpack(packFrame(request).subarray(2));
  const snapshot = snapshotOf(program, message);
  return { label, catalogue, program, message, snapshot };
}

/** The business clock of a stream of messages, 50 ms apart. */
class Traffic {
  private nowMs = START_MS;
  next(): number {
    this.nowMs += CLOCK_STEP_MS;
    return this.nowMs;
  }
}

function parse(c: BenchCase): ParsedRequest {
  const parsed = parseAuthorisationRequest(c.message);
  if (!parsed.ok) throw new Error(`${c.label}: the request does not parse (${parsed.reason})`);
  return parsed.request;
}

/** What planAuthorisation is given besides the case: computed by the caller, per message. */
interface MessageFacts {
  readonly nowMs: number;
  readonly messageKey: string;
  readonly originalKey: string;
  readonly eventId: string;
  readonly authCode: string;
  readonly holdId: string;
}

function plan(c: BenchCase, request: ParsedRequest, facts: MessageFacts): AuthorisationPlan {
  return planAuthorisation({
    catalogue: c.catalogue,
    program: c.program,
    request,
    snapshot: c.snapshot,
    mti: c.message.mti,
    processingCode: c.message.get(3) ?? '',
    messageKey: facts.messageKey,
    originalKey: facts.originalKey,
    nowMs: facts.nowMs,
    eventId: facts.eventId,
    authCode: facts.authCode,
    holdId: facts.holdId,
    pinEntered: undefined,
    pinCorrect: false,
    cvv2Correct: undefined,
  });
}

let sinkLength = 0;
function sink(output: string | string[]): void {
  sinkLength += output.length;
}

/** The facts of one message at `nowMs`, as the use case computes them (ids drawn afresh). */
function factsOf(c: BenchCase, nowMs: number): MessageFacts {
  return {
    nowMs,
    messageKey: retryKeyOf(c.message),
    originalKey: originalKeyOfMessage(c.message),
    eventId: randomUUID(),
    authCode: authCode(),
    holdId: newHoldId(),
  };
}

/** The whole path of one message, every stage in turn. */
function oneMessage(c: BenchCase, traffic: Traffic): void {
  const nowMs = traffic.next();
  const request = parse(c);
  sink(feeUsageKeys(c.catalogue, nowMs)[0]);
  const planned = plan(c, request, factsOf(c, nowMs));
  sink(JSON.stringify(planned.record));
  sink(JSON.stringify(retryRecordOf(planned.record)));
  sink(encodePlan(planned.plan));
}

function microsPerMessage(operation: (i: number) => void): number {
  for (let i = 0; i < WARM_UP_MESSAGES; i++) operation(i);
  const perMessage: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < MESSAGES; i++) operation(i);
    perMessage.push(Number(process.hrtime.bigint() - started) / 1000 / MESSAGES);
  }
  perMessage.sort((a, b) => a - b);
  return perMessage[Math.floor(perMessage.length / 2)];
}

function benchStages(c: BenchCase): Array<Record<string, string | number>> {
  const traffic = new Traffic();
  const request = parse(c);
  const facts = factsOf(c, START_MS);
  const planned = plan(c, request, facts);
  const stages: Array<[string, (i: number) => void]> = [
    ['parseAuthorisationRequest', () => parse(c)],
    [
      'identities + fee-usage keys',
      () => {
        sink(retryKeyOf(c.message));
        sink(originalKeyOfMessage(c.message));
        sink(feeUsageKeys(c.catalogue, traffic.next())[0]);
      },
    ],
    ['planAuthorisation', () => sink(plan(c, request, { ...facts, nowMs: traffic.next() }).record.eventId)],
    ['JSON.stringify(record)', () => sink(JSON.stringify(planned.record))],
    ['JSON.stringify(retryRecordOf(record))', () => sink(JSON.stringify(retryRecordOf(planned.record)))],
    ['encodePlan(plan), the step tokens', () => sink(encodePlan(planned.plan))],
    [
      'randomUUID + authCode + newHoldId',
      () => {
        sink(randomUUID());
        sink(authCode());
        sink(newHoldId());
      },
    ],
  ];
  const rows: Array<Record<string, string | number>> = [];
  let stageSum = 0;
  for (const [stage, operation] of stages) {
    const micros = microsPerMessage(operation);
    stageSum += micros;
    rows.push({ case: c.label, stage, 'µs/msg': round2(micros) });
  }
  rows.push({ case: c.label, stage: '(sum of stages)', 'µs/msg': round2(stageSum) });
  const wholeTraffic = new Traffic();
  rows.push({
    case: c.label,
    stage: 'whole path',
    'µs/msg': round2(microsPerMessage(() => oneMessage(c, wholeTraffic))),
  });
  return rows;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function main(): void {
  const catalogue = loadProgramCatalogue(join(findRepoRoot(), 'config'));
  const cases = [
    benchCase('eur-premium 1.00 EUR', catalogue, 'eur-premium', '978'),
    benchCase('travel 1.00 USD (FX)', catalogue, 'travel-multicurrency', '840'),
  ];
  for (const c of cases) {
    const planned = plan(c, parse(c), factsOf(c, START_MS));
    if (planned.record.predeclined !== null)
      throw new Error(`${c.label}: predeclined ${planned.record.predeclined.reason}`);
  }
  console.log(
    `bench:plan  node ${process.version}, median of ${RUNS} runs of ${MESSAGES} messages after ${WARM_UP_MESSAGES} warm-up, one core`,
  );
  console.table(cases.flatMap(benchStages));
  if (sinkLength === 0) throw new Error('unreachable');
}

main();
