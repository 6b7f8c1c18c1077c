import { addMonths, LocalDate, localDateOf } from '@lib/programs';
import type { BehaviourSpec } from '../scenario/scenario';
import { CardholderPlanner, MS_PER_DAY } from './cardholder-planner';
import { chipAndPin, ecommerceRequest, request } from './everyday';
import { domesticMerchants } from './merchants';
import type { RequestSpec } from './plan';

/**
 * Hotels and car rentals (pre-authorisation, field 25 = 06; incremental `IA=Y`; completion 0220
 * below the hold; holds left to expire), and the buy-now-pay-later merchant of seed 000.
 */
type Spec<K extends BehaviourSpec['kind']> = Extract<BehaviourSpec, { kind: K }>;

function preAuthorisation(base: Pick<RequestSpec, 'amountMinor' | 'currency' | 'merchant'>): RequestSpec {
  return { ...chipAndPin(base), condition: '06' };
}

/** An incremental authorisation: field 4 is the added amount, TI the original's (added by the runner). */
function incremental(original: RequestSpec, amountMinor: bigint): RequestSpec {
  return { ...original, amountMinor, pin: null, tags: { ...original.tags } };
}

export function hotelStay(p: CardholderPlanner, spec: Spec<'hotel-stay'>, atMs: number): void {
  const prng = p.prng('hotel', atMs);
  const card = p.cardFor('pin');
  if (card === undefined) return;
  const estimate = prng.bigintBetween(spec.amount.min, spec.amount.max);
  const req = preAuthorisation({ amountMinor: estimate, currency: p.program.accountCurrency, merchant: prng.pick(domesticMerchants('hotel')) });
  const planned = p.approvedAuth(atMs, { family: 'hotel-car', behaviour: spec.kind, card, request: req, networkEffects: false });
  if (!planned) return;
  const checkIn = localDateOf(atMs, p.timeZone);
  const nights = prng.int(spec.nights.min, spec.nights.max);
  const increments = Math.min(prng.int(spec.incrementals.min, spec.incrementals.max), nights);
  let heldMinor = estimate;
  for (let night = 1; night <= increments; night++) {
    // Extras charged to the room: added to the hold of the same TI during the stay.
    const at = p.atLocal(addDaysTo(checkIn, night - 1), 21, prng.int(0, 59));
    const addedMinor = (estimate * BigInt(prng.int(15, 35))) / 100n;
    p.schedule(at, (when) => {
      const added = incremental(req, addedMinor);
      const outcome = p.decide(added, when, true);
      if (!outcome.approved) return;
      p.book(planned.txn, added, outcome, when, { incremental: true });
      heldMinor += addedMinor;
      p.emit({ type: 'incremental', atMs: when, family: 'hotel-car', behaviour: `${spec.kind}:incremental`, expect: ['00'], txn: planned.txn, amountMinor: addedMinor });
    });
  }
  const finalPercent = BigInt(prng.int(spec.finalPercent.min, spec.finalPercent.max));
  const checkOut = p.atLocal(addDaysTo(checkIn, nights), 10, prng.int(0, 59));
  const delay = prng.int(p.ctx.scenario.clearing.delayDays.min, p.ctx.scenario.clearing.delayDays.max);
  p.scheduleFollowUp(checkOut, (when) => {
    // Completion below the hold: the rest of the hold is released (network-interface.md 0220).
    const finalMinor = (heldMinor * finalPercent) / 100n;
    p.emit({ type: 'completion', atMs: when, family: 'hotel-car', behaviour: `${spec.kind}:completion`, expect: ['00'], txn: planned.txn, amountMinor: finalMinor });
    p.addClearing({ kind: 'presentment', txn: planned.txn, cardholder: p.index, processingDay: p.processingDay(when, delay), amountMinor: finalMinor, currency: req.currency, final: true, label: 'completion' });
  });
}

