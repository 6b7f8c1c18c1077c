import { ChildProcess, spawn } from 'node:child_process';
import { AddressInfo, createServer, Socket } from 'node:net';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { findRepoRoot } from '@lib/config';
import { loadProgramCatalogue, ProgramCatalogue } from '@lib/programs';
import { bootApp, integrationConfig } from '@lib/testing';
import { gatewayApp } from '../../../gateway/src/gateway.app';
import { NetworkLinkService } from '../../../gateway/src/network/network-link.service';
import { BackOfficeClient } from '../issuer/back-office-client';
import { HttpClient } from '../issuer/http-client';
import { runSimulation, SimulationOptions, SimulationResult } from '../runtime/simulation';
import { parseScenario } from '../scenario/parse-scenario';

/**
 * Integration-test helpers: the real gateway booted in-process (HTTP and TCP on free ports) and a
 * simulator run against it; a private Redis for tests that move the shared simulated clock (it
 * never goes backwards, so moving the shared one would move every other user's).
 */
export interface GatewayUnderTest {
  readonly app: NestFastifyApplication;
  readonly httpPort: number;
  readonly tcpPort: number;
  readonly backOffice: BackOfficeClient;
  close(): Promise<void>;
}

export const catalogue: ProgramCatalogue = loadProgramCatalogue(join(findRepoRoot(), 'config'));

export async function startGateway(env: NodeJS.ProcessEnv = {}): Promise<GatewayUnderTest> {
  const app = await bootApp(gatewayApp, { ...process.env, GATEWAY_TCP_PORT: '0', ...env });
  await app.listen(0, '127.0.0.1');
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const tcpPort = app.get(NetworkLinkService).server.address().port;
  const config = integrationConfig();
  const http = new HttpClient(`http://127.0.0.1:${httpPort}`);
  const backOffice = new BackOfficeClient(http, new HttpClient('http://127.0.0.1:9'), config.security.backOfficeKeys[0]);
  return {
    app,
    httpPort,
    tcpPort,
    backOffice,
    close: async () => {
      http.close();
      await app.close();
    },
  };
}

export async function simulate(
  gateway: GatewayUnderTest,
  yaml: string,
  options: Partial<Omit<SimulationOptions, 'scenario'>> & { settlementUrl?: string } = {},
): Promise<SimulationResult> {
  const parsed = parseScenario(yaml, 'test-scenario.yaml');
  if (!parsed.ok) throw new Error(parsed.error);
  const config = integrationConfig();
  const lines: string[] = [];
  return runSimulation({
    scenario: parsed.scenario,
    catalogue,
    seed: parsed.scenario.seed,
    durationSeconds: 60,
    ratePerSecond: 0,
    accelerate: 0,
    driver: 'tcp',
    gateway: { host: '127.0.0.1', tcpPort: gateway.tcpPort, httpPort: gateway.httpPort },
    // No settlement in these tests: reconciliation is reported unavailable.
    settlementUrl: 'http://127.0.0.1:9',
    backOfficeKey: config.security.backOfficeKeys[0],
    zonePinKey: config.security.zonePinKey,
    maxInFlight: 32,
    connections: 1,
    clearingDir: null,
    postClearing: true,
    reconciliationWaitMs: 0,
    log: (line) => lines.push(line),
    ...options,
  });
}

/** A Redis server of the test's own (no persistence), stopped by its pid. */
export interface PrivateRedis {
  readonly port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`private redis-server on ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
