import { CurrencyCode, money } from '@lib/money';
import {
  addDays,
  applyMoves,
  CardTransaction,
  checkLimits,
  convertForBilling,
  countersFor,
  DeclineReason,
  FeeUsage,
  holdExpiresAt,
  insufficientFundsDeclineFee,
  localDateOf,
  maxPeriodicFeeMinor,
  monthIdOf,
  periodCharge,
  MS_PER_DAY,
  MS_PER_HOUR,
  NO_FEE_USAGE,
  parseDayId,
  priceInWallet,
  Program,
  RateTable,
  startOfLocalDay,
  TransactionKind,
} from '@lib/programs';

/**
 * The planner's shadow of one cardholder's account, built on the programs' own rules
 * (@lib/programs: pricing, fees, FX, limits, hold expiry, clearing re-pricing): it predicts the
 * issuer's answer to each request, so ordinary traffic is planned only when the issuer approves
 * (a strict expectation of `00`) and deliberate declines carry the exact code.
 *
 * Balances. The model follows the AVAILABLE balance of every wallet (ledger minus open holds) as
 * the gateway moves it: holds opened and grown by authorisations and stand-in advices, amounts
 * posted at once (0200, fee-only services), holds released by reversals, completions (0220, which
 * post the final amount), clearing presentments (re-priced at the processing day's rate: a tip or
 * a late presentment after the hold expired is debited beyond the hold, even below zero), refunds,
 * force posts, hold expiries and loads.
 *
 * Some of those moves happen at an instant the plan cannot know exactly: a clearing file is posted
 * once the shared clock has passed its processing day and settlement applies it asynchronously; a
 * hold expires when a step of the account or the sweeper sees it due, on a gateway clock that may
 * run a little ahead of the step being sent. Each such move is kept with the window in which it
 * lands ({@link EffectTiming}), and every wallet has two bounds at an instant: `low` counts debits
 * from the start of their window and credits only from its end, `high` the other way round, so
 * the real available balance is always between them. A prediction is given only when it is the
 * same for every balance between the bounds; otherwise the answer is "cannot tell" (code null)
 * and the planner sends nothing whose answer it does not know.
 *
 * Order of checks (network-interface.md; libs/engine plan-authorisation.ts): pricing, which also
 * chooses the wallet (the transaction currency's own wallet when it covers amount + fees, else the
 * account currency) -> account suspended (`05`: for debit kinds, the available balance of ANY
 * wallet of the program below zero, until a load brings it back to 0 or more; the engine's check
 * right after the TI-reuse check) -> limits (`61` / `65`) -> funds (`51`). The card-level checks
 * before them (card state, expiry, PIN, CVV2, SCA) are the planner's business (bad actors).
 *
 * Periodic fees (settlement's job, docs/settlement.md "Periodic fees": subscription, account
 * management or inactivity on the opening day of each month) follow the same rule as settlement:
 * from the charge day on, the low bound takes the most the period can charge; the high bound takes
 * nothing (the fee depends on the activity the ledger counts, and it never takes more than the
 * available balance, so it never makes a wallet negative nor suspends the account). A reserve in
 * the account currency is kept untouched by planned spending besides (the planner's policy).
 */
export type ModelDeclineCode = '05' | '51' | '61' | '65' | '96';

export type ModelOutcome =
  | {
      readonly approved: true;
      readonly walletCurrency: CurrencyCode;
      readonly billingMinor: bigint;
      readonly feesMinor: bigint;
      readonly totalDebitMinor: bigint;
    }
  | {
      readonly approved: false;
      readonly code: ModelDeclineCode;
      /** The decline fee the issuer posts with it (`51`: 0.15 when the balance covers it). */
      readonly declineFeeMinor: bigint;
    }
  /** The model cannot tell: the answer depends on when in-flight moves land, or on the reserve. */
  | { readonly approved: false; readonly code: null; readonly why: string };

