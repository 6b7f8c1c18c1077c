import { createDecipheriv } from 'crypto';
import { PinBlockCodec } from './pin-block';

describe('PinBlockCodec (ISO 9564 format 0, 3DES)', () => {
  const codec = new PinBlockCodec('0123456789ABCDEFFEDCBA9876543210');
  const pan = '4999990000000001';

  it('round-trips a PIN bound to its PAN', () => {
    const block = codec.encode('123456', pan);
    expect(block).toMatch(/^[0-9A-F]{16}$/);
    expect(codec.decode(block, pan)).toBe('123456');
  });

  it('matches the hand-computed clear block under the K1 K2 K1 key', () => {
    // Clear PIN block 06123456FFFFFFFF XOR PAN block 0000999000000000 = 0612ADC6FFFFFFFF.
    const key = Buffer.from('0123456789ABCDEFFEDCBA98765432100123456789ABCDEF', 'hex');
    const decipher = createDecipheriv('des-ede3', key, null).setAutoPadding(false);
    const block = Buffer.from(codec.encode('123456', pan), 'hex');
    const clear = Buffer.concat([decipher.update(block), decipher.final()]).toString('hex').toUpperCase();
    expect(clear).toBe('0612ADC6FFFFFFFF');
    // Bound to the PAN: another PAN does not give the PIN back.
    expect(codec.decode(block.toString('hex'), '4999990000000019')).not.toBe('123456');
  });

  it('rejects garbage without throwing', () => {
    expect(codec.decode('ZZZZ', pan)).toBeUndefined();
    expect(codec.decode('0000000000000000', pan)).toBeUndefined();
  });
});
