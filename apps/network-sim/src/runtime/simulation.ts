import { randomInt } from 'node:crypto';
import { PinBlockCodec } from '@lib/engine';
import { localDateOf, ProgramCatalogue, startOfLocalDay, startOfNextLocalDay } from '@lib/programs';
import { BackOfficeClient } from '../issuer/back-office-client';
import { HttpClient } from '../issuer/http-client';
import { provisionCardholders } from '../issuer/provision';
import { HttpDriver } from '../link/http-driver';
import type { NetworkDriver } from '../link/network-driver';
import { TcpDriver } from '../link/tcp-driver';
import { checkScenarioAgainstPrograms, planScenario } from '../planning/plan-scenario';
import type { Plan } from '../planning/plan';
import type { Scenario } from '../scenario/scenario';
import { RunStats, RunSummary } from '../summary/run-stats';
import { PlanRunner } from './run-plan';
import { GatewayClock, LocalClock, RealClock, SimClock } from './sim-clock';

/**
 * One simulator run from end to end: clock, plan, provisioning through the back office, traffic,
 * clearing, hold expiry check, reconciliation, summary. Used by the CLI and the integration tests.
 */
export interface SimulationOptions {
  readonly scenario: Scenario;
  readonly catalogue: ProgramCatalogue;
  readonly seed: number;
  readonly durationSeconds: number;
  readonly ratePerSecond: number;
  /** Simulated seconds per real second; 0 = the real clock. */
  readonly accelerate: number;
  readonly driver: 'tcp' | 'http';
  readonly gateway: { readonly host: string; readonly tcpPort: number; readonly httpPort: number };
  readonly settlementUrl: string;
  readonly backOfficeKey: string;
  readonly zonePinKey: string;
  /** Population override; accelerated runs default to the scenario's, real-clock runs size it to the rate. */
  readonly cardholders?: number;
  /** Simulated days override (default: duration x accelerate, or today on the real clock). */
  readonly days?: number;
  readonly maxInFlight: number;
  readonly connections: number;
  readonly clearingDir: string | null;
  readonly postClearing: boolean;
  /** How long to wait for settlement to catch up before reporting reconciliation differences. */
  readonly reconciliationWaitMs: number;
  readonly log: (line: string) => void;
}

