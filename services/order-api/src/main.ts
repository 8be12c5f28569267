/**
 * order-api composition root: parse config, create clients, build the app and the view projection,
 * start, and shut down in order on SIGTERM (stop intake, stop consuming, flush producer, quit Redis).
 */
import { loadConfig } from '@wxpay-saga/config';
import { OrderPlaced } from '@wxpay-saga/contracts';
import { kafkaHealthCheck, startMessaging } from '@wxpay-saga/messaging';
import { Counter, createLogger, createRegistry, installShutdown } from '@wxpay-saga/observability';
import {
  createEpochProjection,
  createOrderStore,
  createParamsStore,
  sagaKeys,
} from '@wxpay-saga/order-store';
import { DEFAULT_CATALOG, placedEventOf } from '@wxpay-saga/orders';
import { keySpace, openRedis, redisHealthCheck } from '@wxpay-saga/redis';
import { createLoginClient } from '@wxpay-saga/wechatpay';
import { buildApp } from './app.js';
import { orderApiEnv } from './config.js';
import { createIdempotencyStore } from './orders/idempotency.js';
import { buildViewRunner, viewSubscriptions } from './orders/projector.js';
import { createSessionStore } from './sessions/store.js';

const config = loadConfig(orderApiEnv);
const logger = createLogger({ service: 'order-api', level: config.LOG_LEVEL });
const registry = createRegistry('order-api');
const ks = keySpace(config.REDIS_KEY_PREFIX);
const keys = sagaKeys(ks);

const redis = await openRedis({ url: config.REDIS_URL, logger, name: 'order-api' });
const { kafka, producer } = await startMessaging(config, { clientId: 'order-api', logger });

const store = createOrderStore(redis, keys);
const transitions = new Counter({
  name: 'order_status_transitions_total',
  help: 'Order status changes seen by the view',
  labelNames: ['to'],
  registers: [registry],
});
const subscriptions = viewSubscriptions(store, transitions, logger);
const projection = createEpochProjection({
  redis,
  markerKey: keys.projectionEpoch('order-api.view'),
  build: (epoch) =>
    buildViewRunner({
      kafka,
      producer,
      logger,
      groupPrefix: config.KAFKA_GROUP_PREFIX,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      epoch,
      subscriptions,
    }),
  onRebuild: (epoch) =>
    logger.warn({ epoch }, 'view marker missing (Redis lost?): rebuilding the order view from the event log'),
});

const readParams = createParamsStore(redis, keys).read;
const app = await buildApp({
  logger,
  registry,
  store,
  producer,
  catalog: DEFAULT_CATALOG,
  orderIdSecret: config.ORDER_ID_SECRET,
  orderTtlMs: config.ORDER_TTL_SECONDS * 1000,
  paymentWaitMs: config.PAYMENT_WAIT_MS,
  syncWaitMs: config.SYNC_WAIT_MS,
  idempotency: createIdempotencyStore(redis, (h) => ks.key('idem', h)),
  sessions: createSessionStore(redis, (h) => ks.key('session', h), config.SESSION_TTL_SECONDS),
  login: createLoginClient(
    {
      appid: config.WECHATPAY_APPID,
      secret: config.WECHATPAY_APP_SECRET,
      baseUrl: config.WECHAT_LOGIN_BASE_URL,
      timeoutMs: config.WECHATPAY_TIMEOUT_MS,
    },
    { logger },
  ),
  readParams,
  readSyncResult: async (id) => (await redis.get(keys.syncResult(id))) ?? undefined,
  now: () => Date.now(),
  redrive: async (facts) => {
    const event = placedEventOf(facts);
    if (!event || (await redis.set(ks.key('redrive', facts.orderId), '1', 'EX', 5, 'NX')) !== 'OK') return;
    logger.warn({ orderId: facts.orderId }, 'payment parameters lost; republishing OrderPlaced');
    await producer.publish(OrderPlaced, event);
  },
  checks: {
    redis: redisHealthCheck(redis),
    kafka: kafkaHealthCheck(kafka),
    projection: async () => void (projection.epoch() ?? Promise.reject(new Error('not started'))),
  },
});

installShutdown(logger, [
  { name: 'http', run: () => app.close() },
  { name: 'projection', run: () => projection.stop() },
  { name: 'producer', run: () => producer.disconnect() },
  { name: 'redis', run: async () => void (await redis.quit()) },
]);
await projection.start();
await app.listen({ host: config.HOST, port: config.ORDER_API_PORT });
logger.info({ url: `http://${config.HOST}:${config.ORDER_API_PORT}` }, 'order-api listening');
