/**
 * vitest globalSetup: one Kafka and one Redis for the whole run (tests isolate themselves with unique
 * topic, group and key prefixes), handed to test files through `inject('brokers')`.
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startLocalBrokers } from './brokers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    brokers: { kafkaBrokers: string; redisUrl: string; source: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const brokers = await startLocalBrokers();
  process.stderr.write(
    `[brokers] ${brokers.source}: KAFKA_BROKERS=${brokers.kafkaBrokers} REDIS_URL=${brokers.redisUrl} (${Date.now() - started} ms)\n`,
  );
  project.provide('brokers', {
    kafkaBrokers: brokers.kafkaBrokers,
    redisUrl: brokers.redisUrl,
    source: brokers.source,
  });
  return () => brokers.release();
}
