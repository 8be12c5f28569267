import path from 'node:path';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { startContainerBrokers } from './containers.js';

export interface FileBrokers {
  kafkaBrokers: string;
  redisUrl: string;
  /** env, containers or local. */
  source: string;
}

/** Long enough for two Kafka containers starting at once on a busy 2-core machine. */
const CONTAINERS_TIMEOUT_MS = 180_000;

/**
 * The Kafka and Redis a test file uses. Call at the top level of the file; the fields are filled in by
 * a beforeAll hook. When the run uses containers (see global-setup.ts), the file gets its own Kafka and
 * Redis containers, started here and removed in afterAll — also when the file's tests fail. Otherwise
 * the run's shared brokers (KAFKA_BROKERS / REDIS_URL, or local processes).
 */
export function useBrokers(): FileBrokers {
  const handle: FileBrokers = { kafkaBrokers: '', redisUrl: '', source: '' };
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const provided = inject('brokers');
    if (provided.source !== 'containers') {
      Object.assign(handle, provided);
      return;
    }
    const { testPath } = expect.getState();
    const label = testPath ? path.basename(testPath).replace(/\.test\.ts$/, '') : 'test';
    const brokers = await startContainerBrokers({ label, runId: provided.runId });
    release = () => brokers.release();
    Object.assign(handle, {
      kafkaBrokers: brokers.kafkaBrokers,
      redisUrl: brokers.redisUrl,
      source: brokers.source,
    });
  }, CONTAINERS_TIMEOUT_MS);
  afterAll(async () => {
    await release?.();
  }, 60_000);
  return handle;
}
