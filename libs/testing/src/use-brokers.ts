import { afterAll, beforeAll, inject } from 'vitest';

export interface FileBrokers {
  kafkaBrokers: string;
  redisUrl: string;
  /** env, containers or local. */
  source: string;
}

/**
 * The Kafka and Redis a test file uses. Call at the top level of the file; the fields are filled in by
 * a beforeAll hook. Today they come from the run's global setup (KAFKA_BROKERS / REDIS_URL, else local
 * processes); when the run uses containers, each file gets its own set, started here and removed after.
 */
export function useBrokers(): FileBrokers {
  const handle: FileBrokers = { kafkaBrokers: '', redisUrl: '', source: '' };
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const provided = inject('brokers');
    Object.assign(handle, provided);
    void release;
  });
  afterAll(async () => {
    await release?.();
  });
  return handle;
}
