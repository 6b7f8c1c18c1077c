/**
 * `npm run sim -- --scenario <name> [--duration 60] [--rate 200] [--accelerate <factor>]`: plays a
 * scenario against the running gateway (ISO 8583 over TCP, or the HTTP route), writes and posts
 * the daily clearing files, and prints the summary. See docs/simulator.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CONFIG_SECTIONS, ConfigError, findRepoRoot, loadConfig, networkSimConfigSchema, securitySection, settlementConfigSchema } from '@lib/config';
import { loadProgramCatalogue } from '@lib/programs';
import { loadScenario } from '../scenario/load-scenario';
import { runSimulation } from '../runtime/simulation';
import { renderSummary } from '../summary/render-summary';
import { parseCliArgs, USAGE } from './cli-options';

const simulatorConfigSchema = {
  networkSim: networkSimConfigSchema.networkSim,
  settlement: settlementConfigSchema.settlement,
  security: securitySection,
};

function fail(message: string, code = 2): never {
  process.stderr.write(`network-sim: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const parsed = parseCliArgs(process.argv.slice(2));
  if (!parsed.ok) fail(`${parsed.error}\n${USAGE}`);
  const cli = parsed.options;
  if (cli.help) {
    process.stdout.write(USAGE);
    return;
  }
  const root = findRepoRoot();
  const loaded = loadScenario(cli.scenario, root);
  if (!loaded.ok) fail(loaded.error);
  const scenario = loaded.scenario;
  let config;
  try {
    config = loadConfig(simulatorConfigSchema, { otherSections: ALL_CONFIG_SECTIONS });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const catalogue = loadProgramCatalogue(join(root, 'config'));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = cli.outDir ?? join(root, '.infra', 'network-sim', `${scenario.name}-${stamp}`);
  const run = scenario.run;
  const options = {
    scenario,
    catalogue,
    seed: cli.seed ?? scenario.seed,
    durationSeconds: cli.durationSeconds ?? run.durationSeconds,
    ratePerSecond: cli.ratePerSecond ?? run.ratePerSecond,
    accelerate: cli.accelerate ?? run.accelerate,
    driver: cli.driver ?? run.driver,
    gateway: { host: config.networkSim.gatewayHost, tcpPort: config.networkSim.gatewayTcpPort, httpPort: config.networkSim.gatewayHttpPort },
    settlementUrl: `http://${config.settlement.http.host}:${config.settlement.http.port}`,
    backOfficeKey: config.security.backOfficeKeys[0],
    zonePinKey: config.security.zonePinKey,
    cardholders: cli.cardholders,
    days: cli.days,
    maxInFlight: cli.maxInFlight ?? run.maxInFlight,
    connections: cli.connections ?? run.connections,
    clearingDir: join(outDir, 'clearing'),
    postClearing: cli.postClearing,
    reconciliationWaitMs: cli.reconciliationWaitSeconds * 1000,
    log: (line: string) => process.stderr.write(`${line}\n`),
  };
  process.stderr.write(
    `[sim] scenario ${scenario.name} (${scenario.file}): ${options.durationSeconds} s, rate ${options.ratePerSecond || 'max'}/s, ${options.accelerate > 0 ? `accelerated x${options.accelerate}` : 'real clock'}, ${options.driver} to ${options.gateway.host}\n`,
  );
  const { summary } = await runSimulation(options);
  const text = renderSummary(summary);
  process.stdout.write(text);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'summary.txt'), text);
  const json = JSON.stringify(summary, null, 2);
  writeFileSync(join(outDir, 'summary.json'), json);
  if (cli.summaryJson) writeFileSync(cli.summaryJson, json);
  process.stderr.write(`[sim] summary and clearing files in ${outDir}\n`);
  if (cli.strict && summary.expectations.mismatches > 0) process.exit(1);
}

main().then(
  () => process.exit(0),
  (error: Error) => fail(error.message.split('\n')[0], 1),
);
