/**
 * reconciler composition root: its own projection of the order events (rebuilt from the log if Redis
 * loses it), durable timers (query ladder, expiry, cancel) executed under leases, sync requests, and a
 * periodic convergence sweep.
 */
import { hostname } from 'node:os';
import { loadConfig, orExit } from '@wxpay-saga/config';
import { createConsumerRunner, kafkaHealthCheck, startMessaging } from '@wxpay-saga/messaging';
import {
  Counter,
  Gauge,
  createLogger,
  createRegistry,
  installShutdown,
  startOpsServer,
} from '@wxpay-saga/observability';
import { createEpochProjection, createOrderStore, sagaKeys } from '@wxpay-saga/order-store';
import { keySpace, openRedis, redisHealthCheck } from '@wxpay-saga/redis';
import { createWechatPayClient, loadWechatPayConfig } from '@wxpay-saga/wechatpay';
import type { ActionDeps } from './actions.js';
import { reconcilerEnv } from './config.js';
import { createExecutor } from './executor.js';
import { reconcilerSubscriptions } from './handlers.js';
import { createJournal } from './journal.js';
import { createOrderLocks } from './locks.js';
import { sweep } from './sweep.js';
import { createTimerStore } from './timers.js';

const config = loadConfig(reconcilerEnv);
const wechatConfig = orExit(() => loadWechatPayConfig(config));
const instance = config.RECONCILER_INSTANCE_ID ?? `${hostname()}-${process.pid}`;
const logger = createLogger({ service: 'reconciler', level: config.LOG_LEVEL }).child({ instance });
const registry = createRegistry('reconciler');
const ks = keySpace(config.REDIS_KEY_PREFIX);
const keys = sagaKeys(ks, 'recon');

const redis = await openRedis({ url: config.REDIS_URL, logger, name: 'reconciler' });
const { kafka, producer } = await startMessaging(config, { clientId: 'reconciler', logger });

const timers = createTimerStore(redis, ks);
const locks = createOrderLocks(redis, ks, config.RECONCILE_LEASE_MS);
const actions: ActionDeps = {
  wechat: createWechatPayClient(wechatConfig, { logger }),
  producer,
  store: createOrderStore(redis, keys),
  redis,
  keys,
  timers,
  ladderSeconds: config.RECONCILE_QUERY_LADDER_SECONDS,
  maxBackoffMs: config.RECONCILE_MAX_BACKOFF_MS,
  logger,
  now: () => Date.now(),
};
const actionsTotal = new Counter({
  name: 'reconciler_actions_total',
  help: 'Timer actions by kind and outcome',
  labelNames: ['kind', 'outcome'],
  registers: [registry],
});
new Gauge({
  name: 'reconciler_pending_timers',
  help: 'Timers waiting in Redis',
  registers: [registry],
  async collect() {
    this.set(await timers.pending());
  },
});
const executor = createExecutor({
  actions,
  locks,
  journal: createJournal(redis, ks),
  instance,
  leaseMs: config.RECONCILE_LEASE_MS,
  tickMs: config.RECONCILE_TICK_MS,
  logger,
  onAction: (kind, outcome) => actionsTotal.inc({ kind, outcome }),
});
const subscriptions = reconcilerSubscriptions(actions, locks);
const projection = createEpochProjection({
  redis,
  markerKey: keys.projectionEpoch('reconciler'),
  build: (epoch) =>
    createConsumerRunner({
      kafka,
      producer,
      logger,
      groupId: `${config.KAFKA_GROUP_PREFIX}.reconciler.${epoch}`,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      subscriptions,
      partitionsConsumedConcurrently: 4,
    }),
  onRebuild: (epoch) =>
    logger.warn({ epoch }, 'reconciler state missing (Redis lost?): replaying the event log'),
});

const runSweep = () => sweep(actions, logger).catch((err: unknown) => logger.warn({ err }, 'sweep failed'));
const sweepTimer = setInterval(() => void runSweep(), config.RECONCILE_SWEEP_MS);
const ops = await startOpsServer({
  host: config.HOST,
  port: config.RECONCILER_PORT,
  logger,
  registry,
  checks: { redis: redisHealthCheck(redis), kafka: kafkaHealthCheck(kafka) },
});
installShutdown(logger, [
  { name: 'sweep', run: async () => clearInterval(sweepTimer) },
  { name: 'executor', run: () => executor.stop() },
  { name: 'projection', run: () => projection.stop() },
  { name: 'producer', run: () => producer.disconnect() },
  { name: 'ops', run: () => ops.close() },
  { name: 'redis', run: async () => void (await redis.quit()) },
]);
await projection.start();
await runSweep();
executor.start();
logger.info({ port: ops.port, ladder: config.RECONCILE_QUERY_LADDER_SECONDS }, 'reconciler running');
