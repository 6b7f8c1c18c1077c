import { money } from '@lib/money';
import { ApprovalKind, DECLINE_REASONS_BY_PRECEDENCE, DeclineReason, firstDecline } from './decline-reason';
import { declineReasonName, responseCodeForApproval, responseCodeForDecline } from './response-codes';
import { PIN_TRIES_INITIAL, PinTriesState, pinRequired, refuseMissingPin, unblockPin, verifyPinAttempt } from './pin-tries';
import { ScaCounters, decideSca } from './sca-exemption';
import { checkPermissions } from './permissions';
import { checkCardExpiry } from './card-expiry';
import { holdDays, holdExpiresAt } from '../holds/hold-expiry';
import { at, eur, program, txn, atmTxn, posTxn, onlineTxn } from '../spec-helpers';
import { isMerchantInitiated } from '../transaction';

describe('DeclineReason: ordered by the order of checks of network-interface.md', () => {
  it('maps every reason to its response code, in precedence order', () => {
    expect(DECLINE_REASONS_BY_PRECEDENCE.map(responseCodeForDecline)).toEqual([
      '30',
      '13',
      '94',
      '14',
      '41',
      '43',
      '62',
      '78',
      '54',
      '54',
      '12',
      '57',
      '57',
      '57',
      '57',
      '75',
      '55',
      '82',
      '1A',
      '05',
      '65',
      '61',
      '51',
      '91',
      '96',
    ]);
  });

  it('lets the first check in the spec order win', () => {
    expect(
      firstDecline([
        DeclineReason.InsufficientFunds,
        DeclineReason.AmountLimitExceeded,
        DeclineReason.CountLimitExceeded,
      ]),
    ).toBe(DeclineReason.CountLimitExceeded);
    expect(firstDecline([DeclineReason.ScaRequired, DeclineReason.CardExpired])).toBe(
      DeclineReason.CardExpired,
    );
    expect(
      firstDecline([
        DeclineReason.AccountSuspended,
        DeclineReason.PinIncorrect,
        DeclineReason.MerchantCategoryRestricted,
      ]),
    ).toBe(DeclineReason.MerchantCategoryRestricted);
    expect(firstDecline([DeclineReason.UnknownCard, DeclineReason.DuplicateTransactionId])).toBe(
      DeclineReason.DuplicateTransactionId,
    );
    expect(firstDecline([])).toBeUndefined();
  });

  it('maps approvals and names reasons for events', () => {
    expect(responseCodeForApproval(ApprovalKind.Approved)).toBe('00');
    expect(responseCodeForApproval(ApprovalKind.PartiallyApproved)).toBe('10');
    expect(responseCodeForApproval(ApprovalKind.VerifiedNoReasonToDecline)).toBe('85');
    expect(declineReasonName(DeclineReason.CountLimitExceeded)).toBe('count-limit-exceeded');
    expect(declineReasonName(DeclineReason.Cvv2Mismatch)).toBe('cvv2-mismatch');
  });
});

describe('PIN tries (network-interface.md "PIN tries")', () => {
  const MAX = program('eur-standard').pin.maxConsecutiveWrong;
  const run = (attempts: boolean[], start: PinTriesState = PIN_TRIES_INITIAL) => {
    let state = start;
    return attempts.map((correct) => {
      const result = verifyPinAttempt(state, correct, MAX);
      state = result.next;
      return result.outcome === 'verified'
        ? 'ok'
        : result.reason === DeclineReason.PinTriesExceeded
          ? '75'
          : '55';
    });
  };

  it('answers 55, 55, then 75 on the third consecutive wrong PIN, and 75 after it even with the right PIN', () => {
    expect(MAX).toBe(3);
    expect(run([false, false, false, true, false])).toEqual(['55', '55', '75', '75', '75']);
  });

  it('resets the count on a right PIN before the third', () => {
    expect(run([false, false, true, false, false, true])).toEqual(['55', '55', 'ok', '55', '55', 'ok']);
  });

  it('starts afresh after a back-office unblock', () => {
    const blocked = { consecutiveWrong: 3, blocked: true };
    expect(run([true], blocked)).toEqual(['75']);
    expect(run([true], unblockPin())).toEqual(['ok']);
  });

  it('refuses a required PIN that is missing (55, 75 while blocked) without counting a try', () => {
    const twoWrong = { consecutiveWrong: 2, blocked: false };
    expect(refuseMissingPin(twoWrong)).toEqual({ outcome: 'declined', reason: DeclineReason.PinIncorrect, next: twoWrong });
    const blocked = { consecutiveWrong: 3, blocked: true };
    expect(refuseMissingPin(blocked)).toEqual({ outcome: 'declined', reason: DeclineReason.PinTriesExceeded, next: blocked });
  });
});