/** When the moves that the plan cannot time exactly land (see IssuerModel). */
export interface EffectTiming {
  /**
   * false on the real clock: the clearing file is posted after the traffic and no hold reaches its
   * expiry during the run, so neither moves a balance while the plan is played.
   */
  readonly duringRun: boolean;
  /** How far the gateway's clock may be ahead of a step's planned instant when it handles the step. */
  readonly clockLeadMs: number;
  /** After the end of a processing day, by when its clearing file has certainly been posted and applied. */
  readonly clearingAppliedMs: number;
  /** After a hold's expiry instant, by when the gateway has certainly expired it (sweeper, next step). */
  readonly expiryAppliedMs: number;
}

/**
 * Accelerated runs: the runner moves the clock at most 30 simulated minutes ahead of the step it
 * sends (3 hours leave room for steps queued behind others); a day's clearing file is posted at the
 * first step after midnight and settlement applies it within seconds, that is within 2 simulated
 * days up to x100000; the hold-expiry sweeper runs every real second.
 */
export const ACCELERATED_TIMING: EffectTiming = { duringRun: true, clockLeadMs: 3 * MS_PER_HOUR, clearingAppliedMs: 2 * MS_PER_DAY, expiryAppliedMs: 2 * MS_PER_DAY };
/** Real-clock runs: clearing and hold expiries come after the traffic. */
export const REAL_CLOCK_TIMING: EffectTiming = { ...ACCELERATED_TIMING, duringRun: false };

/** libs/engine shared/approval-effects.ts: the kinds that debit (and that a negative balance suspends). */
const DEBIT_KINDS: ReadonlySet<TransactionKind> = new Set(['purchase', 'cash-withdrawal', 'purchase-with-cashback', 'balance-inquiry', 'available-funds-inquiry', 'pin-change']);
/** The kinds that open a hold on a dual-message authorisation or advice (0100, 0120). */
const HOLD_KINDS: ReadonlySet<TransactionKind> = new Set(['purchase', 'cash-withdrawal', 'purchase-with-cashback']);
const HOLDING_MTIS: ReadonlySet<string> = new Set(['0100', '0120']);
const CASH_MCCS = new Set(['6010', '6011']);
/** Moves whose window ended this long before the latest instant decided are folded into the base. */
const FOLD_AFTER_MS = MS_PER_DAY;
const NEVER = Number.POSITIVE_INFINITY;
const ALWAYS = Number.NEGATIVE_INFINITY;

/** Bounds of a wallet's available balance at an instant (minor units). */
export interface WalletBounds {
  readonly low: bigint;
  readonly high: bigint;
}

/** A change of one wallet's available balance, applied once at an instant within [fromMs, toMs]. */
interface Move {
  readonly currency: CurrencyCode;
  minor: bigint;
  fromMs: number;
  toMs: number;
  /** Folded into the base (or, for a hold's release, ended with nothing left): it moves no more. */
  folded: boolean;
}

/** What the model keeps of an approved transaction, for its follow-ups and its clearing. */
interface TxnRecord {
  readonly wallet: CurrencyCode;
  readonly kind: TransactionKind;
  readonly currency: CurrencyCode;
  readonly mcc: string;
  readonly country: string;
  status: 'held' | 'posted' | 'completed' | 'reversed' | 'cleared' | 'approved';
  billedMinor: bigint;
  feesMinor: bigint;
  /** The hold's release: its amount is what the hold still holds; its window, when it ends. */
  release: Move | null;
  /** From when a decision may see the hold expired (NEVER when no expiry happens during the run). */
  expiryFromMs: number;
  presentments: number;
  /** Posted amounts already matched by presentments (a completed transaction). */
  coveredMinor: bigint;
}

/** One presentment or refund line as the network will send it. */
export interface ClearingLine {
  /** 'YYYY-MM-DD' in the program's time zone. */
  readonly processingDay: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
}

