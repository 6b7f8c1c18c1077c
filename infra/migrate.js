#!/usr/bin/env node
// Applies the SQL migrations of apps/settlement/migrations (NNNN_name.sql, in order), each once,
// each in its own transaction, recorded in schema_migrations. A session advisory lock keeps two
// concurrent runs from applying the same file. Connection from the environment (config/infra.env).
'use strict';
const fs = require('fs');
const path = require('path');
const { Client } = require('pg');

const MIGRATIONS_DIR = process.env.MIGRATIONS_DIR ?? path.join(__dirname, '..', 'apps', 'settlement', 'migrations');
const LOCK_KEY = 8583;

async function migrate(client, dir = MIGRATIONS_DIR) {
  await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const files = fs.readdirSync(dir).filter((f) => /^\d{4}_[a-z0-9_-]+\.sql$/.test(f)).sort();
    const done = [];
    for (const file of files) {
      const version = file.replace(/\.sql$/, '');
      if (applied.has(version)) continue;
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
        done.push(version);
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${err.message}`);
      }
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
  }
}

async function main() {
  const client = new Client({
    host: process.env.POSTGRES_HOST ?? '127.0.0.1',
    port: Number(process.env.POSTGRES_PORT ?? 15432),
    database: process.env.POSTGRES_DB ?? 'card_engine',
    user: process.env.POSTGRES_USER ?? 'card_engine',
    password: process.env.POSTGRES_PASSWORD,
  });
  await client.connect();
  try {
    const done = await migrate(client);
    console.error(done.length ? `[infra] migrations applied: ${done.join(', ')}` : '[infra] migrations: up to date');
  } finally {
    await client.end();
  }
}

module.exports = { migrate };
if (require.main === module) main().catch((err) => { console.error(`[infra] ${err.message}`); process.exit(1); });