describe('SCA exemption (network-interface.md "SCA exemption")', () => {
  const rules = program('eur-standard').sca;
  const none: ScaCounters = { exemptedCount: 0, exemptedTotal: eur('0') };
  const online = {
    ecommerce: true,
    merchantInitiated: false,
    accountVerification: false,
    scaPerformed: false,
  };

  it.each([
    ['30.00 EUR, first exempted payment: at the amount cap', none, '30.00', 'exempted'],
    ['30.01 EUR: just over the amount cap', none, '30.01', 'declined'],
    ['29.99 EUR', none, '29.99', 'exempted'],
    [
      '5th exempted payment (4 before): at the count cap',
      { exemptedCount: 4, exemptedTotal: eur('40.00') },
      '10.00',
      'exempted',
    ],
    [
      '6th exempted payment: over the count cap',
      { exemptedCount: 5, exemptedTotal: eur('50.00') },
      '1.00',
      'declined',
    ],
    [
      'total reaching 100.00 EUR: at the total cap',
      { exemptedCount: 3, exemptedTotal: eur('75.00') },
      '25.00',
      'exempted',
    ],
    [
      'total reaching 100.01 EUR: over the total cap',
      { exemptedCount: 3, exemptedTotal: eur('75.00') },
      '25.01',
      'declined',
    ],
  ] as const)('%s', (_label, counters, amountMajor, outcome) => {
    const decision = decideSca(rules, counters, { ...online, amount: eur(amountMajor) });
    expect(decision.outcome).toBe(outcome);
    if (decision.outcome === 'declined') expect(responseCodeForDecline(decision.reason)).toBe('1A');
  });

  it('moves the counters only through onApproval, and SC=Y resets them', () => {
    const first = decideSca(rules, none, { ...online, amount: eur('12.00') });
    expect(first.outcome === 'exempted' && first.onApproval).toEqual({
      exemptedCount: 1,
      exemptedTotal: eur('12.00'),
    });
    const authenticated = decideSca(
      rules,
      { exemptedCount: 5, exemptedTotal: eur('99.00') },
      { ...online, scaPerformed: true, amount: eur('500.00') },
    );
    expect(authenticated.outcome === 'authenticated' && authenticated.onApproval).toEqual({
      exemptedCount: 0,
      exemptedTotal: money(0n, 'EUR'),
    });
  });

  it('grants no exemption to an amount it cannot measure in EUR, unless SCA was done or out of scope', () => {
    expect(decideSca(rules, none, { ...online, amount: undefined })).toEqual({ outcome: 'declined', reason: DeclineReason.ScaRequired });
    expect(decideSca(rules, none, { ...online, scaPerformed: true, amount: undefined }).outcome).toBe('authenticated');
    expect(decideSca(rules, none, { ...online, merchantInitiated: true, amount: undefined }).outcome).toBe('out-of-scope');
  });

  it('leaves merchant-initiated payments, verifications and card-present payments out of scope', () => {
    expect(
      decideSca(rules, none, { ...online, merchantInitiated: true, amount: eur('500.00') }).outcome,
    ).toBe('out-of-scope');
    expect(decideSca(rules, none, { ...online, accountVerification: true, amount: eur('0') }).outcome).toBe(
      'out-of-scope',
    );
    expect(decideSca(rules, none, { ...online, ecommerce: false, amount: eur('500.00') }).outcome).toBe(
      'out-of-scope',
    );
  });

  it('leaves refunds and other messages that pay nothing out of scope; purchases and cash are in it', () => {
    for (const kind of ['refund', 'balance-inquiry', 'available-funds-inquiry', 'pin-change', 'account-verification'] as const) {
      expect(decideSca(rules, none, { ...online, kind, amount: eur('50.00') }).outcome).toBe('out-of-scope');
    }
    for (const kind of ['purchase', 'purchase-with-cashback', 'cash-withdrawal'] as const) {
      expect(decideSca(rules, none, { ...online, kind, amount: eur('50.00') }).outcome).toBe('declined');
    }
  });

  it('takes MI=R and MI=I as merchant-initiated, MI=C (stored credentials) as cardholder-initiated', () => {
    expect([isMerchantInitiated('R'), isMerchantInitiated('I'), isMerchantInitiated('C'), isMerchantInitiated(undefined)]).toEqual([true, true, false, false]);
  });
});