export class IssuerModel {
  /** Available balance per wallet from the moves folded in (every one surely applied). */
  private readonly base = new Map<CurrencyCode, bigint>();
  private readonly pending = new Set<Move>();
  private readonly txns = new Map<string, TxnRecord>();
  private readonly counters = new Map<string, bigint>();
  /** Approved account-currency ATM withdrawals per local month (premium: first 3 free). */
  private readonly atmPerMonth = new Map<string, number>();
  private watermarkMs = ALWAYS;

  constructor(
    readonly program: Program,
    private readonly rates: RateTable,
    /** Kept untouched in the account-currency wallet by planned spending. */
    private readonly reserveMinor: bigint,
    private readonly timing: EffectTiming = ACCELERATED_TIMING,
  ) {}

  /** A load (or any credit the issuer makes at once) at `atMs`; by default before anything else. */
  credit(currency: CurrencyCode, minor: bigint, atMs: number = ALWAYS): void {
    this.track({ currency, minor, fromMs: atMs, toMs: atMs, folded: false });
  }

  /** A debit made at once at `atMs` (card creation fee); by default before anything else. */
  debit(currency: CurrencyCode, minor: bigint, atMs: number = ALWAYS): void {
    this.credit(currency, -minor, atMs);
  }

  /**
   * The periodic fees of an account opened at `openedAtMs` whose charge days fall before `untilMs`
   * (libs/programs periodic-fees.ts). A charge lands when settlement's job sees the day due: from
   * the charge day's midnight (less the clock's lead) on, in the low bound only (see the class).
   */
  periodicFees(openedAtMs: number, billing: 'monthly' | 'yearly' | 'none', untilMs: number): void {
    const { program } = this;
    for (let n = 1; ; n += 1) {
      const charge = periodCharge(openedAtMs, n, program.timeZone);
      if (charge.dueFromMs >= untilMs) return;
      const most = maxPeriodicFeeMinor(program, billing, n);
      if (most > 0n) this.track({ currency: program.accountCurrency, minor: -most, fromMs: charge.dueFromMs - this.timing.clockLeadMs, toMs: NEVER, folded: false });
    }
  }

  /** The lower bound of a wallet's available balance at `atMs`. */
  availableMinor(currency: CurrencyCode, atMs: number): bigint {
    return this.bounds(currency, atMs).low;
  }

  bounds(currency: CurrencyCode, atMs: number): WalletBounds {
    return this.boundsAt(atMs).get(currency) ?? { low: 0n, high: 0n };
  }

  /** Bounds of every wallet that ever moved, at `atMs`. */
  balances(atMs: number): ReadonlyMap<CurrencyCode, WalletBounds> {
    return this.boundsAt(atMs);
  }

