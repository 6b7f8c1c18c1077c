#!/usr/bin/env node
// Kafka readiness for infra/infra.sh: waits until the admin client's describeCluster answers,
// then creates the spec's topics (config/kafka-topics.json) that are missing, with their
// partitions. Exits 0 when ready, 1 on timeout. Connection from the environment (config/infra.env).
'use strict';
const { Kafka, logLevel } = require('kafkajs');
const path = require('path');

const timeoutMs = Number(argValue('--timeout-ms') ?? 90000);
const broker = `${process.env.KAFKA_HOST ?? '127.0.0.1'}:${process.env.KAFKA_PORT ?? '19092'}`;
const { topics } = require(path.join(__dirname, '..', 'config', 'kafka-topics.json'));

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const deadline = Date.now() + timeoutMs;
  const kafka = new Kafka({ clientId: 'infra-ready', brokers: [broker], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 2000 });
  let lastError;
  while (Date.now() < deadline) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === 0 || cluster.controller == null) throw new Error('no broker registered yet');
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.name));
      if (missing.length > 0) {
        await admin.createTopics({ waitForLeaders: true, topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })) });
        console.error(`[infra] created topics: ${missing.map((t) => `${t.name}(${t.partitions})`).join(', ')}`);
      }
      await admin.disconnect();
      return;
    } catch (err) {
      lastError = err;
      await admin.disconnect().catch(() => undefined);
      await sleep(500);
    }
  }
  console.error(`[infra] kafka at ${broker} not ready after ${timeoutMs} ms: ${lastError && lastError.message}`);
  process.exit(1);
}
main().catch((err) => { console.error(`[infra] ${err.stack}`); process.exit(1); });
