import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '@lib/config';
import { GatewayUnderTest, startGateway } from '../testing/sim-harness';

/** `npm run sim` as a process, against the real gateway booted in this test. */
jest.setTimeout(120_000);

const root = findRepoRoot();

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'run-ts.js'), join(root, 'apps', 'network-sim', 'src', 'cli', 'sim-cli.ts'), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let gateway: GatewayUnderTest;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway?.close());

it('runs a scenario file for the given duration and rate, prints the summary and writes the clearing file', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sim-cli-'));
  const run = await runCli(['--scenario', 'bad-actors', '--duration', '4', '--rate', '60', '--reconciliation-wait', '0', '--out', out], {
    NETWORK_SIM_GATEWAY_TCP_PORT: String(gateway.tcpPort),
    NETWORK_SIM_GATEWAY_HTTP_PORT: String(gateway.httpPort),
    SETTLEMENT_HTTP_PORT: '9',
  });
  expect(run.stderr).not.toMatch(/failed/);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('== network simulator: scenario bad-actors (seed 6, tcp link)');
  expect(run.stdout).toMatch(/expectations \(codes the scenario planned for\)\n {2}(\d+) of \1 met; 0 mismatches/);
  expect(run.stdout).toMatch(/55 +incorrect PIN/);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  // About 60 messages a second for 4 seconds.
  const sent = Object.values(summary.sentByMti as Record<string, number>).reduce((a, b) => a + b, 0);
  expect(sent).toBeGreaterThan(180);
  expect(sent).toBeLessThan(300);
  expect(readdirSync(join(out, 'clearing')).some((name) => /^CLR-\d{8}-\d{5}\.jsonl$/.test(name))).toBe(true);
});

it('stops with one line naming the file and key of a bad scenario, or the unknown scenario', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-bad-'));
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, 'name: broken\npersonas:\n  - name: x\n    program: eur-standard\n    cards: [physical]\n    funding: { EUR: "50.00" }\n    behaviours: [{ kind: pos-purchase, perDay: lots, amount: ["1.00", "2.00"] }]\n');
  const bad = await runCli(['--scenario', file]);
  expect(bad.code).toBe(2);
  expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^network-sim: .*broken\.yaml: personas\[0\]\.behaviours\[0\]\.perDay: must be a number between 0 and 1000, got "lots"$/)]);
  const unknown = await runCli(['--scenario', 'no-such-scenario']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr.trim()).toMatch(/^network-sim: no-such-scenario: no such scenario \(known: bad-actors, bnpl, everyday, hotel-car, mixed, network, travel\)$/);
  expect(existsSync(join(dir, 'clearing'))).toBe(false);
});