  /** What the issuer would answer to `txn` at `atMs` (nothing booked: see book). */
  decide(txn: CardTransaction, atMs: number): ModelOutcome {
    const bounds = this.boundsAt(atMs);
    const bound = (code: CurrencyCode): WalletBounds => bounds.get(code) ?? { low: 0n, high: 0n };
    const { program } = this;
    const account = program.accountCurrency;
    const usage: FeeUsage = { accountCurrencyAtmWithdrawalsThisMonth: this.atmUsage(atMs) };

    // Pricing and the wallet (libs/programs priceTransaction on the available balances).
    const own = txn.transactionAmount.currency;
    let priced = priceInWallet(program, txn, account, usage, atMs, this.rates);
    if (own !== account && program.walletCurrencies.includes(own)) {
      const inOwn = priceInWallet(program, txn, own, usage, atMs, this.rates);
      if (!inOwn.ok) return declined('96');
      const need = inOwn.value.totalDebit.amountMinor;
      const ownBalance = bound(own);
      if (ownBalance.low >= need) priced = inOwn;
      else if (ownBalance.high >= need) return unknown(`the ${own} wallet may or may not cover it`);
    }
    if (!priced.ok) return declined('96');
    const pricing = priced.value;
    const debits = DEBIT_KINDS.has(txn.kind);

    // Account suspended: any wallet of the program below zero.
    if (debits) {
      const wallets = program.walletCurrencies.map(bound);
      if (wallets.some((b) => b.high < 0n)) return declined('05');
      if (wallets.some((b) => b.low < 0n)) return unknown('a wallet may be below zero');
    }

    const limits = countersFor(program, txn, pricing.billingAmount, atMs, this.rates);
    if (!limits.ok) return declined('96');
    const check = checkLimits(limits.value, (key) => this.counters.get(key) ?? 0n);
    if (!check.allowed) return declined(check.reason === DeclineReason.CountLimitExceeded ? '65' : '61');

    const wallet = pricing.walletCurrency;
    const total = pricing.totalDebit.amountMinor;
    if (debits && total > 0n) {
      const balance = bound(wallet);
      const kept = wallet === account ? this.reserveMinor : 0n;
      if (balance.low - kept < total) {
        if (balance.high >= total) return unknown(balance.low >= total ? 'it would spend the reserve' : 'the balance may or may not cover it');
        // Declined 51, with the decline fee when the account-currency balance covers it.
        const feeAt = (minor: bigint) => insufficientFundsDeclineFee(program, txn, money(minor, account)).reduce((sum, fee) => sum + fee.amount.amountMinor, 0n);
        const fee = feeAt(bound(account).low);
        if (fee !== feeAt(bound(account).high)) return unknown('the decline fee may or may not be covered');
        return { approved: false, code: '51', declineFeeMinor: fee };
      }
    }
    return { approved: true, walletCurrency: wallet, billingMinor: pricing.billingAmount.amountMinor, feesMinor: pricing.feesTotal.amountMinor, totalDebitMinor: total };
  }

  /**
   * Books what the issuer does with a decided request `ref` (the plan's transaction id): an
   * approval opens a hold (0100 / 0120 purchase and cash), grows its original's hold (incremental
   * authorisation: `ref` is the original's) or posts at once (0200, fee-only services), and moves
   * the limit counters; a decline posts its fee.
   */
  book(ref: string, txn: CardTransaction, outcome: ModelOutcome, atMs: number, mti: string): void {
    if (!outcome.approved) {
      if (outcome.code !== null && outcome.declineFeeMinor > 0n) this.debit(this.program.accountCurrency, outcome.declineFeeMinor, atMs);
      return;
    }
    const wallet = outcome.walletCurrency;
    const debit = outcome.totalDebitMinor;
    const limits = countersFor(this.program, txn, money(outcome.billingMinor, wallet), atMs, this.rates);
    if (limits.ok) applyMoves(limits.value, this.counters);
    if (txn.kind === 'cash-withdrawal' && txn.transactionAmount.currency === this.program.accountCurrency) {
      const month = monthIdOf(localDateOf(atMs, this.program.timeZone));
      this.atmPerMonth.set(month, (this.atmPerMonth.get(month) ?? 0) + 1);
    }
    if (txn.incremental) {
      const original = this.txns.get(ref);
      this.debit(original?.wallet ?? wallet, debit, atMs);
      if (original?.status === 'held' && original.release !== null && !original.release.folded) {
        // An increment grows the original's hold, which keeps its expiry.
        original.release.minor += debit;
        original.billedMinor += outcome.billingMinor;
        original.feesMinor += outcome.feesMinor;
      }
      return;
    }
    const record: TxnRecord = {
      wallet,
      kind: txn.kind,
      currency: txn.transactionAmount.currency,
      mcc: txn.mcc,
      country: txn.acquirerCountry,
      status: 'approved',
      billedMinor: outcome.billingMinor,
      feesMinor: outcome.feesMinor,
      release: null,
      expiryFromMs: NEVER,
      presentments: 0,
      coveredMinor: 0n,
    };
    if (debit > 0n && HOLD_KINDS.has(txn.kind) && HOLDING_MTIS.has(mti)) {
      this.debit(wallet, debit, atMs);
      record.status = 'held';
      // The hold ends by its expiry unless something ends it before: a reversal, a completion, a presentment.
      const expiry = this.timing.duringRun ? holdExpiresAt(this.program, txn, atMs) : NEVER;
      record.expiryFromMs = expiry - this.timing.clockLeadMs;
      record.release = this.track({ currency: wallet, minor: debit, fromMs: record.expiryFromMs, toMs: expiry + this.timing.expiryAppliedMs, folded: false });
    } else if (debit > 0n) {
      this.debit(wallet, debit, atMs);
      record.status = 'posted';
    }
    this.txns.set(ref, record);
  }

