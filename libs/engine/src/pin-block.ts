import { createCipheriv, createDecipheriv } from 'crypto';

/**
 * ISO 9564 format-0 PIN blocks under the zone PIN key (network-interface.md field 52: 16 hex,
 * encrypted with 3DES). Clear block = `0` + PIN length + PIN + `F` padding, XOR `0000` + the 12
 * rightmost PAN digits excluding the check digit. A double-length key is used as K1 K2 K1.
 */
function tripleDesKey(zoneKeyHex: string): Buffer {
  if (!/^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{48})$/.test(zoneKeyHex)) throw new Error('the zone PIN key must be 32 or 48 hex digits');
  const key = Buffer.from(zoneKeyHex, 'hex');
  return key.length === 16 ? Buffer.concat([key, key.subarray(0, 8)]) : key;
}

function panBlock(pan: string): Buffer {
  const digits = pan.slice(-13, -1).padStart(12, '0');
  return Buffer.from(`0000${digits}`, 'hex');
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(8);
  for (let i = 0; i < 8; i++) out[i] = a[i] ^ b[i];
  return out;
}

export class PinBlockCodec {
  private readonly key: Buffer;

  constructor(zoneKeyHex: string) {
    this.key = tripleDesKey(zoneKeyHex);
  }

  /** For the simulator and tests: the encrypted block a terminal would send. */
  encode(pin: string, pan: string): string {
    if (!/^\d{4,12}$/.test(pin)) throw new Error('a PIN has 4 to 12 digits');
    const clear = Buffer.from(`0${pin.length.toString(16)}${pin}`.padEnd(16, 'F'), 'hex');
    const cipher = createCipheriv('des-ede3', this.key, null).setAutoPadding(false);
    return Buffer.concat([cipher.update(xor(clear, panBlock(pan))), cipher.final()]).toString('hex').toUpperCase();
  }

  /** The PIN of a block, or undefined when the block is not a valid format-0 block for this PAN. */
  decode(blockHex: string, pan: string): string | undefined {
    if (!/^[0-9A-Fa-f]{16}$/.test(blockHex)) return undefined;
    const decipher = createDecipheriv('des-ede3', this.key, null).setAutoPadding(false);
    const clear = xor(Buffer.concat([decipher.update(Buffer.from(blockHex, 'hex')), decipher.final()]), panBlock(pan)).toString('hex').toUpperCase();
    const length = parseInt(clear[1], 16);
    if (clear[0] !== '0' || length < 4 || length > 12) return undefined;
    const pin = clear.slice(2, 2 + length);
    const padding = clear.slice(2 + length);
    return /^\d+$/.test(pin) && /^F*$/.test(padding) ? pin : undefined;
  }
}
