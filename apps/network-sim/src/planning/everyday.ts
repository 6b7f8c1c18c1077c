import { exponentOf, money } from '@lib/money';
import { decideSca } from '@lib/programs';
import type { BehaviourSpec } from '../scenario/scenario';
import { CardholderPlanner, cardTransactionOf } from './cardholder-planner';
import { DESTINATIONS, domesticMerchants, foreignMerchant, Merchant, MerchantCategory } from './merchants';
import type { RequestSpec } from './plan';
import type { Prng } from './prng';

/**
 * Everyday shopping at home and travel abroad (card-programs.md; network-interface.md fields
 * 22, 25, 48): each function plans one occurrence of a behaviour at `atMs`.
 */
type Spec<K extends BehaviourSpec['kind']> = Extract<BehaviourSpec, { kind: K }>;

export const CONTACTLESS_MAX_MINOR = 5_000n;

/** A request with the defaults of a card-present purchase; callers override what differs. */
export function request(fields: Pick<RequestSpec, 'amountMinor' | 'currency' | 'merchant'> & Partial<RequestSpec>): RequestSpec {
  return { mti: '0100', processing: '00', entryMode: '051', condition: '00', pin: null, cvv2: null, expiry: 'right', tags: {}, pan: 'card', ...fields };
}

export function chipAndPin(base: Pick<RequestSpec, 'amountMinor' | 'currency' | 'merchant'>): RequestSpec {
  return request({ ...base, entryMode: '051', pin: 'right' });
}

export function contactless(base: Pick<RequestSpec, 'amountMinor' | 'currency' | 'merchant'>, virtualCard: boolean): RequestSpec {
  return request({ ...base, entryMode: '071', tags: virtualCard ? { DV: 'Y' } : {} });
}

export function ecommerceRequest(base: Pick<RequestSpec, 'amountMinor' | 'currency' | 'merchant'>, sca: boolean): RequestSpec {
  return request({ ...base, entryMode: '010', condition: '59', cvv2: 'right', tags: { SC: sca ? 'Y' : 'N' } });
}

export function atmRequest(base: Pick<RequestSpec, 'amountMinor' | 'currency' | 'merchant'>, mti: '0100' | '0200'): RequestSpec {
  return request({ ...base, mti, processing: '01', entryMode: '051', pin: 'right' });
}

function merchantOf(prng: Prng, categories: readonly MerchantCategory[]): Merchant {
  return prng.pick(domesticMerchants(prng.pick(categories)));
}

/**
 * The presentments of an approved purchase (clearing.md), with the realistic differences of the
 * scenario's clearing section: tips on restaurant bills, split shipments online, late ones.
 */
export function planPurchaseClearing(p: CardholderPlanner, txn: string, atMs: number, req: RequestSpec): void {
  const c = p.ctx.scenario.clearing;
  const prng = p.prng('clearing', txn);
  const delay = prng.int(c.delayDays.min, c.delayDays.max);
  const base = { kind: 'presentment' as const, txn, cardholder: p.index, currency: req.currency };
  if (req.merchant.mcc === '5812' && prng.chance(c.tipShare)) {
    const percent = BigInt(prng.int(c.tipPercent.min, c.tipPercent.max));
    // The tip is debited beyond the hold (the model books it with the presentment, even below zero).
    p.addClearing({ ...base, processingDay: p.processingDay(atMs, delay), amountMinor: (req.amountMinor * (100n + percent)) / 100n, final: true, label: 'tip' });
  } else if (req.condition === '59' && req.amountMinor >= 200n && prng.chance(c.splitShare)) {
    const first = (req.amountMinor * BigInt(prng.int(30, 70))) / 100n;
    p.addClearing({ ...base, processingDay: p.processingDay(atMs, delay), amountMinor: first, final: false, label: 'split' });
    p.addClearing({ ...base, processingDay: p.processingDay(atMs, delay + prng.int(1, 3)), amountMinor: req.amountMinor - first, final: true, label: 'split' });
  } else if (prng.chance(c.lateShare)) {
    p.addClearing({ ...base, processingDay: p.processingDay(atMs, prng.int(c.lateDays.min, c.lateDays.max)), amountMinor: req.amountMinor, final: true, label: 'late' });
  } else {
    p.addClearing({ ...base, processingDay: p.processingDay(atMs, delay), amountMinor: req.amountMinor, final: true, label: 'exact' });
  }
}

export function posPurchase(p: CardholderPlanner, spec: Spec<'pos-purchase'>, atMs: number): void {
  const prng = p.prng('pos', atMs);
  const entry = prng.weighted(spec.mix);
  // Contactless, half the time from the phone's device wallet when the persona has a virtual card.
  const card = p.cardFor(entry === 'chip-pin' ? 'pin' : 'contactless', prng.chance(0.5));
  if (card === undefined) return;
  let amountMinor = prng.bigintBetween(spec.amount.min, spec.amount.max);
  if (entry === 'contactless' && amountMinor > CONTACTLESS_MAX_MINOR) amountMinor = CONTACTLESS_MAX_MINOR;
  const base = { amountMinor, currency: p.program.accountCurrency, merchant: merchantOf(prng, spec.merchants) };
  const req = entry === 'chip-pin' ? chipAndPin(base) : contactless(base, card === 'virtual');
  const planned = p.approvedAuth(atMs, { family: 'everyday', behaviour: spec.kind, card, request: req, networkEffects: true });
  if (planned && !planned.timedOut) planPurchaseClearing(p, planned.txn, atMs, req);
}

