import { CurrencyCode, currencyByNumeric } from '@lib/money';
import { IsoMessage, unpackFeeAmount } from '@lib/iso8583';

/**
 * What a run observed, accumulated as it goes (the runner calls these) and frozen into a
 * RunSummary at the end. No I/O: rendering is render-summary.ts.
 */
export interface Mismatch {
  readonly family: string;
  readonly behaviour: string;
  readonly mti: string;
  readonly expected: readonly string[];
  readonly got: string;
}

export interface ClearingFileReport {
  readonly fileId: string;
  readonly processingDate: string;
  readonly records: number;
  readonly path: string | null;
  /** e.g. "accepted 12, rejected 0", or why it was not posted. */
  readonly outcome: string;
  readonly rejected: readonly { line: number; reason: string }[];
}

export interface FxLine {
  count: number;
  transactionMinor: bigint;
  billingMinor: bigint;
}

/** Back-office calls of the run: done, refused by a business rule (4xx with a reason), failed. */
export interface BackOfficeTally {
  ok: number;
  refused: number;
  failed: number;
  lastRefusal: string | null;
  lastError: string | null;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface RunSummary {
  readonly scenario: string;
  readonly seed: number;
  readonly driver: string;
  readonly clock: string;
  readonly realSeconds: number;
  readonly simulatedFrom: string;
  readonly simulatedTo: string;
  readonly cardholders: { readonly planned: number; readonly provisioned: number; readonly byProgram: Readonly<Record<string, number>>; readonly failed: Readonly<Record<string, number>> };
  readonly sentByMti: Readonly<Record<string, number>>;
  readonly answeredByMti: Readonly<Record<string, number>>;
  readonly throughputPerSecond: number;
  readonly latencyMs: LatencySummary;
  readonly codes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly codesByFamily: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly feesMinor: Readonly<Record<string, string>>;
  readonly feeMessages: number;
  readonly fx: Readonly<Record<string, { count: number; transactionMinor: string; billingMinor: string }>>;
  readonly expectations: { readonly checked: number; readonly met: number; readonly mismatches: number; readonly examples: readonly Mismatch[] };
  readonly retries: { readonly sent: number; readonly identical: number; readonly different: number };
  readonly timeouts: { readonly injected: number; readonly real: number; readonly reversalAdvices: number; readonly lateReplies: number };
  readonly standInAdvices: number;
  readonly backOffice: Readonly<Record<string, BackOfficeTally>>;
  readonly skipped: Readonly<Record<string, number>>;
  readonly linkErrors: Readonly<Record<string, number>>;
  readonly stepsNotSent: number;
  readonly clearing: { readonly files: readonly ClearingFileReport[]; readonly recordsByLabel: Readonly<Record<string, number>>; readonly dropped: Readonly<Record<string, number>> };
  readonly holds: { readonly leftToExpire: number; readonly expired: number; readonly stillOpen: number; readonly notChecked: number };
  readonly reconciliation: { readonly status: 'ok' | 'differences' | 'unavailable' | 'skipped'; readonly detail: string };
  readonly notes: readonly string[];
  /** The run's accounts (summary.json only): to look them up in the back office and the ledger. */
  readonly accounts: readonly { readonly cardholder: number; readonly persona: string; readonly program: string; readonly accountId: string }[];
}

const MAX_EXAMPLES = 15;

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function record(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function percentile(sorted: Float64Array | readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function summariseLatencies(values: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.length ? sorted[sorted.length - 1] : 0 };
}

export class RunStats {
  readonly sent = new Map<string, number>();
  readonly answered = new Map<string, number>();
  /** code -> request MTI -> count */
  readonly codes = new Map<string, Map<string, number>>();
  readonly codesByFamily = new Map<string, Map<string, number>>();
  readonly latenciesMs: number[] = [];
  readonly fees = new Map<CurrencyCode, bigint>();
  feeMessages = 0;
  readonly fx = new Map<string, FxLine>();
  expectationsChecked = 0;
  expectationsMet = 0;
  mismatchCount = 0;
  readonly mismatches: Mismatch[] = [];
  readonly retries = { sent: 0, identical: 0, different: 0 };
  readonly timeouts = { injected: 0, real: 0, reversalAdvices: 0, lateReplies: 0 };
  standInAdvices = 0;
  readonly backOffice = new Map<string, BackOfficeTally>();
  readonly skipped = new Map<string, number>();
  readonly linkErrors = new Map<string, number>();
  readonly provisioningFailures = new Map<string, number>();
  stepsNotSent = 0;
  readonly clearingFiles: ClearingFileReport[] = [];
  readonly clearingLabels = new Map<string, number>();
  readonly clearingDropped = new Map<string, number>();
  readonly notes: string[] = [];

  messageSent(mti: string): void {
    bump(this.sent, mti);
  }

  /**
   * A response: its code by request MTI and family, latency, fees (field 28, in the wallet
   * currency: field 51, or field 49 when no conversion happened) and FX (fields 4/49 -> 6/51).
   */
  responseReceived(request: IsoMessage, response: IsoMessage, family: string, latencyMs: number): void {
    bump(this.answered, response.mti);
    const code = response.get(39) ?? '??';
    const byMti = this.codes.get(code) ?? new Map<string, number>();
    bump(byMti, request.mti);
    this.codes.set(code, byMti);
    const byFamily = this.codesByFamily.get(family) ?? new Map<string, number>();
    bump(byFamily, code);
    this.codesByFamily.set(family, byFamily);
    this.latenciesMs.push(latencyMs);
    this.account(request, response);
  }

  private account(request: IsoMessage, response: IsoMessage): void {
    const billing = response.get(51);
    const walletCurrency = currencyByNumeric(billing ?? request.get(49) ?? '')?.code;
    const fee = response.get(28);
    if (fee !== undefined && walletCurrency !== undefined) {
      const parsed = unpackFeeAmount(fee);
      const signed = parsed.sign === 'D' ? parsed.amountMinor : -parsed.amountMinor;
      this.fees.set(walletCurrency, (this.fees.get(walletCurrency) ?? 0n) + signed);
      this.feeMessages += 1;
    }
    const field6 = response.get(6);
    const from = currencyByNumeric(request.get(49) ?? '')?.code;
    if (field6 !== undefined && billing !== undefined && from !== undefined && walletCurrency !== undefined) {
      const key = `${from}->${walletCurrency}`;
      const line = this.fx.get(key) ?? { count: 0, transactionMinor: 0n, billingMinor: 0n };
      line.count += 1;
      line.transactionMinor += BigInt(response.get(4) ?? request.get(4) ?? '0');
      line.billingMinor += BigInt(field6);
      this.fx.set(key, line);
    }
  }

  expectation(expected: readonly string[] | null, got: string, context: Omit<Mismatch, 'expected' | 'got'>): void {
    if (expected === null) return;
    this.expectationsChecked += 1;
    if (expected.includes(got)) {
      this.expectationsMet += 1;
      return;
    }
    this.mismatchCount += 1;
    if (this.mismatches.length < MAX_EXAMPLES) this.mismatches.push({ ...context, expected, got });
  }

  /** outcome: null = done; a refusal is an expected business answer (e.g. 422 max balance). */
  backOfficeCall(action: string, outcome: null | { refused: string } | { error: string }): void {
    const entry = this.backOffice.get(action) ?? { ok: 0, refused: 0, failed: 0, lastRefusal: null, lastError: null };
    if (outcome === null) entry.ok += 1;
    else if ('refused' in outcome) {
      entry.refused += 1;
      entry.lastRefusal = outcome.refused;
    } else {
      entry.failed += 1;
      entry.lastError = outcome.error;
    }
    this.backOffice.set(action, entry);
  }

  skip(reason: string): void {
    bump(this.skipped, reason);
  }

  linkError(kind: string): void {
    bump(this.linkErrors, kind);
  }

  provisioningFailed(reason: string): void {
    bump(this.provisioningFailures, reason);
  }

  clearingRecords(labels: readonly string[], dropped: ReadonlyMap<string, number>): void {
    for (const label of labels) bump(this.clearingLabels, label);
    for (const [reason, count] of dropped) bump(this.clearingDropped, reason, count);
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  summary(meta: {
    scenario: string;
    seed: number;
    driver: string;
    clock: string;
    realSeconds: number;
    simulatedFrom: string;
    simulatedTo: string;
    cardholdersPlanned: number;
    cardholdersProvisioned: number;
    /** Provisioned cardholders by program. */
    cardholdersByProgram?: Readonly<Record<string, number>>;
    holds: RunSummary['holds'];
    reconciliation: RunSummary['reconciliation'];
    accounts?: RunSummary['accounts'];
  }): RunSummary {
    const answered = [...this.answered.values()].reduce((sum, n) => sum + n, 0);
    return {
      scenario: meta.scenario,
      seed: meta.seed,
      driver: meta.driver,
      clock: meta.clock,
      realSeconds: meta.realSeconds,
      simulatedFrom: meta.simulatedFrom,
      simulatedTo: meta.simulatedTo,
      cardholders: { planned: meta.cardholdersPlanned, provisioned: meta.cardholdersProvisioned, byProgram: meta.cardholdersByProgram ?? {}, failed: record(this.provisioningFailures) },
      sentByMti: record(this.sent),
      answeredByMti: record(this.answered),
      throughputPerSecond: meta.realSeconds > 0 ? answered / meta.realSeconds : 0,
      latencyMs: summariseLatencies(this.latenciesMs),
      codes: Object.fromEntries([...this.codes.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([code, byMti]) => [code, record(byMti)])),
      codesByFamily: Object.fromEntries([...this.codesByFamily.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([family, codes]) => [family, record(codes)])),
      feesMinor: Object.fromEntries([...this.fees.entries()].map(([code, minor]) => [code, minor.toString()])),
      feeMessages: this.feeMessages,
      fx: Object.fromEntries([...this.fx.entries()].map(([key, line]) => [key, { count: line.count, transactionMinor: line.transactionMinor.toString(), billingMinor: line.billingMinor.toString() }])),
      expectations: { checked: this.expectationsChecked, met: this.expectationsMet, mismatches: this.mismatchCount, examples: this.mismatches },
      retries: { ...this.retries },
      timeouts: { ...this.timeouts },
      standInAdvices: this.standInAdvices,
      backOffice: Object.fromEntries(this.backOffice),
      skipped: record(this.skipped),
      linkErrors: record(this.linkErrors),
      stepsNotSent: this.stepsNotSent,
      clearing: { files: this.clearingFiles, recordsByLabel: record(this.clearingLabels), dropped: record(this.clearingDropped) },
      holds: meta.holds,
      reconciliation: meta.reconciliation,
      notes: this.notes,
      accounts: meta.accounts ?? [],
    };
  }
}
