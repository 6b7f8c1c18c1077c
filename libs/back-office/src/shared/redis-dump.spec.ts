import { numericTokens } from './redis-dump';

describe('numericTokens', () => {
  it('finds a number stored alone, as a field or inside JSON, not the digits of a hex id or UUID', () => {
    const tokens = numericTokens([
      '947',
      '{"cvv2":"731","at":1768507200000}',
      'pin=583920',
      '07b4b82d-d35a-44fb-a53b-947e8611da43',
      'acc_3d9db3fbde1cb847ab8af265',
      '1768507200000-0',
    ]);
    expect([...tokens].sort()).toEqual(['0', '1768507200000', '583920', '731', '947'].sort());
    expect(tokens.has('8611')).toBe(false);
  });
});
