import { money } from '@lib/money';
import { decideSca } from '@lib/programs';
import type { BadActorKind } from '../scenario/scenario';
import { CardholderPlanner } from './cardholder-planner';
import { contactless, ecommerceRequest, planPurchaseClearing, request } from './everyday';
import { domesticMerchants, RESTRICTED_MERCHANT } from './merchants';

/**
 * A few bad actors: each occurrence produces declines whose codes the spec fixes
 * (network-interface.md "Order of checks" and "PIN tries"), so every step has an exact expectation.
 */
export function badActor(p: CardholderPlanner, kind: BadActorKind, atMs: number): void {
  switch (kind) {
    case 'wrong-pin':
      return wrongPin(p, atMs);
    case 'expired-card':
      return expiredCard(p, atMs);
    case 'wrong-cvv2':
      return single(p, atMs, kind, 'ecommerce', '82', (base) => ({ ...ecommerceRequest(base, true), cvv2: 'wrong' }));
    case 'unknown-card':
      return single(p, atMs, kind, 'contactless', '14', (base) => ({ ...contactless(base, false), pan: 'unknown' }));
    case 'restricted-merchant':
      return single(p, atMs, kind, 'ecommerce', '57', (base) => ecommerceRequest({ ...base, merchant: RESTRICTED_MERCHANT }, true));
    case 'malformed': {
      const card = p.cardFor('contactless');
      if (card !== undefined) p.emit({ type: 'malformed', atMs, family: 'bad-actor', behaviour: kind, expect: ['30'], card });
      return;
    }
    case 'sca-missing':
      return scaMissing(p, atMs);
    case 'lost-card':
      return lostCard(p, atMs);
  }
}

function single(
  p: CardholderPlanner,
  atMs: number,
  kind: BadActorKind,
  use: 'ecommerce' | 'contactless',
  code: string,
  build: (base: { amountMinor: bigint; currency: CardholderPlanner['program']['accountCurrency']; merchant: ReturnType<typeof domesticMerchants>[number] }) => ReturnType<typeof request>,
): void {
  const prng = p.prng(kind, atMs);
  const card = p.cardFor(use);
  if (card === undefined) return;
  const merchant = prng.pick(domesticMerchants(use === 'ecommerce' ? 'online-retail' : 'grocery'));
  const req = build({ amountMinor: prng.bigintBetween(500n, 4_000n), currency: p.program.accountCurrency, merchant });
  p.emit({ type: 'auth', atMs, family: 'bad-actor', behaviour: kind, expect: [code], txn: p.newTxn(), card, request: req, retry: false, timeout: false, standIn: false });
}

/**
 * Wrong PINs at a cash machine (balance inquiries): 55 until the last allowed try, then 75, and
 * 75 again even with the right PIN; the back office unblocks the PIN and the right PIN works.
 */
function wrongPin(p: CardholderPlanner, atMs: number): void {
  const card = p.cardFor('pin');
  if (card === undefined) return;
  const prng = p.prng('wrong-pin', atMs);
  const atm = prng.pick(domesticMerchants('atm'));
  const inquiry = (pin: 'right' | 'wrong') => request({ processing: '31', amountMinor: 0n, currency: p.program.accountCurrency, merchant: atm, pin });
  const max = p.program.pin.maxConsecutiveWrong;
  let at = atMs;
  const next = (): number => (at += 5_000);
  const auth = (pin: 'right' | 'wrong', expect: string[] | null, when: number) =>
    p.emit({ type: 'auth', atMs: when, family: 'bad-actor', behaviour: 'wrong-pin', expect, txn: p.newTxn(), card, request: inquiry(pin), retry: false, timeout: false, standIn: false });
  for (let attempt = 1; attempt < max; attempt++) auth('wrong', ['55'], attempt === 1 ? at : next());
  auth('wrong', ['75'], next());
  auth('right', ['75'], next());
  p.emit({ type: 'back-office', atMs: next(), family: 'bad-actor', behaviour: 'wrong-pin:unblock', expect: null, card, action: { kind: 'pin-unblock' } });
  const right = inquiry('right');
  const outcome = p.decide(right, next());
  // The right PIN after the unblock: approved, or the decline the model knows (05 while a wallet
  // is below zero); not sent when the model cannot tell.
  const expect = CardholderPlanner.expectationOf(outcome);
  if (expect !== undefined) {
    const txn = p.newTxn();
    p.book(txn, right, outcome, at);
    p.emit({ type: 'auth', atMs: at, family: 'bad-actor', behaviour: 'wrong-pin', expect, txn, card, request: right, retry: false, timeout: false, standIn: false });
  }
  p.reserve(atMs, at);
}

function expiredCard(p: CardholderPlanner, atMs: number): void {
  single(p, atMs, 'expired-card', 'contactless', '54', (base) => ({ ...contactless(base, false), expiry: 'wrong' }));
}

/** An online payment above the exemption without 3-D Secure (1A); the merchant steps up (SC=Y). */
function scaMissing(p: CardholderPlanner, atMs: number): void {
  const card = p.cardFor('ecommerce');
  if (card === undefined) return;
  const prng = p.prng('sca-missing', atMs);
  const merchant = prng.pick(domesticMerchants('online-retail'));
  const amountMinor = prng.bigintBetween(3_500n, 8_000n);
  const counters = p.sca.get(card)!;
  const decision = decideSca(p.program.sca, counters, { ecommerce: true, merchantInitiated: false, accountVerification: false, scaPerformed: false, amount: money(amountMinor, 'EUR') });
  if (decision.outcome !== 'declined') return;
  const base = { amountMinor, currency: p.program.accountCurrency, merchant };
  p.emit({ type: 'auth', atMs, family: 'bad-actor', behaviour: 'sca-missing', expect: ['1A'], txn: p.newTxn(), card, request: ecommerceRequest(base, false), retry: false, timeout: false, standIn: false });
  const stepUp = ecommerceRequest(base, true);
  const planned = p.approvedAuth(atMs + 60_000, { family: 'bad-actor', behaviour: 'sca-missing:step-up', card, request: stepUp, networkEffects: false });
  p.reserve(atMs, atMs + 60_000);
  if (!planned) return;
  p.sca.set(card, { exemptedCount: 0, exemptedTotal: money(0n, 'EUR') });
  planPurchaseClearing(p, planned.txn, atMs + 60_000, stepUp);
}

/** The holder reports the card lost (back office); a thief then tries it: 41. Nothing more on it. */
function lostCard(p: CardholderPlanner, atMs: number): void {
  const card = p.cardFor('contactless');
  if (card === undefined) return;
  p.emit({ type: 'back-office', atMs, family: 'bad-actor', behaviour: 'lost-card:block', expect: null, card, action: { kind: 'block', mode: 'lost' } });
  const prng = p.prng('lost', atMs);
  const req = contactless({ amountMinor: prng.bigintBetween(1_000n, 4_000n), currency: p.program.accountCurrency, merchant: prng.pick(domesticMerchants('grocery')) }, card === 'virtual');
  p.emit({ type: 'auth', atMs: atMs + 30_000, family: 'bad-actor', behaviour: 'lost-card', expect: ['41'], txn: p.newTxn(), card, request: req, retry: false, timeout: false, standIn: false });
  p.deadCards.add(card);
}