export function ecommercePurchase(p: CardholderPlanner, spec: Spec<'ecommerce'>, atMs: number): void {
  const prng = p.prng('ecommerce', atMs);
  const card = p.cardFor('ecommerce');
  if (card === undefined) return;
  const amountMinor = prng.bigintBetween(spec.amount.min, spec.amount.max);
  const base = { amountMinor, currency: p.program.accountCurrency, merchant: merchantOf(prng, spec.merchants) };
  const counters = p.sca.get(card)!;
  const wantsExemption = prng.weighted(spec.mix) === 'exempt';
  const exemption = decideSca(p.program.sca, counters, { ecommerce: true, merchantInitiated: false, accountVerification: false, scaPerformed: false, amount: money(amountMinor, 'EUR') });
  // Outside the exemption the merchant runs 3-D Secure: the payment carries SC=Y.
  const exempt = wantsExemption && exemption.outcome === 'exempted';
  const req = ecommerceRequest(base, !exempt);
  // Exempted payments move the per-card SCA counters: no network effects on them (a stand-in
  // advice or a reversal could move them differently from the model).
  const planned = p.approvedAuth(atMs, { family: 'everyday', behaviour: spec.kind, card, request: req, networkEffects: !exempt });
  if (!planned) return;
  p.sca.set(card, exempt && exemption.outcome === 'exempted' ? exemption.onApproval : { exemptedCount: 0, exemptedTotal: money(0n, 'EUR') });
  if (!planned.timedOut) planPurchaseClearing(p, planned.txn, atMs, req);
}

export function atmWithdrawal(p: CardholderPlanner, spec: Spec<'atm-withdrawal'>, atMs: number): void {
  const prng = p.prng('atm', atMs);
  const card = p.cardFor('pin');
  if (card === undefined) return;
  const tens = prng.bigintBetween(spec.amount.min / 1000n, spec.amount.max / 1000n);
  const amountMinor = (tens > 0n ? tens : 1n) * 1000n;
  const mti = prng.weighted(spec.mix) === 'single' ? '0200' : '0100';
  const req = atmRequest({ amountMinor, currency: p.program.accountCurrency, merchant: prng.pick(domesticMerchants('atm')) }, mti);
  const planned = p.approvedAuth(atMs, { family: 'everyday', behaviour: spec.kind, card, request: req, networkEffects: true });
  // A dual-message (0100) withdrawal is presented in clearing; a 0200 is final (network-interface.md).
  if (planned && !planned.timedOut && mti === '0100') {
    p.addClearing({ kind: 'presentment', txn: planned.txn, cardholder: p.index, processingDay: p.processingDay(atMs, 1), amountMinor, currency: req.currency, final: true, label: 'exact' });
  }
}

export function balanceInquiry(p: CardholderPlanner, spec: Spec<'balance-inquiry'>, atMs: number): void {
  const prng = p.prng('inquiry', atMs);
  const card = p.cardFor('pin');
  if (card === undefined) return;
  const mti = prng.weighted(spec.mix) === 'single' ? '0200' : '0100';
  const req = request({ mti, processing: '31', amountMinor: 0n, currency: p.program.accountCurrency, merchant: prng.pick(domesticMerchants('atm')), pin: 'right' });
  p.approvedAuth(atMs, { family: 'everyday', behaviour: spec.kind, card, request: req, networkEffects: false });
}

export function travelPurchase(p: CardholderPlanner, spec: Spec<'travel-purchase'>, atMs: number): void {
  const prng = p.prng('travel', atMs);
  const destination = DESTINATIONS[prng.pick(spec.destinations)];
  const entry = prng.weighted(spec.mix);
  const card = p.cardFor(entry === 'chip-pin' ? 'pin' : entry === 'ecommerce' ? 'ecommerce' : 'contactless', prng.chance(0.5));
  if (card === undefined) return;
  const category: MerchantCategory = entry === 'ecommerce' ? 'online-retail' : prng.pick(['restaurant', 'grocery', 'transport'] as const);
  const amountMinor = p.accountToCurrency(prng.bigintBetween(spec.amount.min, spec.amount.max), destination.currency, atMs);
  if (amountMinor === undefined || amountMinor <= 0n) return;
  const base = { amountMinor, currency: destination.currency, merchant: foreignMerchant(destination, category) };
  const req = entry === 'chip-pin' ? chipAndPin(base) : entry === 'ecommerce' ? ecommerceRequest(base, true) : contactless(base, card === 'virtual');
  const planned = p.approvedAuth(atMs, { family: 'travel', behaviour: spec.kind, card, request: req, networkEffects: true });
  if (planned && !planned.timedOut) planPurchaseClearing(p, planned.txn, atMs, req);
}