  /** A full reversal (0400 / 0420) of `ref` at `atMs`: what its hold still holds comes back. */
  reverse(ref: string, atMs: number): void {
    const record = this.txns.get(ref);
    if (record === undefined) return;
    if (record.status === 'held') this.releaseAt(record, atMs);
    // A reversed 0200 gives back the amount (fees are not counted on: the lower amount is safe).
    else if (record.status === 'posted') this.credit(record.wallet, record.billedMinor, atMs);
    else return;
    record.status = 'reversed';
  }

  /** A completion (0220) of `ref` at `atMs`: the final amount is posted, the rest of the hold released. */
  complete(ref: string, amountMinor: bigint, atMs: number): void {
    const record = this.txns.get(ref);
    if (record === undefined || record.status === 'completed' || record.status === 'posted') return;
    const final: CardTransaction = {
      kind: record.kind,
      channel: 'pos',
      entryMode: 'chip',
      preAuthorisation: false,
      incremental: false,
      transactionAmount: money(amountMinor, record.currency),
      acquirerCountry: record.country,
      mcc: record.mcc,
    };
    const priced = amountMinor > 0n ? priceInWallet(this.program, final, record.wallet, NO_FEE_USAGE, atMs, this.rates) : undefined;
    const pricing = priced?.ok ? priced.value : undefined;
    if (pricing) this.debit(record.wallet, pricing.totalDebit.amountMinor, atMs);
    if (record.status === 'held') this.releaseAt(record, atMs);
    record.status = 'completed';
    record.billedMinor = pricing?.billingAmount.amountMinor ?? 0n;
    record.coveredMinor = 0n;
  }

  /**
   * A presentment of `ref` in the clearing file of `line.processingDay` (clearing.md; libs/ledger
   * clearing-rules.ts): re-priced at the processing day's rate with the program's fees (later
   * presentments of a TI pay only the percentage part), debited in the wallet of the hold. With
   * the hold open, it consumes the hold (final: the rest is released); after the hold ended it is
   * debited in full, even below zero; after a completion only the difference is posted.
   */
  present(ref: string, line: ClearingLine & { readonly final: boolean }): void {
    const record = this.txns.get(ref);
    if (record === undefined) return;
    const window = this.clearingWindow(line.processingDay);
    const kind = HOLD_KINDS.has(record.kind) ? record.kind : CASH_MCCS.has(record.mcc) ? 'cash-withdrawal' : 'purchase';
    const freeAtAuthorisation = kind === 'cash-withdrawal' && record.feesMinor === 0n && record.billedMinor > 0n;
    const txn: CardTransaction = {
      kind,
      channel: kind === 'cash-withdrawal' ? 'atm' : 'pos',
      entryMode: 'chip',
      preAuthorisation: false,
      incremental: record.presentments > 0,
      transactionAmount: money(line.amountMinor, line.currency),
      acquirerCountry: record.country,
      mcc: record.mcc,
    };
    const usage: FeeUsage = { accountCurrencyAtmWithdrawalsThisMonth: freeAtAuthorisation ? 0 : Number.MAX_SAFE_INTEGER };
    const priced = priceInWallet(this.program, txn, record.wallet, usage, this.processingInstant(line.processingDay), this.rates);
    record.presentments += 1;
    if (!priced.ok) return; // the record goes to suspense: no cardholder move
    if (record.status === 'completed' || record.status === 'posted') {
      const billing = priced.value.billingAmount.amountMinor;
      const uncovered = record.billedMinor - record.coveredMinor;
      const covered = line.final || billing > uncovered ? uncovered : billing;
      record.coveredMinor += covered;
      this.move(record.wallet, covered - billing, window);
      return;
    }
    const total = priced.value.totalDebit.amountMinor;
    const release = record.release;
    if (record.status !== 'held' || release === null || release.folded || window.fromMs >= release.toMs) {
      // The hold has surely ended (reversed, cleared, expired) when the file is applied: a debit in full.
      this.move(record.wallet, -total, window);
      return;
    }
    if (window.toMs < record.expiryFromMs && release.fromMs === record.expiryFromMs) {
      // Surely applied while the hold is open, in one step: it consumes the hold (the final one
      // releases the rest), and what the hold does not cover is debited beyond it.
      const consumed = line.final || total > release.minor ? release.minor : total;
      release.minor -= consumed;
      if (line.final) {
        // Nothing left to release: the hold has ended.
        record.status = 'cleared';
        this.pending.delete(release);
        release.folded = true;
      }
      this.move(record.wallet, consumed - total, window);
      return;
    }
    // The hold may expire before or after the file is applied: the debit in full within the file's
    // window, and what the hold holds comes back, by the presentment or the expiry, from the
    // earlier of both windows' starts and at the latest at the expiry's end.
    this.move(record.wallet, -total, window);
    release.fromMs = Math.min(release.fromMs, window.fromMs);
    this.track(release);
  }

