/**
 * `npm run sim -- --scenario <name> [--duration 60] [--rate 200] [--accelerate <simulated s per
 * real s>] ...`: the flags, parsed without I/O. Unset flags take the scenario file's `run:` values.
 */
export interface CliOptions {
  readonly scenario: string;
  readonly durationSeconds?: number;
  readonly ratePerSecond?: number;
  readonly accelerate?: number;
  readonly driver?: 'tcp' | 'http';
  readonly seed?: number;
  readonly cardholders?: number;
  readonly days?: number;
  readonly maxInFlight?: number;
  readonly connections?: number;
  readonly outDir?: string;
  readonly postClearing: boolean;
  readonly summaryJson?: string;
  readonly reconciliationWaitSeconds: number;
  readonly strict: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: npm run sim -- --scenario <name|file.yaml> [options]

  --scenario <name>          a file of apps/network-sim/scenarios (everyday, travel, hotel-car, bnpl, network, bad-actors, mixed) or a path
  --duration <seconds>       real seconds of traffic (default: the scenario's run.duration)
  --rate <per second|max>    network messages per second; max (or 0) = as fast as possible
  --accelerate <factor>      simulated seconds per real second on the gateway's shared clock
                             (POST /v1/clock; the gateway runs with CLOCK_SIMULATED=true); 0 = real clock
  --driver tcp|http          the ISO 8583 TCP link (default) or POST /v1/network/messages
  --seed <n>                 the plan's seed (default: the scenario's)
  --cardholders <n>          population size (default: the scenario's in accelerated runs; sized to the rate on the real clock)
  --days <n>                 simulated days to plan (default: duration x accelerate / 86400)
  --max-in-flight <n>        messages in flight at once (default: the scenario's)
  --connections <n>          TCP connections (default: the scenario's)
  --out <dir>                where clearing files and the summary go (default .infra/network-sim/<scenario>-<time>)
  --no-post-clearing         write the clearing files but do not post them
  --summary-json <file>      also write the summary as JSON
  --reconciliation-wait <s>  wait up to this long for settlement to reconcile (default 20)
  --strict                   exit 1 when an answer differs from what the scenario expects
`;

export type ParsedCli = { readonly ok: true; readonly options: CliOptions } | { readonly ok: false; readonly error: string };

function positiveNumber(flag: string, value: string | undefined, integer: boolean, allowZero: boolean): number | string {
  if (value === undefined || value.startsWith('--')) return `${flag} needs a value`;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0) || (integer && !Number.isInteger(n))) {
    return `${flag} must be ${integer ? 'an integer' : 'a number'} ${allowZero ? '>= 0' : '> 0'}, got ${JSON.stringify(value)}`;
  }
  return n;
}

export function parseCliArgs(argv: readonly string[]): ParsedCli {
  const options: { -readonly [K in keyof CliOptions]?: CliOptions[K] } = { postClearing: true, reconciliationWaitSeconds: 20, strict: false, help: false };
  const numeric: Record<string, { key: keyof CliOptions; integer: boolean; allowZero: boolean }> = {
    '--duration': { key: 'durationSeconds', integer: false, allowZero: false },
    '--accelerate': { key: 'accelerate', integer: false, allowZero: true },
    '--seed': { key: 'seed', integer: true, allowZero: true },
    '--cardholders': { key: 'cardholders', integer: true, allowZero: false },
    '--days': { key: 'days', integer: false, allowZero: false },
    '--max-in-flight': { key: 'maxInFlight', integer: true, allowZero: false },
    '--connections': { key: 'connections', integer: true, allowZero: false },
    '--reconciliation-wait': { key: 'reconciliationWaitSeconds', integer: false, allowZero: true },
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag in numeric) {
      const spec = numeric[flag];
      const parsed = positiveNumber(flag, value, spec.integer, spec.allowZero);
      if (typeof parsed === 'string') return { ok: false, error: parsed };
      (options as Record<string, unknown>)[spec.key] = parsed;
      i++;
      continue;
    }
    switch (flag) {
      case '--scenario':
      case '--out':
      case '--summary-json':
        if (value === undefined || value.startsWith('--')) return { ok: false, error: `${flag} needs a value` };
        if (flag === '--scenario') options.scenario = value;
        else if (flag === '--out') options.outDir = value;
        else options.summaryJson = value;
        i++;
        break;
      case '--rate': {
        if (value === 'max') options.ratePerSecond = 0;
        else {
          const parsed = positiveNumber(flag, value, false, true);
          if (typeof parsed === 'string') return { ok: false, error: `${parsed} (or max)` };
          options.ratePerSecond = parsed;
        }
        i++;
        break;
      }
      case '--driver':
        if (value !== 'tcp' && value !== 'http') return { ok: false, error: `--driver must be tcp or http, got ${JSON.stringify(value ?? '')}` };
        options.driver = value;
        i++;
        break;
      case '--no-post-clearing':
        options.postClearing = false;
        break;
      case '--strict':
        options.strict = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        return { ok: false, error: `unknown option ${JSON.stringify(flag)}` };
    }
  }
  if (options.help) return { ok: true, options: { ...options, scenario: options.scenario ?? '' } as CliOptions };
  if (options.scenario === undefined) return { ok: false, error: '--scenario is required' };
  return { ok: true, options: options as CliOptions };
}
