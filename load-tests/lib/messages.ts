/**
 * One contactless purchase from a phone's device wallet (network-interface.md, the JSON of
 * POST /v1/network/messages): 0100, field 22 = 071, 48 DV=Y, a fresh TI, and a message identity
 * (MTI, 32, 11, 7) unique to the VU and its iteration, so no message is taken for a retry.
 */
export interface LoadCard {
  readonly pan: string;
  readonly expiry: string;
}

export interface PurchaseJson {
  readonly mti: '0100';
  readonly fields: Record<string, string | Record<string, string>>;
}

const pad = (value: number | string, width: number): string => String(value).padStart(width, '0');

/** Field 7: MMDDhhmmss, UTC. */
export function transmission(at: Date): string {
  return pad(at.getUTCMonth() + 1, 2) + pad(at.getUTCDate(), 2) + pad(at.getUTCHours(), 2) + pad(at.getUTCMinutes(), 2) + pad(at.getUTCSeconds(), 2);
}

export function purchase(card: LoadCard, o: { runTag: string; vu: number; iteration: number; amountMinor: number; at: Date }): PurchaseJson {
  const field7 = transmission(o.at);
  const stan = pad(o.iteration % 1_000_000, 6);
  return {
    mti: '0100',
    fields: {
      2: card.pan,
      3: '000000',
      4: pad(o.amountMinor, 12),
      7: field7,
      11: stan,
      12: field7.slice(4),
      13: field7.slice(0, 4),
      14: card.expiry,
      18: '5411',
      19: '250',
      22: '071',
      25: '00',
      32: `7${pad(o.vu % 100_000, 5)}`,
      37: `${pad(o.vu % 1_000_000, 6)}${stan}`,
      41: 'K6TERM01',
      42: 'K6LOADMERCHANT1',
      43: 'K6 LOAD SUPERMARKET      PARIS        FR',
      48: { TI: `${o.runTag}${pad(o.vu % 10_000, 4)}${pad(o.iteration % 1_000_000, 6)}`, DV: 'Y' },
      49: '978',
    },
  };
}

/** Amounts between 1.00 and 4.99 EUR, spread by VU and iteration (19 of them stay below 100 EUR). */
export function amountMinorOf(vu: number, iteration: number): number {
  return 100 + ((vu * 7919 + iteration * 104_729) % 400);
}
