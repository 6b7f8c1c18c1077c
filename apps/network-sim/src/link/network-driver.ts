import { IsoMessage, messageToJson, pack } from '@lib/iso8583';

/**
 * How the simulator reaches the gateway: the ISO 8583 TCP link (the network's real path) or the
 * JSON HTTP route. Both answer the same messages with the same responses.
 */
export interface NetworkDriver {
  readonly kind: 'tcp' | 'http';
  start(): Promise<void>;
  /** Rejects with IsoTimeoutError when no answer came within timeoutMs, or another error. */
  send(message: IsoMessage, timeoutMs: number): Promise<IsoMessage>;
  /** Sends the message with field 4 corrupted (letters in a numeric field); answers the 30 response. */
  sendMalformed(message: IsoMessage, timeoutMs: number): Promise<IsoMessage>;
  stop(): Promise<void>;
  /** Link counters for the summary (connects, echoes, late replies...). */
  metrics(): Readonly<Record<string, number>>;
}

/** Field 4 of a packed message with its last two digits replaced by letters. Pure. */
export function corruptAmount(message: IsoMessage): Buffer {
  const packed = Buffer.from(pack(message));
  const secondaryBitmap = [...message.fields.keys()].some((field) => field > 64);
  const pan = message.get(2) ?? '';
  const field4End = 4 + (secondaryBitmap ? 32 : 16) + (message.has(2) ? 2 + pan.length : 0) + (message.has(3) ? 6 : 0) + 12;
  packed.write('AB', field4End - 2, 'ascii');
  return packed;
}

/** The route's JSON of the message with field 4 corrupted the same way. */
export function corruptAmountJson(message: IsoMessage): ReturnType<typeof messageToJson> {
  const json = messageToJson(message);
  const amount = String(json.fields['4'] ?? '000000000000');
  json.fields['4'] = `${amount.slice(0, -2)}AB`;
  return json;
}