export function carRental(p: CardholderPlanner, spec: Spec<'car-rental'>, atMs: number): void {
  const prng = p.prng('car', atMs);
  const card = p.cardFor('pin');
  if (card === undefined) return;
  const estimate = prng.bigintBetween(spec.amount.min, spec.amount.max);
  const req = preAuthorisation({ amountMinor: estimate, currency: p.program.accountCurrency, merchant: prng.pick(domesticMerchants('car-rental')) });
  const planned = p.approvedAuth(atMs, { family: 'hotel-car', behaviour: spec.kind, card, request: req, networkEffects: false });
  if (!planned) return;
  if (prng.weighted(spec.mix) === 'expire') {
    // Never completed nor presented: the hold must expire after the program's pre-auth days.
    p.holdsLeftToExpire.push({ txn: planned.txn, cardholder: p.index, expiresAtMs: atMs + p.program.holds.preAuthorisationDays * MS_PER_DAY });
    return;
  }
  const returnedAt = atMs + prng.int(1, 5) * MS_PER_DAY + prng.int(0, 120) * 60_000;
  const finalMinor = (estimate * BigInt(prng.int(60, 100))) / 100n;
  p.emit({ type: 'completion', atMs: returnedAt, family: 'hotel-car', behaviour: `${spec.kind}:completion`, expect: ['00'], txn: planned.txn, amountMinor: finalMinor });
  p.addClearing({ kind: 'presentment', txn: planned.txn, cardholder: p.index, processingDay: p.processingDay(returnedAt, 1), amountMinor: finalMinor, currency: req.currency, final: true, label: 'completion' });
}