  /** A refund of `ref` (clearing): credited in the purchase's wallet, converted without markup. */
  refund(ref: string, line: ClearingLine): void {
    const record = this.txns.get(ref);
    const wallet = record?.wallet ?? this.program.accountCurrency;
    let minor = line.amountMinor;
    if (line.currency !== wallet) {
      const converted = convertForBilling(this.rates, line.processingDay, money(line.amountMinor, line.currency), wallet);
      if (!converted.ok) return;
      minor = converted.value.billingAmount.amountMinor;
    }
    this.move(wallet, minor, this.clearingWindow(line.processingDay));
  }

  /** A presentment without authorisation (force post), debited even below zero. */
  forcePost(line: ClearingLine & { readonly mcc: string }): void {
    const kind: TransactionKind = CASH_MCCS.has(line.mcc) ? 'cash-withdrawal' : 'purchase';
    const txn: CardTransaction = {
      kind,
      channel: kind === 'cash-withdrawal' ? 'atm' : 'pos',
      entryMode: 'chip',
      preAuthorisation: false,
      incremental: false,
      transactionAmount: money(line.amountMinor, line.currency),
      acquirerCountry: '000',
      mcc: line.mcc,
    };
    const at = this.processingInstant(line.processingDay);
    const window = this.clearingWindow(line.processingDay);
    const usage: FeeUsage = { accountCurrencyAtmWithdrawalsThisMonth: Number.MAX_SAFE_INTEGER };
    const { program } = this;
    const candidates = line.currency !== program.accountCurrency && program.walletCurrencies.includes(line.currency) ? [line.currency, program.accountCurrency] : [program.accountCurrency];
    for (const wallet of candidates) {
      const priced = priceInWallet(program, txn, wallet, usage, at, this.rates);
      if (!priced.ok) continue;
      // Settlement takes its own wallet when it covers the amount then, else the account currency:
      // with two candidates the model cannot tell which, so the low bound of both takes the debit.
      if (candidates.length === 1) this.move(wallet, -priced.value.totalDebit.amountMinor, window);
      else this.track({ currency: wallet, minor: -priced.value.totalDebit.amountMinor, fromMs: window.fromMs, toMs: NEVER, folded: false });
    }
  }

