import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@wxpay-saga/observability';

export type { Redis } from 'ioredis';

export interface RedisClientOptions {
  readonly url: string;
  readonly logger: Logger;
  /** Shown in logs and in `CLIENT LIST`. */
  readonly name: string;
  readonly connectTimeoutMs?: number;
  /** How many times one command is retried over reconnects before it fails (fail fast, then the caller retries). */
  readonly maxRetriesPerRequest?: number;
}

/**
 * ioredis with the settings this project relies on: RESP2 reply shapes (ioredis 6 defaults to RESP3),
 * lazy connect so start-up fails fast with a clear error, bounded per-command retries so a Redis outage
 * surfaces as an error the consumer runner can retry, and an `error` listener (an unhandled one would
 * crash the process).
 */
export function createRedis(options: RedisClientOptions): Redis {
  const log = options.logger.child({ component: 'redis', client: options.name });
  const redisOptions: RedisOptions = {
    protocol: 2,
    lazyConnect: true,
    connectionName: options.name,
    connectTimeout: options.connectTimeoutMs ?? 3000,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 2,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const client = new Redis(options.url, redisOptions);
  let lastErrorAt = 0;
  client.on('error', (err: Error) => {
    // Reconnect loops emit an error per attempt; log at most one per 5 s.
    const now = Date.now();
    if (now - lastErrorAt > 5000) log.warn({ err: { message: err.message, name: err.name } }, 'redis error');
    lastErrorAt = now;
  });
  return client;
}

/** Connects within the timeout or throws a coded error naming the server (without credentials). */
export async function connectRedis(client: Redis, url: string): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    throw Object.assign(new Error(`Redis unreachable at ${safeUrl(url)}: ${(err as Error).message}`), {
      code: 'REDIS_UNAVAILABLE',
      retriable: true,
      cause: err,
    });
  }
}

/** Strips a password from a redis URL for messages and logs. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparseable url)';
  }
}

export function redisHealthCheck(client: Redis): () => Promise<void> {
  return async () => {
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING reply ${String(pong)}`);
  };
}

/** Creates and connects a client (fails fast with REDIS_UNAVAILABLE). */
export async function openRedis(options: RedisClientOptions): Promise<Redis> {
  const client = createRedis(options);
  await connectRedis(client, options.url);
  return client;
}
