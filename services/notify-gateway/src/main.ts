/** notify-gateway composition root: verify + decrypt WeChat callbacks, publish, then answer. */
import { loadConfig, orExit } from '@wxpay-saga/config';
import { kafkaHealthCheck, startMessaging } from '@wxpay-saga/messaging';
import { createLogger, createRegistry, installShutdown } from '@wxpay-saga/observability';
import { createNotificationVerifier, loadVerifierKeys } from '@wxpay-saga/wechatpay';
import { buildGateway } from './app.js';
import { notifyGatewayEnv } from './config.js';

const config = loadConfig(notifyGatewayEnv);
const verifierKeys = orExit(() => loadVerifierKeys(config));
const logger = createLogger({ service: 'notify-gateway', level: config.LOG_LEVEL });
const registry = createRegistry('notify-gateway');
const { kafka, producer } = await startMessaging(config, {
  clientId: 'notify-gateway',
  logger,
  sendTimeoutMs: config.NOTIFY_PUBLISH_TIMEOUT_MS,
  connectionTimeoutMs: 1000,
});

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
