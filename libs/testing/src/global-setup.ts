/**
 * vitest globalSetup: decides where the run's Kafka and Redis come from and hands that to the test files
 * through `inject('brokers')` (read by `useBrokers()`).
 *
 * TEST_BROKERS chooses:
 *   containers  one Kafka and one Redis container per test file, started by useBrokers() from the
 *               project's images; fails the run if there is no container runtime or no images.
 *   local       KAFKA_BROKERS / REDIS_URL when set, else one Kafka and one Redis as local processes for
 *               the whole run (tests isolate themselves with unique topic, group and key prefixes).
 *   unset/auto  KAFKA_BROKERS / REDIS_URL when either is set; else containers when a runtime with the
 *               images answers; else local processes.
 * A broker that cannot be started fails the run, it never skips tests.
 */
import { randomUUID } from 'node:crypto';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startLocalBrokers } from './brokers.js';
import { KAFKA_IMAGE, REDIS_IMAGE, probeContainerRuntime, removeRunContainers } from './containers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    brokers: { kafkaBrokers: string; redisUrl: string; source: string; runId: string };
  }
}

type Mode = 'containers' | 'local' | 'auto';

function modeFrom(value: string | undefined): Mode {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'containers' || value === 'local') return value;
  throw new Error(`TEST_BROKERS must be containers, local or auto (got "${value}")`);
}

const say = (line: string) => process.stderr.write(`[brokers] ${line}\n`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const env = process.env;
  const mode = modeFrom(env.TEST_BROKERS);
  const runId = randomUUID();

  if (mode === 'containers' || (mode === 'auto' && !env.KAFKA_BROKERS && !env.REDIS_URL)) {
    const probe = await probeContainerRuntime();
    if (probe.ok) {
      say(
        `containers: a Kafka (${KAFKA_IMAGE}) and a Redis (${REDIS_IMAGE}) per test file on ${probe.description} (${Date.now() - started} ms)`,
      );
      project.provide('brokers', { kafkaBrokers: '', redisUrl: '', source: 'containers', runId });
      return async () => {
        // Each file removes its own containers; this catches what a killed worker left.
        const removed = await removeRunContainers(runId).catch((err: unknown) => {
          say(`could not list leftover containers: ${err instanceof Error ? err.message : String(err)}`);
          return 0;
        });
        if (removed > 0) say(`removed ${removed} leftover container(s) of this run`);
      };
    }
    if (mode === 'containers') {
      throw new Error(`TEST_BROKERS=containers, but no usable container runtime: ${probe.reason}`);
    }
    say(`no container runtime (${probe.reason}); using local processes`);
  }

  const brokers = await startLocalBrokers();
  say(
    `${brokers.source}: KAFKA_BROKERS=${brokers.kafkaBrokers} REDIS_URL=${brokers.redisUrl} (${Date.now() - started} ms)`,
  );
  project.provide('brokers', {
    kafkaBrokers: brokers.kafkaBrokers,
    redisUrl: brokers.redisUrl,
    source: brokers.source,
    runId,
  });
  return () => brokers.release();
}