describe('cardholder verification: ATM needs the PIN, POS contactless or chip+PIN (card-programs.md)', () => {
  it('needs the PIN at the ATM and for a chip payment at a POS', () => {
    expect(pinRequired(atmTxn(eur('20')))).toBe(true);
    expect(pinRequired(txn({ kind: 'balance-inquiry', channel: 'atm' }))).toBe(true);
    expect(pinRequired(posTxn(eur('20')))).toBe(true);
    expect(pinRequired(txn({ kind: 'purchase-with-cashback' }))).toBe(true);
  });

  it('not contactless, online, a refund or an increment of a hold', () => {
    expect(pinRequired(txn({ entryMode: 'contactless' }))).toBe(false);
    expect(pinRequired(onlineTxn(eur('20')))).toBe(false);
    expect(pinRequired(txn({ kind: 'refund' }))).toBe(false);
    expect(pinRequired(txn({ incremental: true }))).toBe(false);
  });

  it('refuses a payment read from the magnetic stripe at a POS (57), not at the ATM', () => {
    const physical = { cardForm: 'physical' as const, deviceWallet: false, merchantInitiated: undefined, recurringConsentRevoked: false };
    const standard = program('eur-standard');
    expect(checkPermissions(standard, txn({ entryMode: 'magstripe' }), physical)).toBe(DeclineReason.EntryModeNotPermitted);
    expect(checkPermissions(standard, txn({ entryMode: 'magstripe', kind: 'refund' }), physical)).toBeUndefined();
    expect(checkPermissions(standard, { ...atmTxn(eur('20')), entryMode: 'magstripe' }, physical)).toBeUndefined();
  });
});