function addDaysTo(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** The same day of the month `months` months later (the last day of a shorter month). */
export function sameDayMonthsLater(date: LocalDate, months: number): LocalDate {
  const first = addMonths(date, months);
  const lastDay = new Date(Date.UTC(first.year, first.month, 0)).getUTCDate();
  return { ...first, day: Math.min(date.day, lastDay) };
}

const BNPL = () => domesticMerchants('bnpl')[0];

/** The merchant-initiated recurring charge of an instalment on the stored card (`MI=R`). */
function instalmentCharge(amountMinor: bigint, currency: RequestSpec['currency']): RequestSpec {
  return request({ amountMinor, currency, merchant: BNPL(), entryMode: '010', condition: '59', tags: { MI: 'R' } });
}

/**
 * seed 000: first instalment at purchase (cardholder present, 3-D Secure), then a
 * merchant-initiated recurring charge on the same day of each following month; some holders
 * revoke their consent (later charges declined 57), some return goods (one refund per paid
 * instalment, or several partial refunds of one purchase).
 */
export function bnplPlan(p: CardholderPlanner, spec: Spec<'bnpl-plan'>, atMs: number): void {
  const prng = p.prng('bnpl', atMs);
  const card = p.cardFor('ecommerce');
  if (card === undefined) return;
  const count = Number(prng.weighted(spec.instalments));
  const total = prng.bigintBetween(spec.amount.min, spec.amount.max);
  const each = total / BigInt(count);
  const firstMinor = each + (total - each * BigInt(count));
  const currency = p.program.accountCurrency;
  const first = ecommerceRequest({ amountMinor: firstMinor, currency, merchant: BNPL() }, true);
  const planned = p.approvedAuth(atMs, { family: 'bnpl', behaviour: `${spec.kind}:first-instalment`, card, request: first, networkEffects: false });
  if (!planned) return;
  p.addClearing({ kind: 'presentment', txn: planned.txn, cardholder: p.index, processingDay: p.processingDay(atMs, 1), amountMinor: firstMinor, currency, final: true, label: 'instalment' });
  const paid: { txn: string; amountMinor: bigint }[] = [{ txn: planned.txn, amountMinor: firstMinor }];
  const revokeAfter = prng.chance(spec.revokeShare) ? prng.int(1, count - 1) : count;
  const refundAfter = prng.chance(spec.refundShare) ? prng.int(1, count - 1) : count;
  const refundMode = prng.weighted({ 'full-return': 1, 'partial-return': 1 });
  const purchaseDate = localDateOf(atMs, p.timeZone);
  let cancelled = false;
  for (let k = 1; k < count; k++) {
    const at = p.atLocal(sameDayMonthsLater(purchaseDate, k), 6, prng.int(0, 59));
    p.schedule(at, (when) => {
      if (cancelled) return;
      const charge = instalmentCharge(each, currency);
      // Consent is per card and merchant: a revocation for an earlier plan stops this one too.
      if (k >= revokeAfter || p.revokedConsents.has(`${card}:${charge.merchant.id}`)) {
        p.emit({ type: 'auth', atMs: when, family: 'bnpl', behaviour: `${spec.kind}:after-revocation`, expect: ['57'], txn: p.newTxn(), card, request: charge, retry: false, timeout: false, standIn: false });
        return;
      }
      // The merchant charges whatever the balance: approved, or the decline the model knows (51
      // with its fee, 05 while a wallet is below zero); not sent when the model cannot tell.
      const outcome = p.decide(charge, when);
      const expect = CardholderPlanner.expectationOf(outcome);
      if (expect === undefined) return;
      const txn = p.newTxn();
      p.book(txn, charge, outcome, when);
      p.emit({ type: 'auth', atMs: when, family: 'bnpl', behaviour: `${spec.kind}:instalment`, expect, txn, card, request: charge, retry: false, timeout: false, standIn: false });
      if (!outcome.approved) return;
      paid.push({ txn, amountMinor: each });
      p.addClearing({ kind: 'presentment', txn, cardholder: p.index, processingDay: p.processingDay(when, 1), amountMinor: each, currency, final: true, label: 'instalment' });
    });
  }
  if (revokeAfter < count) {
    const at = p.atLocal(sameDayMonthsLater(purchaseDate, revokeAfter - 1), 12, prng.int(0, 59)) + MS_PER_DAY;
    p.scheduleFollowUp(at, (when) => {
      p.revokedConsents.add(`${card}:${BNPL().id}`);
      p.emit({ type: 'back-office', atMs: when, family: 'bnpl', behaviour: `${spec.kind}:revoke-consent`, expect: null, card, action: { kind: 'revoke-consent', merchantId: BNPL().id } });
    });
  }
  if (refundAfter < count) {
    const at = p.atLocal(sameDayMonthsLater(purchaseDate, refundAfter - 1), 14, 0) + 2 * MS_PER_DAY;
    p.scheduleFollowUp(at, (when) => {
      if (refundMode === 'full-return') {
        // Goods returned: one refund per instalment already paid; no more charges.
        cancelled = true;
        for (const instalment of paid) {
          p.addClearing({ kind: 'refund', txn: instalment.txn, cardholder: p.index, processingDay: p.processingDay(when, 1), amountMinor: instalment.amountMinor, currency, label: 'refund' });
        }
        return;
      }
      // Part of the order returned: several partial refunds of the first purchase.
      for (const [offsetDays, percent] of [[1, prng.int(10, 30)], [4, prng.int(10, 30)]] as const) {
        p.addClearing({ kind: 'refund', txn: planned.txn, cardholder: p.index, processingDay: p.processingDay(when, offsetDays), amountMinor: (firstMinor * BigInt(percent)) / 100n, currency, label: 'partial-refund' });
      }
    });
  }
}

/** seed 000: "des frais de 1€ seront prélevés et remboursés instantanément" when a card is added. */
export function bnplCardCheck(p: CardholderPlanner, spec: Spec<'bnpl-card-check'>, atMs: number): void {
  const prng = p.prng('card-check', atMs);
  const card = p.cardFor('ecommerce');
  if (card === undefined) return;
  const currency = p.program.accountCurrency;
  if (prng.weighted(spec.mix) === 'verification') {
    // An account verification (amount 0): 85, nothing held, no fee.
    const check = ecommerceRequest({ amountMinor: 0n, currency, merchant: BNPL() }, true);
    p.emit({ type: 'auth', atMs, family: 'bnpl', behaviour: `${spec.kind}:verification`, expect: ['85'], txn: p.newTxn(), card, request: check, retry: false, timeout: false, standIn: false });
    return;
  }
  const charge = ecommerceRequest({ amountMinor: 100n, currency, merchant: BNPL() }, true);
  const planned = p.approvedAuth(atMs, { family: 'bnpl', behaviour: `${spec.kind}:charge`, card, request: charge, networkEffects: false });
  if (!planned) return;
  p.emit({ type: 'reversal', atMs: atMs + 2000, family: 'bnpl', behaviour: `${spec.kind}:reversal`, expect: ['00'], txn: planned.txn, mti: '0400', remainingMinor: 0n });
}

/** seed 000: a purchase whose checks are not completed is cancelled after 1 hour (a reversal). */
export function bnplVoid(p: CardholderPlanner, spec: Spec<'bnpl-void'>, atMs: number): void {
  const prng = p.prng('void', atMs);
  const card = p.cardFor('ecommerce');
  if (card === undefined) return;
  const amountMinor = prng.bigintBetween(spec.amount.min, spec.amount.max);
  const purchase = ecommerceRequest({ amountMinor, currency: p.program.accountCurrency, merchant: BNPL() }, true);
  const planned = p.approvedAuth(atMs, { family: 'bnpl', behaviour: `${spec.kind}:purchase`, card, request: purchase, networkEffects: false });
  if (!planned) return;
  p.emit({ type: 'reversal', atMs: atMs + 3_600_000, family: 'bnpl', behaviour: `${spec.kind}:void`, expect: ['00'], txn: planned.txn, mti: '0400', remainingMinor: 0n });
}