  /** A copy to try a sequence of decisions without touching this one. */
  clone(): IssuerModel {
    const copy = new IssuerModel(this.program, this.rates, this.reserveMinor, this.timing);
    const moves = new Map<Move, Move>();
    const copyMove = (m: Move): Move => {
      let c = moves.get(m);
      if (c === undefined) moves.set(m, (c = { ...m }));
      return c;
    };
    for (const [code, minor] of this.base) copy.base.set(code, minor);
    for (const m of this.pending) copy.pending.add(copyMove(m));
    for (const [ref, record] of this.txns) copy.txns.set(ref, { ...record, release: record.release === null ? null : copyMove(record.release) });
    for (const [key, value] of this.counters) copy.counters.set(key, value);
    for (const [month, count] of this.atmPerMonth) copy.atmPerMonth.set(month, count);
    copy.watermarkMs = this.watermarkMs;
    return copy;
  }

  private releaseAt(record: TxnRecord, atMs: number): void {
    const release = record.release;
    // Before its expiry could have ended it, the hold ends now; later, the expiry's window stands.
    if (release === null || release.folded || atMs >= release.fromMs) return;
    release.fromMs = atMs;
    release.toMs = atMs;
    this.track(release);
  }

  private move(currency: CurrencyCode, minor: bigint, window: { fromMs: number; toMs: number }): void {
    if (minor !== 0n) this.track({ currency, minor, fromMs: window.fromMs, toMs: window.toMs, folded: false });
  }

  /** Keeps a move until it is surely applied; a move that never lands during the run is not kept. */
  private track(move: Move): Move {
    if (move.fromMs !== NEVER) this.pending.add(move);
    return move;
  }

  private boundsAt(atMs: number): Map<CurrencyCode, { low: bigint; high: bigint }> {
    if (atMs > this.watermarkMs) {
      this.watermarkMs = atMs;
      this.fold(atMs - FOLD_AFTER_MS);
    }
    const bounds = new Map<CurrencyCode, { low: bigint; high: bigint }>();
    for (const [code, minor] of this.base) bounds.set(code, { low: minor, high: minor });
    for (const m of this.pending) {
      if (m.minor === 0n) continue;
      let b = bounds.get(m.currency);
      if (b === undefined) bounds.set(m.currency, (b = { low: 0n, high: 0n }));
      const maybe = atMs >= m.fromMs;
      const surely = atMs >= m.toMs;
      if (m.minor < 0n) {
        if (maybe) b.low += m.minor;
        if (surely) b.high += m.minor;
      } else {
        if (maybe) b.high += m.minor;
        if (surely) b.low += m.minor;
      }
    }
    return bounds;
  }

  /** Folds the moves surely applied before `beforeMs` into the base (decisions never go that far back). */
  private fold(beforeMs: number): void {
    for (const m of this.pending) {
      if (m.toMs > beforeMs || m.fromMs > beforeMs) continue;
      this.base.set(m.currency, (this.base.get(m.currency) ?? 0n) + m.minor);
      m.folded = true;
      this.pending.delete(m);
    }
  }

  /** When the clearing file of a processing day moves balances (never during a real-clock run). */
  private clearingWindow(processingDay: string): { fromMs: number; toMs: number } {
    if (!this.timing.duringRun) return { fromMs: NEVER, toMs: NEVER };
    const date = parseDayId(processingDay);
    if (date === undefined) throw new Error(`processing day ${processingDay} is not a date`);
    const dayEnd = startOfLocalDay(addDays(date, 1), this.program.timeZone);
    return { fromMs: dayEnd - this.timing.clockLeadMs, toMs: dayEnd + this.timing.clearingAppliedMs };
  }

  /** Noon of the processing day in the program's zone: the instant whose day selects the rate (libs/ledger). */
  private processingInstant(processingDay: string): number {
    const date = parseDayId(processingDay);
    if (date === undefined) throw new Error(`processing day ${processingDay} is not a date`);
    return startOfLocalDay(date, this.program.timeZone) + 12 * MS_PER_HOUR;
  }

  private atmUsage(atMs: number): number {
    return this.atmPerMonth.get(monthIdOf(localDateOf(atMs, this.program.timeZone))) ?? 0;
  }
}

function declined(code: ModelDeclineCode): ModelOutcome {
  return { approved: false, code, declineFeeMinor: 0n };
}

function unknown(why: string): ModelOutcome {
  return { approved: false, code: null, why };
}
