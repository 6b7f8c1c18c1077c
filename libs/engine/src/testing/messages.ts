import { IsoMessage } from '@lib/iso8583';

/** Builds realistic network requests for tests, the benchmark and the simulator. */
export interface RequestOptions {
  mti?: '0100' | '0200';
  pan: string;
  processingCode?: string;
  amountMinor: bigint | number;
  currencyNumeric?: string;
  stan: number;
  transmission?: string;
  expiry?: string;
  mcc?: string;
  country?: string;
  entryMode?: string;
  condition?: string;
  acquirerId?: string;
  merchantId?: string;
  merchantName?: string;
  pinBlock?: string;
  tags?: Record<string, string>;
}

let tiSequence = 0;
export function freshTransactionId(): string {
  tiSequence = (tiSequence + 1) % 1_000_000;
  return `${Date.now() % 1_000_000_000}`.padStart(9, '0') + String(tiSequence).padStart(6, '0');
}

export function authorisationRequest(o: RequestOptions): IsoMessage {
  const m = new IsoMessage(o.mti ?? '0100');
  m.set(2, o.pan);
  m.setPadded(3, o.processingCode ?? '000000');
  m.setPadded(4, String(o.amountMinor));
  m.setPadded(7, o.transmission ?? '1122101530');
  m.setPadded(11, String(o.stan % 1_000_000));
  m.setPadded(12, '101530');
  m.setPadded(13, '1122');
  if (o.expiry) m.set(14, o.expiry);
  m.setPadded(18, o.mcc ?? '5411');
  m.setPadded(19, o.country ?? '250');
  m.setPadded(22, o.entryMode ?? '051');
  m.setPadded(25, o.condition ?? '00');
  m.set(32, o.acquirerId ?? '12345678');
  m.setPadded(37, `RRN${String(o.stan).padStart(9, '0')}`);
  m.setPadded(41, 'TERM0001');
  m.setPadded(42, o.merchantId ?? 'MERCHANT0000001');
  m.setPadded(43, (o.merchantName ?? 'SUPERMARCHE PARIS').padEnd(25).slice(0, 25) + 'PARIS'.padEnd(13) + 'FR');
  m.field48 = { TI: freshTransactionId(), ...(o.tags ?? {}) };
  m.setPadded(49, o.currencyNumeric ?? '978');
  if (o.pinBlock) m.set(52, o.pinBlock);
  return m;
}
