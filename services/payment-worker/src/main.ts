/**
 * payment-worker composition root. Consumes OrderPlaced, prepays at WeChat, signs the wx.requestPayment
 * parameters once and caches them, emits PaymentPrepared / PaymentFailed. Scale out by running more
 * instances: they share the consumer group and split the partitions.
 */
import { loadConfig, orExit } from '@wxpay-saga/config';
import { OrderPlaced } from '@wxpay-saga/contracts';
import { createConsumerRunner, kafkaHealthCheck, startMessaging, subscribe } from '@wxpay-saga/messaging';
import {
  Counter,
  createLogger,
  createRegistry,
  installShutdown,
  startOpsServer,
} from '@wxpay-saga/observability';
import { createParamsStore, sagaKeys } from '@wxpay-saga/order-store';
import { keySpace, openRedis, redisHealthCheck } from '@wxpay-saga/redis';
import { createWechatPayClient, loadWechatPayConfig } from '@wxpay-saga/wechatpay';
import { paymentWorkerEnv } from './config.js';
import { handleOrderPlaced } from './prepare.js';

const config = loadConfig(paymentWorkerEnv);
const wechatConfig = orExit(() => loadWechatPayConfig(config));
const logger = createLogger({ service: 'payment-worker', level: config.LOG_LEVEL });
const registry = createRegistry('payment-worker');
const keys = sagaKeys(keySpace(config.REDIS_KEY_PREFIX));

const redis = await openRedis({ url: config.REDIS_URL, logger, name: 'payment-worker' });
const { kafka, producer } = await startMessaging(config, { clientId: 'payment-worker', logger });
const wechat = createWechatPayClient(wechatConfig, { logger });
const outcomes = new Counter({
  name: 'prepare_outcomes_total',
  help: 'OrderPlaced handling outcomes',
  labelNames: ['outcome'],
  registers: [registry],
});

const params = createParamsStore(redis, keys);

const runner = createConsumerRunner({
  kafka,
  producer,
  logger,
  groupId: `${config.KAFKA_GROUP_PREFIX}.payment-worker`,
  topicPrefix: config.KAFKA_TOPIC_PREFIX,
  partitionsConsumedConcurrently: config.PAYMENT_WORKER_CONCURRENCY,
  backoff: { maxAttempts: 6, initialDelayMs: 250, maxDelayMs: 8000, multiplier: 2 },
  pauseOnExhaustedMs: 10_000,
  subscriptions: [
    subscribe(OrderPlaced, (event, ctx) =>
      handleOrderPlaced(
        {
          wechat,
          producer,
          notifyUrl: config.WECHATPAY_NOTIFY_URL,
          readParams: params.read,
          storeParamsOnce: params.storeOnce,
          now: () => Date.now(),
          onOutcome: (outcome) => outcomes.inc({ outcome }),
        },
        event,
        ctx,
      ),
    ),
  ],
});

const ops = await startOpsServer({
  host: config.HOST,
  port: config.PAYMENT_WORKER_PORT,
  logger,
  registry,
  checks: {
    redis: redisHealthCheck(redis),
    kafka: kafkaHealthCheck(kafka),
    consumer: async () =>
      void (runner.isRunning() || (await Promise.reject(new Error('consumer not running')))),
  },
});
installShutdown(logger, [
  { name: 'consumer', run: () => runner.stop() },
  { name: 'producer', run: () => producer.disconnect() },
  { name: 'ops', run: () => ops.close() },
  { name: 'redis', run: async () => void (await redis.quit()) },
]);
await runner.start();
logger.info({ port: ops.port }, 'payment-worker running');