describe('permissions: channel, card form, merchant category, recurring consent (57)', () => {
  const standard = program('eur-standard');
  const travel = program('travel-multicurrency');
  const physical = {
    cardForm: 'physical' as const,
    deviceWallet: false,
    merchantInitiated: undefined,
    recurringConsentRevoked: false,
  };
  const virtual = { ...physical, cardForm: 'virtual' as const };

  it('seed 004 clause 8.3: a virtual card works online and contactless from a device wallet only', () => {
    expect(checkPermissions(standard, onlineTxn(eur('10')), virtual)).toBeUndefined();
    expect(
      checkPermissions(standard, txn({ entryMode: 'contactless' }), { ...virtual, deviceWallet: true }),
    ).toBeUndefined();
    expect(checkPermissions(standard, txn({ entryMode: 'contactless' }), virtual)).toBe(
      DeclineReason.EntryModeNotPermitted,
    );
    expect(checkPermissions(standard, atmTxn(eur('20')), { ...virtual, deviceWallet: true })).toBe(
      DeclineReason.ChannelNotPermitted,
    );
    expect(checkPermissions(standard, posTxn(eur('20')), { ...virtual, deviceWallet: true })).toBe(
      DeclineReason.EntryModeNotPermitted,
    ); // chip and PIN
    expect(checkPermissions(travel, onlineTxn(eur('10')), virtual)).toBe(DeclineReason.ChannelNotPermitted); // no virtual card
  });

  it('declines the default restricted categories 5967, 7273, 4829, 6051, 6211 but not refunds from them', () => {
    for (const mcc of ['5967', '7273', '4829', '6051', '6211']) {
      expect(checkPermissions(standard, txn({ mcc }), physical)).toBe(
        DeclineReason.MerchantCategoryRestricted,
      );
    }
    expect(checkPermissions(standard, txn({ mcc: '5966' }), physical)).toBeUndefined();
    expect(checkPermissions(standard, txn({ mcc: '6051', kind: 'refund' }), physical)).toBeUndefined();
  });

  it('declines a recurring charge after the holder revoked consent', () => {
    expect(
      checkPermissions(standard, onlineTxn(eur('29.90')), {
        ...physical,
        merchantInitiated: 'R',
        recurringConsentRevoked: true,
      }),
    ).toBe(DeclineReason.RecurringConsentRevoked);
    expect(
      checkPermissions(standard, onlineTxn(eur('29.90')), { ...physical, merchantInitiated: 'R' }),
    ).toBeUndefined();
  });

  it('declines instalments (MI=I) after revocation too, not a cardholder-initiated MI=C payment', () => {
    const revoked = { ...physical, recurringConsentRevoked: true };
    expect(checkPermissions(standard, onlineTxn(eur('33.30')), { ...revoked, merchantInitiated: 'I' })).toBe(
      DeclineReason.RecurringConsentRevoked,
    );
    expect(checkPermissions(standard, onlineTxn(eur('33.30')), { ...revoked, merchantInitiated: 'C' })).toBeUndefined();
    expect(checkPermissions(standard, onlineTxn(eur('33.30')), revoked)).toBeUndefined();
  });
});

describe('card expiry (seed 004 clause 9.1: valid to the last day of the month printed)', () => {
  it.each([
    ['2026-11-30T23:59:59+01:00', '2611', undefined, undefined],
    ['2026-12-01T00:00:00+01:00', '2611', undefined, DeclineReason.CardExpired],
    ['2026-11-15T12:00:00+01:00', '2611', '2612', DeclineReason.ExpiryMismatch],
    ['2026-11-15T12:00:00+01:00', '2611', '2611', undefined],
  ] as const)('at %s, card %s, field 14 %s -> %s', (iso, expiry, field14, expected) => {
    expect(checkCardExpiry(expiry, field14, at(iso), 'Europe/Paris')).toBe(expected);
  });
});

describe('hold expiry (24-hour days from the authorisation)', () => {
  const standard = program('eur-standard');
  const authorisedAt = at('2026-10-20T10:00:00+02:00');
  it('seed 004 clause 10.3: 15 x 24 h for a pre-authorisation, across the October DST change', () => {
    expect(holdDays(standard, { preAuthorisation: true, mcc: '5411' })).toBe(15);
    // 15 x 24 h later is 09:00 Paris wall-clock time, since the clocks went back one hour on 2026-10-25.
    expect(holdExpiresAt(standard, { preAuthorisation: true, mcc: '5411' }, authorisedAt)).toBe(
      at('2026-11-04T09:00:00+01:00'),
    );
  });
  it('7 days for an ordinary hold (our choice), 15 for hotel, car rental and cruise categories', () => {
    expect(holdDays(standard, { preAuthorisation: false, mcc: '5411' })).toBe(7);
    for (const mcc of ['7011', '3501', '3999', '3351', '3441', '7512', '4411']) {
      expect(holdDays(standard, { preAuthorisation: false, mcc })).toBe(15);
    }
    expect(holdDays(standard, { preAuthorisation: false, mcc: '3442' })).toBe(7);
  });
});
