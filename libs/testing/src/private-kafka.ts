import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { Kafka, logLevel } from 'kafkajs';
import { findRepoRoot, KafkaConfig } from '@lib/config';

/**
 * A private, single-node KRaft Kafka broker for tests that must stop and restart a broker (Kafka
 * outages). The shared broker of infra/infra.sh is never touched: this one uses the same jars
 * (`.infra/kafka/libs`, resolved by `infra.sh install`), but its own free ports, its own data
 * directory under the OS temp folder, and it is stopped only by the pid it was started with.
 */
export interface PrivateKafkaTopic {
  name: string;
  partitions: number;
}

export interface PrivateKafkaOptions {
  /** PLAINTEXT port; a free port is picked when absent. */
  port?: number;
  /** KRaft controller port; a free port is picked when absent. */
  controllerPort?: number;
  heapMb?: number;
  /** Topics created once the broker is ready (auto-creation is off, as on the shared broker). */
  topics?: PrivateKafkaTopic[];
  readyTimeoutMs?: number;
}

const HOST = '127.0.0.1';
const DEFAULT_HEAP_MB = 512;
const DEFAULT_READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;

export class PrivateKafka {
  private child: ChildProcess | null = null;
  private readonly killOnExit = () => this.child?.kill('SIGKILL');

  private constructor(
    readonly port: number,
    readonly controllerPort: number,
    /** Temp folder holding data, logs and properties; removed by destroy(). */
    readonly baseDir: string,
    private readonly heapMb: number,
    private readonly readyTimeoutMs: number,
  ) {}

  /** Formats a fresh data directory, starts the broker, waits until ready, creates the topics. */
  static async start(options: PrivateKafkaOptions = {}): Promise<PrivateKafka> {
    const port = options.port ?? (await freePort());
    const controllerPort = options.controllerPort ?? (await freePort());
    const baseDir = mkdtempSync(join(tmpdir(), 'private-kafka-'));
    const broker = new PrivateKafka(
      port,
      controllerPort,
      baseDir,
      options.heapMb ?? DEFAULT_HEAP_MB,
      options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    );
    try {
      broker.writeProperties();
      await broker.formatStorage();
      await broker.resume();
      if (options.topics?.length) await broker.createTopics(options.topics);
      return broker;
    } catch (err) {
      await broker.destroy();
      throw err;
    }
  }

  get config(): KafkaConfig {
    return { host: HOST, port: this.port };
  }

  get brokerAddress(): string {
    return `${HOST}:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the broker on the existing data directory (after stop(): a restart) and waits until ready. */
  async resume(): Promise<void> {
    if (this.running) return;
    const logFd = openSync(join(this.baseDir, 'stdout.log'), 'a');
    try {
      this.child = spawn('java', [...this.jvmArgs(), 'kafka.Kafka', this.propertiesFile], {
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    // A test process that dies must not leave a JVM behind.
    process.once('exit', this.killOnExit);
    await this.waitUntilReady();
  }

  /**
   * Stops the broker by its pid: SIGTERM (clean shutdown, as an operator would) or SIGKILL (a
   * crash). After the grace period a SIGTERM is followed by SIGKILL.
   */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited.finally(() => clearTimeout(timer));
    process.removeListener('exit', this.killOnExit);
  }

  async createTopics(topics: PrivateKafkaTopic[]): Promise<void> {
    const admin = this.kafka('private-kafka-admin').admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: topics.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** Stops the broker (SIGKILL: the data is thrown away) and removes its folder. */
  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.baseDir, { recursive: true, force: true });
  }

  /** The last lines of the broker's output, to explain a failure. */
  logTail(lines = 30): string {
    const file = join(this.baseDir, 'stdout.log');
    if (!existsSync(file)) return '';
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  }

  private kafka(clientId: string): Kafka {
    return new Kafka({
      clientId,
      brokers: [this.brokerAddress],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 1000,
    });
  }

  private get propertiesFile(): string {
    return join(this.baseDir, 'server.properties');
  }

  private jvmArgs(): string[] {
    const libs = join(process.env.INFRA_STATE_DIR ?? join(findRepoRoot(), '.infra'), 'kafka', 'libs');
    if (!existsSync(libs))
      throw new Error(`Kafka jars not found in ${libs}: run bash infra/infra.sh install`);
    return [
      '-Xms128m',
      `-Xmx${this.heapMb}m`,
      '-XX:+UseG1GC',
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${join(this.baseDir, 'log4j.properties')}`,
      `-Dkafka.logs.dir=${join(this.baseDir, 'logs')}`,
      '-cp',
      `${libs}/*`,
    ];
  }

  /** The shared broker's properties (infra/infra.sh), with this broker's ports and folders. */
  private writeProperties(): void {
    mkdirSync(join(this.baseDir, 'data'), { recursive: true });
    mkdirSync(join(this.baseDir, 'logs'), { recursive: true });
    const properties = [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@${HOST}:${this.controllerPort}`,
      `listeners=PLAINTEXT://${HOST}:${this.port},CONTROLLER://${HOST}:${this.controllerPort}`,
      `advertised.listeners=PLAINTEXT://${HOST}:${this.port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${join(this.baseDir, 'data')}`,
      'num.partitions=3',
      'auto.create.topics.enable=false',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'num.network.threads=2',
      'num.io.threads=2',
      // After a crash the restarted broker waits for its old session to expire: keep that short.
      'broker.session.timeout.ms=3000',
      'broker.heartbeat.interval.ms=500',
    ];
    writeFileSync(this.propertiesFile, properties.join('\n') + '\n');
    const log4j = [
      'log4j.rootLogger=WARN, file',
      'log4j.appender.file=org.apache.log4j.FileAppender',
      `log4j.appender.file.File=${join(this.baseDir, 'logs', 'server.log')}`,
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    ];
    writeFileSync(join(this.baseDir, 'log4j.properties'), log4j.join('\n') + '\n');
  }

  private async formatStorage(): Promise<void> {
    const clusterId = randomBytes(16).toString('base64url').slice(0, 22);
    const args = [
      ...this.jvmArgs(),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      this.propertiesFile,
      '--ignore-formatted',
    ];
    const code = await new Promise<number | null>((resolve, reject) => {
      const format = spawn('java', args, { stdio: 'ignore' });
      format.once('error', reject);
      format.once('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0) throw new Error(`Kafka storage format failed with exit code ${code} in ${this.baseDir}`);
  }

  /** Ready = the admin client's describeCluster names a broker and a controller (as infra/kafka-ready.js). */
  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + this.readyTimeoutMs;
    let lastError = 'not tried';
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`private Kafka exited during startup:\n${this.logTail()}`);
      const admin = this.kafka('private-kafka-ready').admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length > 0 && cluster.controller !== null) return;
        lastError = 'no broker registered yet';
      } catch (err) {
        lastError = (err as Error).message;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(
      `private Kafka on ${this.brokerAddress} not ready after ${this.readyTimeoutMs} ms (${lastError}):\n${this.logTail()}`,
    );
  }
}

/** A port nobody listens on now (the OS picks it; the broker binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