/** A cash amount a machine abroad gives: a round number of 10 (or 1,000 for yen) major units. */
export function roundCash(amountMinor: bigint, exponent: number, currency: string): bigint {
  const unit = (currency === 'JPY' ? 1000n : 10n) * 10n ** BigInt(exponent);
  const rounded = (amountMinor / unit) * unit;
  return rounded > 0n ? rounded : unit;
}

export function travelAtm(p: CardholderPlanner, spec: Spec<'travel-atm'>, atMs: number): void {
  const prng = p.prng('travel-atm', atMs);
  const destination = DESTINATIONS[prng.pick(spec.destinations)];
  const card = p.cardFor('pin');
  if (card === undefined) return;
  const converted = p.accountToCurrency(prng.bigintBetween(spec.amount.min, spec.amount.max), destination.currency, atMs);
  if (converted === undefined) return;
  const amountMinor = roundCash(converted, exponentOf(destination.currency), destination.currency);
  const req = atmRequest({ amountMinor, currency: destination.currency, merchant: foreignMerchant(destination, 'atm') }, '0100');
  const planned = p.approvedAuth(atMs, { family: 'travel', behaviour: spec.kind, card, request: req, networkEffects: true });
  if (planned && !planned.timedOut) {
    p.addClearing({ kind: 'presentment', txn: planned.txn, cardholder: p.index, processingDay: p.processingDay(atMs, 1), amountMinor, currency: req.currency, final: true, label: 'exact' });
  }
}


/**
 * Limits hit on purpose: an ATM withdrawal beyond an amount limit (61), or withdrawals until the
 * day's count limit is reached and one more (65). Planned only when the programs' rules give the
 * code the scenario expects, so the expectation is exact.
 */
export function limitHit(p: CardholderPlanner, spec: Spec<'limit-hit'>, atMs: number): void {
  const prng = p.prng('limit', atMs);
  const card = p.cardFor('pin');
  if (card === undefined) return;
  const destination = spec.destination === null ? undefined : DESTINATIONS[spec.destination];
  const currency = destination?.currency ?? p.program.accountCurrency;
  const merchant = destination ? foreignMerchant(destination, 'atm') : prng.pick(domesticMerchants('atm'));
  const amountOf = (): bigint | undefined => {
    const converted = p.accountToCurrency(prng.bigintBetween(spec.amount.min, spec.amount.max), currency, atMs);
    return converted === undefined ? undefined : roundCash(converted, exponentOf(currency), currency);
  };
  if (spec.limit === 'atm-amount') {
    const amountMinor = amountOf();
    if (amountMinor === undefined) return;
    const req = atmRequest({ amountMinor, currency, merchant }, '0100');
    const outcome = p.decide(req, atMs);
    if (outcome.approved || outcome.code !== spec.expect) return;
    p.emit({ type: 'auth', atMs, family: 'travel', behaviour: `${spec.kind}:${spec.limit}`, expect: [spec.expect], txn: p.newTxn(), card, request: req, retry: false, timeout: false, standIn: false });
    return;
  }
  // atm-count: approved withdrawals until the rules decline the next one with the expected code,
  // tried on a copy of the model, then planned (and booked) for real.
  const trial = p.model.clone();
  const planned: { atMs: number; req: ReturnType<typeof atmRequest> }[] = [];
  for (let i = 0; i < 8; i++) {
    const amountMinor = amountOf();
    if (amountMinor === undefined) return;
    const at = atMs + i * 3 * 60_000;
    const req = atmRequest({ amountMinor, currency, merchant }, '0100');
    const outcome = trial.decide(cardTransactionOf(req), at);
    if (outcome.approved) {
      trial.book(`trial-${i}`, cardTransactionOf(req), outcome, at, req.mti);
      planned.push({ atMs: at, req });
      continue;
    }
    if (outcome.code !== spec.expect || planned.length === 0) return;
    p.reserve(atMs, at);
    for (const step of planned) {
      const txn = p.newTxn();
      p.book(txn, step.req, p.decide(step.req, step.atMs), step.atMs);
      p.emit({ type: 'auth', atMs: step.atMs, family: 'travel', behaviour: `${spec.kind}:${spec.limit}`, expect: ['00'], txn, card, request: step.req, retry: false, timeout: false, standIn: false });
      p.addClearing({ kind: 'presentment', txn, cardholder: p.index, processingDay: p.processingDay(step.atMs, 1), amountMinor: step.req.amountMinor, currency, final: true, label: 'exact' });
    }
    p.emit({ type: 'auth', atMs: at, family: 'travel', behaviour: `${spec.kind}:${spec.limit}`, expect: [spec.expect], txn: p.newTxn(), card, request: req, retry: false, timeout: false, standIn: false });
    return;
  }
}