export interface SimulationResult {
  readonly summary: RunSummary;
  readonly plan: Plan;
  readonly runner: PlanRunner;
  readonly provisioned: Awaited<ReturnType<typeof provisionCardholders>>['cardholders'];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const MS_PER_DAY = 86_400_000;
/** Messages per second a real-clock run at --rate max is planned for (use --cardholders for more). */
const MAX_RATE_SIZING_PER_SECOND = 1500;

async function chooseClock(o: SimulationOptions, backOffice: BackOfficeClient, stats: RunStats): Promise<SimClock> {
  if (o.accelerate <= 0) return new RealClock();
  const answer = await backOffice.clock().catch((error: Error) => ({ available: false as const, status: 0, reason: error.message }));
  if (answer.available) return new GatewayClock(backOffice, answer.value);
  stats.note(
    `GET /v1/clock answered ${answer.status || 'nothing'} (${answer.reason || 'no simulated clock'}): the gateway runs on the real clock, so its days, months and hold expiries do not follow the accelerated plan (start the gateway with CLOCK_SIMULATED=true).`,
  );
  return new LocalClock(Date.now());
}

function clockDescription(clock: SimClock, accelerate: number): string {
  if (clock.kind === 'real') return 'real (wall clock; follow-ups compressed into the run)';
  if (clock.kind === 'gateway') return `accelerated x${accelerate} on the gateway's shared clock (POST /v1/clock)`;
  return `accelerated x${accelerate} locally only (the gateway has no simulated clock)`;
}

export async function runSimulation(o: SimulationOptions): Promise<SimulationResult> {
  const problem = checkScenarioAgainstPrograms(o.scenario, o.catalogue);
  if (problem !== undefined) throw new Error(problem);
  const stats = new RunStats();
  const gatewayHttp = new HttpClient(`http://${o.gateway.host}:${o.gateway.httpPort}`, { maxSockets: Math.max(16, o.maxInFlight) });
  const settlementHttp = new HttpClient(o.settlementUrl, { maxSockets: 4 });
  const backOffice = new BackOfficeClient(gatewayHttp, settlementHttp, o.backOfficeKey);
  const clock = await chooseClock(o, backOffice, stats);
  const timeZone = o.catalogue.programs.get(o.scenario.personas[0].program)!.timeZone;
  const nowMs = clock.nowMs();
  // Real clock: the plan is today (the gateway's day), compressed. Accelerated: from now on.
  const startMs = o.accelerate > 0 ? nowMs + 1000 : startOfLocalDay(localDateOf(nowMs, timeZone), timeZone);
  const days = o.days ?? (o.accelerate > 0 ? (o.durationSeconds * o.accelerate) / 86_400 : (startOfNextLocalDay(nowMs, timeZone) - startMs) / MS_PER_DAY);
  // "As fast as possible" is sized for what one gateway process answers here (docs/simulator.md).
  const targetMessages = (o.ratePerSecond > 0 ? o.ratePerSecond : MAX_RATE_SIZING_PER_SECOND) * o.durationSeconds * 1.1;
  const plan = planScenario({
    scenario: o.scenario,
    catalogue: o.catalogue,
    seed: o.seed,
    startMs,
    days,
    cardholders: o.accelerate > 0 ? (o.cardholders ?? o.scenario.population.cardholders) : o.cardholders,
    targetMessages,
    maxCardholders: 20_000,
    compress: o.accelerate <= 0,
  });
  o.log(`[sim] planned ${plan.steps.length} steps and ${plan.clearing.length} clearing items for ${plan.cardholders.length} cardholders over ${days.toFixed(2)} simulated days`);
  const runTag = String(randomInt(10_000, 99_999));
  const provisionStarted = Date.now();
  const provisioning = await provisionCardholders(backOffice, plan.cardholders, { runTag, concurrency: 16, onProgress: (done) => o.log(`[sim] provisioned ${done} / ${plan.cardholders.length}`) });
  for (const [reason, count] of provisioning.failures) for (let i = 0; i < count; i++) stats.provisioningFailed(reason);
  o.log(`[sim] provisioned ${provisioning.cardholders.size} cardholders through the back office in ${((Date.now() - provisionStarted) / 1000).toFixed(1)} s`);

  const pins = new PinBlockCodec(o.zonePinKey);
  const networkAcquirerId = '00000001';
  let lateReplies = 0;
  const driver: NetworkDriver =
    o.driver === 'tcp'
      ? new TcpDriver({
          host: o.gateway.host,
          port: o.gateway.tcpPort,
          connections: o.connections,
          maxInFlight: o.maxInFlight,
          signOn: o.scenario.network.signOn,
          echoIdleMs: o.scenario.network.echoIdleMs,
          acquirerId: networkAcquirerId,
          onLateReply: () => (lateReplies += 1),
        })
      : new HttpDriver(new HttpClient(`http://${o.gateway.host}:${o.gateway.httpPort}`, { maxSockets: o.maxInFlight }));
  await driver.start();
  const runner = new PlanRunner({
    plan,
    timeZone,
    driver,
    backOffice,
    clock,
    provisioned: provisioning.cardholders,
    accelerate: o.accelerate,
    ratePerSecond: o.ratePerSecond,
    durationMs: o.durationSeconds * 1000,
    maxInFlight: o.maxInFlight,
    responseTimeoutMs: o.scenario.network.responseTimeoutMs,
    encodePin: (pin, pan) => pins.encode(pin, pan),
    runTag,
    clearingDir: o.clearingDir,
    postClearing: o.postClearing,
    stats,
    log: o.log,
    networkAcquirerId,
  });
  const startedMs = Date.now();
  await runner.run();
  const realSeconds = (Date.now() - startedMs) / 1000;
  if (clock.kind === 'gateway' && stats.stepsNotSent === 0) await clock.advanceTo(plan.endMs);
  await runner.flushClearing(true);
  await driver.stop();
  const linkMetrics = driver.metrics();
  stats.timeouts.lateReplies = lateReplies;
  if (clock instanceof GatewayClock && clock.failures > 0) stats.note(`the shared clock refused ${clock.failures} moves (last: ${clock.lastFailure})`);
  if (o.driver === 'tcp') stats.note(`TCP link: ${linkMetrics.connects ?? 0} connects (sign-on ${o.scenario.network.signOn ? 'on' : 'off'}), ${linkMetrics.echoesSent ?? 0} idle echoes, ${linkMetrics.disconnects ?? 0} disconnects`);
  noteMissingFeatures(stats);

  const holds = await checkHolds(plan, runner, provisioning.cardholders, backOffice, clock);
  const reconciliation = await reconcile(backOffice, [...provisioning.cardholders.values()].map((c) => c.accountId), o.reconciliationWaitMs, stats);
  gatewayHttp.close();
  settlementHttp.close();
  const summary = stats.summary({
    scenario: o.scenario.name,
    seed: o.seed,
    driver: o.driver,
    clock: clockDescription(clock, o.accelerate),
    realSeconds,
    simulatedFrom: new Date(plan.startMs).toISOString(),
    simulatedTo: new Date(clock.kind === 'real' ? Date.now() : clock.nowMs()).toISOString(),
    cardholdersPlanned: plan.cardholders.length,
    cardholdersProvisioned: provisioning.cardholders.size,
    cardholdersByProgram: countBy(plan.cardholders.filter((c) => provisioning.cardholders.has(c.index)).map((c) => c.program)),
    holds,
    reconciliation,
    accounts: plan.cardholders.flatMap((c) => {
      const accountId = provisioning.cardholders.get(c.index)?.accountId;
      return accountId === undefined ? [] : [{ cardholder: c.index, persona: c.persona, program: c.program, accountId }];
    }),
  });
  return { summary, plan, runner, provisioned: provisioning.cardholders };
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of [...values].sort()) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** Follow-up messages answered 12 mean the gateway does not handle that message type yet. */
function noteMissingFeatures(stats: RunStats): void {
  const names: Record<string, string> = { '0120': 'stand-in advices 0120', '0220': 'completions 0220', '0400': 'reversals 0400', '0420': 'reversal advices 0420' };
  for (const [mti, name] of Object.entries(names)) {
    const unsupported = stats.codes.get('12')?.get(mti) ?? 0;
    if (unsupported > 0) stats.note(`the gateway answered 12 (invalid transaction) to ${unsupported} ${name}: not implemented in the engine yet.`);
  }
}

/** Car-rental holds left open on purpose: gone from the account once their expiry has passed? */
async function checkHolds(
  plan: Plan,
  runner: PlanRunner,
  provisioned: SimulationResult['provisioned'],
  backOffice: BackOfficeClient,
  clock: SimClock,
): Promise<RunSummary['holds']> {
  let expired = 0;
  let stillOpen = 0;
  let notChecked = 0;
  const due = plan.holdsLeftToExpire.filter((hold) => hold.expiresAtMs <= clock.nowMs() && runner.approvedTransactionIdOf(hold.txn) !== undefined);
  notChecked = plan.holdsLeftToExpire.length - due.length;
  for (let attempt = 0; attempt < 10 && due.length > 0; attempt++) {
    const open: typeof due = [];
    for (const hold of due) {
      const accountId = provisioned.get(hold.cardholder)?.accountId;
      if (accountId === undefined) continue;
      const holds = await backOffice.holds(accountId).catch(() => undefined);
      if (holds?.some((h) => h.transactionId === runner.transactionIdOf(hold.txn))) open.push(hold);
      else expired += holds === undefined ? 0 : 1;
    }
    due.splice(0, due.length, ...open);
    if (due.length > 0) await sleep(1000);
  }
  stillOpen = due.length;
  return { leftToExpire: plan.holdsLeftToExpire.length, expired, stillOpen, notChecked };
}

/**
 * GET /v1/reconciliation for this run's accounts (in batches: the shared services hold other
 * runs' accounts too), retried while settlement catches up with the topics.
 */
async function reconcile(backOffice: BackOfficeClient, accountIds: readonly string[], waitMs: number, stats: RunStats): Promise<RunSummary['reconciliation']> {
  if (accountIds.length === 0) return { status: 'skipped', detail: 'no account provisioned' };
  const deadline = Date.now() + waitMs;
  for (;;) {
    let accountsChecked = 0;
    const differences: unknown[] = [];
    for (let i = 0; i < accountIds.length; i += 100) {
      const answer = await backOffice.reconciliation(accountIds.slice(i, i + 100)).catch((error: Error) => ({ available: false as const, status: 0, reason: error.message }));
      if (!answer.available) {
        const detail = `settlement GET /v1/reconciliation answered ${answer.status || 'nothing'}${answer.reason ? ` (${answer.reason})` : ''}: not available`;
        if (answer.status === 404) stats.note('the settlement app has no GET /v1/reconciliation: reconciliation not checked.');
        return { status: 'unavailable', detail };
      }
      accountsChecked += answer.value.accountsChecked;
      differences.push(...answer.value.differences);
    }
    if (differences.length === 0) return { status: 'ok', detail: `${accountsChecked} accounts of this run checked: the cache and the ledger agree` };
    if (Date.now() >= deadline) {
      return { status: 'differences', detail: `${accountsChecked} accounts of this run checked, ${differences.length} differences after waiting ${Math.round(waitMs / 1000)} s; first: ${JSON.stringify(differences[0])}` };
    }
    await sleep(2000);
  }
}
