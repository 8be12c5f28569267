/**
 * One real stack per test file: the sandbox and the four services as processes, on the run's Kafka and
 * Redis, isolated by unique topic, group and key prefixes and free ports.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createOrderStore, sagaKeys, type OrderStore } from '@wxpay-saga/order-store';
import { connectRedis, createRedis, keySpace, type Redis } from '@wxpay-saga/redis';
import {
  MiniProgram,
  sandboxClient,
  startStack,
  type RunningStack,
  type SandboxClient,
  type StackOptions,
} from '@wxpay-saga/stack';
import { testLogger, uniqueNames, useBrokers, type TestNames } from '@wxpay-saga/testing';

export interface StackHandle {
  readonly stack: RunningStack;
  readonly sandbox: SandboxClient;
  readonly names: TestNames;
  readonly keyDir: string;
  readonly redis: Redis;
  /** order-api's view, for assertions on history and flags. */
  readonly view: OrderStore;
  /** The reconciler's own projection. */
  readonly reconView: OrderStore;
  readonly kafkaBrokers: string;
  newUser(openid?: string): Promise<MiniProgram>;
}

export interface UseStackOptions {
  readonly sandboxEnv?: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly serviceEnv?: StackOptions['serviceEnv'];
  readonly kafkaBrokers?: () => string;
  /** A Redis of the file's own (e.g. to FLUSHALL it); the run's shared Redis otherwise. */
  readonly redisUrl?: () => string;
}

/** Call at the top level of a test file; the handle is filled in by beforeAll. */
export function useStack(label: string, opts: UseStackOptions = {}): StackHandle {
  const handle = {} as { -readonly [K in keyof StackHandle]: StackHandle[K] };
  const brokers = useBrokers();
  beforeAll(async () => {
    const names = uniqueNames(label);
    const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-keys-'));
    const kafkaBrokers = opts.kafkaBrokers?.() ?? brokers.kafkaBrokers;
    const redisUrl = opts.redisUrl?.() ?? brokers.redisUrl;
    const stack = await startStack({
      kafkaBrokers,
      redisUrl,
      topicPrefix: names.topicPrefix,
      groupPrefix: names.groupPrefix,
      keyPrefix: names.keyPrefix,
      orderIdSecret: `secret-${names.keyPrefix}`,
      sandboxEnv: { SANDBOX_KEY_DIR: keyDir, SANDBOX_TIME_FACTOR: '0.01', ...opts.sandboxEnv },
      env: {
        WECHATPAY_TIMEOUT_MS: '1500',
        PAYMENT_WAIT_MS: '3000',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        ...opts.env,
      },
      serviceEnv: opts.serviceEnv,
      echo: Boolean(process.env.TEST_ECHO_CHILDREN),
    });
    const redis = createRedis({ url: redisUrl, logger: testLogger(), name: `test-${label}` });
    await connectRedis(redis, redisUrl);
    const ks = keySpace(names.keyPrefix);
    Object.assign(handle, {
      stack,
      names,
      keyDir,
      redis,
      kafkaBrokers,
      sandbox: sandboxClient(stack.urls.sandbox),
      view: createOrderStore(redis, sagaKeys(ks)),
      reconView: createOrderStore(redis, sagaKeys(ks, 'recon')),
      newUser: (openid?: string) =>
        new MiniProgram(stack.urls.orderApi, sandboxClient(stack.urls.sandbox)).login(openid),
    });
  });
  afterAll(async () => {
    await handle.stack?.stop();
    await handle.redis?.quit();
    if (handle.keyDir) fs.rmSync(handle.keyDir, { recursive: true, force: true });
  });
  return handle;
}
