/** notify-gateway composition root: verify + decrypt WeChat callbacks, publish, then answer. */
import { loadConfig, orExit } from '@wxpay-saga/config';
import { ALL_EVENTS } from '@wxpay-saga/contracts';
import { createKafka, createProducer, ensureTopics, kafkaHealthCheck } from '@wxpay-saga/messaging';
import { createLogger, createRegistry, installShutdown } from '@wxpay-saga/observability';
import { createNotificationVerifier, loadVerifierKeys } from '@wxpay-saga/wechatpay';
import { buildGateway } from './app.js';
import { notifyGatewayEnv } from './config.js';

const config = loadConfig(notifyGatewayEnv);
const verifierKeys = orExit(() => loadVerifierKeys(config));
const logger = createLogger({ service: 'notify-gateway', level: config.LOG_LEVEL });
const registry = createRegistry('notify-gateway');
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: 'notify-gateway',
  logger,
  connectionTimeoutMs: 1000,
});
const producer = createProducer({
  kafka,
  logger,
  topicPrefix: config.KAFKA_TOPIC_PREFIX,
  sendTimeoutMs: config.NOTIFY_PUBLISH_TIMEOUT_MS,
});
await ensureTopics({
  kafka,
  logger,
  topics: [...new Set(ALL_EVENTS.map((e) => e.topic))],
  topicPrefix: config.KAFKA_TOPIC_PREFIX,
});
await producer.connect();

const app = buildGateway({
  logger,
  registry,
  producer,
  verifier: createNotificationVerifier({
    apiV3Key: config.WECHATPAY_APIV3_KEY,
    verifierKeys,
    mchid: config.WECHATPAY_MCHID,
    appid: config.WECHATPAY_APPID,
  }),
  checks: { kafka: kafkaHealthCheck(kafka) },
  now: () => Date.now(),
});
installShutdown(logger, [
  { name: 'http', run: () => app.close() },
  { name: 'producer', run: () => producer.disconnect() },
]);
await app.listen({ host: config.HOST, port: config.NOTIFY_GATEWAY_PORT });
logger.info({ url: `http://${config.HOST}:${config.NOTIFY_GATEWAY_PORT}` }, 'notify-gateway listening');
