import { parseCliArgs } from './cli-options';

describe('npm run sim flags', () => {
  it('parses the documented flags', () => {
    const parsed = parseCliArgs(['--scenario', 'mixed', '--duration', '60', '--rate', 'max', '--accelerate', '100000', '--driver', 'http', '--seed', '9', '--no-post-clearing', '--strict']);
    expect(parsed).toEqual({
      ok: true,
      options: { scenario: 'mixed', durationSeconds: 60, ratePerSecond: 0, accelerate: 100_000, driver: 'http', seed: 9, postClearing: false, strict: true, reconciliationWaitSeconds: 20, help: false },
    });
    expect(parseCliArgs(['--scenario', 'x', '--rate', '250'])).toMatchObject({ ok: true, options: { ratePerSecond: 250 } });
  });

  it.each([
    [[], '--scenario is required'],
    [['--scenario'], '--scenario needs a value'],
    [['--scenario', 'x', '--duration', '-1'], '--duration must be a number > 0, got "-1"'],
    [['--scenario', 'x', '--rate', 'fast'], '--rate must be a number >= 0, got "fast" (or max)'],
    [['--scenario', 'x', '--cardholders', '2.5'], '--cardholders must be an integer > 0, got "2.5"'],
    [['--scenario', 'x', '--driver', 'udp'], '--driver must be tcp or http, got "udp"'],
    [['--scenario', 'x', '--colour'], 'unknown option "--colour"'],
  ])('refuses %j: %s', (argv, error) => {
    expect(parseCliArgs(argv)).toEqual({ ok: false, error });
  });
});
