import { createHmac } from 'crypto';

/**
 * Card data is never kept in clear (spec invariant 6): the PAN only as an HMAC-SHA256 under the
 * configured key, PIN and CVV2 only as HMACs bound to the PAN, so a stolen Redis dump reveals
 * nothing usable and a hash of one card cannot verify another's PIN.
 */
export class CardSecrets {
  constructor(private readonly hmacKey: string) {
    if (hmacKey.length < 32) throw new Error('the PAN HMAC key must have at least 32 characters');
  }

  panHash(pan: string): string {
    return createHmac('sha256', this.hmacKey).update(`pan:${pan}`).digest('hex');
  }

  pinCheck(pan: string, pin: string): string {
    return createHmac('sha256', this.hmacKey).update(`pin:${pan}:${pin}`).digest('hex');
  }

  cvv2Check(pan: string, expiry: string, cvv2: string): string {
    return createHmac('sha256', this.hmacKey).update(`cvv2:${pan}:${expiry}:${cvv2}`).digest('hex');
  }
}
