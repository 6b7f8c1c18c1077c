/**
 * `npm run bench:link`: round trips per second over loopback TCP, one connection, 256 requests in
 * flight. This process runs an IsoServer whose handler echoes each 0100 as a 0110 (fields echoed,
 * 39 = 00); a forked child process drives it with an IsoClient, so client and server each have a
 * core (the machine has 2). Target: >= 20,000 round trips/s.
 */
import { fork } from 'child_process';
import * as path from 'path';
import { IsoClient, IsoMessage, IsoServer, buildResponse, messageFromJson } from '@lib/iso8583';
import { loadGoldenVectors } from '../libs/iso8583/src/testing/golden-vectors';

const IN_FLIGHT = 256;
const WARM_UP_MS = 1000;
const MEASURE_MS = 5000;

interface DriverResult {
  readonly roundTrips: number;
  readonly elapsedMs: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly errors: number;
}

async function runServer(): Promise<void> {
  const server = new IsoServer({ host: '127.0.0.1', port: 0, maxInFlightPerConnection: IN_FLIGHT * 2 }, (request) =>
    Promise.resolve(buildResponse(request, '00') as IsoMessage),
  );
  const { port } = await server.listen();
  const child = fork(path.join(__dirname, 'run-ts.js'), [__filename, '--driver', String(port)], { stdio: 'inherit' });
  const result = await new Promise<DriverResult>((resolve, reject) => {
    child.once('message', (message) => resolve(message as DriverResult));
    child.once('exit', (code) => reject(new Error(`driver exited with ${code}`)));
  });
  await server.close(1000);
  const rate = result.roundTrips / (result.elapsedMs / 1000);
  console.log(`bench:link  node ${process.version}, 1 connection, ${IN_FLIGHT} in flight, 0100 -> 0110 echo, ${MEASURE_MS} ms after ${WARM_UP_MS} ms warm-up`);
  console.log(`  round trips/s: ${Math.round(rate)} (target >= 20,000: ${rate >= 20_000 ? 'met' : 'NOT met'})`);
  console.log(`  latency p50 ${result.latencyP50Ms.toFixed(2)} ms, p99 ${result.latencyP99Ms.toFixed(2)} ms; errors ${result.errors}`);
  console.log(`  server: ${server.metrics.requestsDispatched} dispatched, ${server.metrics.responsesWritten} written, ${server.metrics.backpressurePauses} backpressure pauses`);
}

async function runDriver(port: number): Promise<void> {
  const template = messageFromJson(loadGoldenVectors().find((v) => v.file === '0100-purchase.json')!.message);
  const client = new IsoClient({ host: '127.0.0.1', port, reconnect: false, maxInFlight: IN_FLIGHT });
  await client.connect();
  let stan = 0;
  let measuring = false;
  let stopping = false;
  let roundTrips = 0;
  let errors = 0;
  const latenciesMs: number[] = [];

  const loop = async (): Promise<void> => {
    while (!stopping) {
      stan = (stan % 999_999) + 1;
      const request = template.clone().set(11, String(stan).padStart(6, '0'));
      const sentAt = process.hrtime.bigint();
      try {
        await client.send(request, { timeoutMs: 10_000 });
        if (measuring) {
          roundTrips++;
          latenciesMs.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
        }
      } catch {
        errors++;
      }
    }
  };
  const loops = Array.from({ length: IN_FLIGHT }, () => loop());
  await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
  measuring = true;
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
  measuring = false;
  const elapsedMs = Date.now() - started;
  stopping = true;
  await Promise.all(loops);
  await client.close();
  latenciesMs.sort((a, b) => a - b);
  const percentile = (p: number): number => latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(latenciesMs.length * p))] ?? 0;
  const result: DriverResult = { roundTrips, elapsedMs, latencyP50Ms: percentile(0.5), latencyP99Ms: percentile(0.99), errors };
  process.send?.(result);
}

const driverIndex = process.argv.indexOf('--driver');
const main = driverIndex === -1 ? runServer() : runDriver(Number(process.argv[driverIndex + 1]));
main.catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
