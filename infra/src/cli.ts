/**
 * `npm run infra:up` starts Kafka and Redis as background processes and prints where they are;
 * `npm run infra:down` stops what `up` started. `KAFKA_BROKERS` / `REDIS_URL`, when set, are used
 * as they are and nothing is started for them.
 */
import { startKafka } from './kafka.js';
import { portPreferring } from './net.js';
import { stopPid } from './process.js';
import { startRedis } from './redis.js';
import { readRunState, writeRunState, type RunState } from './state.js';
import fs from 'node:fs';

const STATE = 'infra';

async function up(): Promise<void> {
  const existing = readRunState(STATE);
  if (existing) {
    console.log(`already up: KAFKA_BROKERS=${existing.kafka?.brokers} REDIS_URL=${existing.redis?.url}`);
    return;
  }
  const state: RunState = {};
  if (process.env.KAFKA_BROKERS) {
    state.kafka = { brokers: process.env.KAFKA_BROKERS, external: true };
  } else {
    const kafka = await startKafka({ port: await portPreferring(9092), detached: true, log: console.log });
    state.kafka = { brokers: kafka.brokers, pid: kafka.process.pid, dir: kafka.dir, external: false };
  }
  if (process.env.REDIS_URL) {
    state.redis = { url: process.env.REDIS_URL, external: true };
  } else {
    const redis = await startRedis({ detached: true });
    state.redis = { url: redis.url, pid: redis.process.pid, dir: redis.dir, external: false };
  }
  writeRunState(STATE, state);
  console.log(`KAFKA_BROKERS=${state.kafka.brokers}`);
  console.log(`REDIS_URL=${state.redis.url}`);
}

async function down(): Promise<void> {
  const state = readRunState(STATE);
  if (!state) {
    console.log('nothing to stop');
    return;
  }
  for (const part of [state.kafka, state.redis]) {
    if (!part || part.external || part.pid === undefined) continue;
    await stopPid(part.pid, 20_000);
    if (part.dir) fs.rmSync(part.dir, { recursive: true, force: true });
  }
  writeRunState(STATE, undefined);
  console.log('stopped Kafka and Redis');
}

const command = process.argv[2];
const run = command === 'up' ? up : command === 'down' ? down : undefined;
if (!run) {
  console.error('usage: infra (up|down)');
  process.exit(2);
}
run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
