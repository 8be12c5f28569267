/**
 * `npm start`: the whole local stack on one machine — Kafka (or KAFKA_BROKERS), Redis (or REDIS_URL), the
 * WeChat Pay sandbox and the four services — then one `READY` line with the URLs. Ctrl-C stops everything.
 * What it started is recorded in .run/stack.json for `npm run demo` and `npm run check:ledger`.
 */
import {
  isListening,
  portPreferring,
  startKafka,
  startRedis,
  writeRunState,
  type KafkaHandle,
  type RedisHandle,
} from '@wxpay-saga/infra';
import { devSecret } from './dev-secrets.js';
import { DEFAULT_PORTS, PORT_VARIABLE, SERVICES, type ServiceName } from './services.js';
import { startStack, type RunningStack } from './stack.js';

const say = (line: string) => process.stdout.write(`[start] ${line}\n`);
const env = process.env;

async function fixedPorts(): Promise<Record<ServiceName | 'sandbox', number>> {
  const ports = { ...DEFAULT_PORTS };
  for (const name of [...SERVICES, 'sandbox'] as const) {
    const fromEnv = env[PORT_VARIABLE[name]];
    if (fromEnv) ports[name] = Number(fromEnv);
    if (await isListening(ports[name])) {
      throw new Error(
        `port ${ports[name]} (${name}) is in use: stop what uses it or set ${PORT_VARIABLE[name]}`,
      );
    }
  }
  return ports;
}

let kafka: KafkaHandle | undefined;
let redis: RedisHandle | undefined;
let stack: RunningStack | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  say('stopping…');
  await stack?.stop().catch(() => undefined);
  await Promise.all([kafka?.stop(), redis?.stop()]).catch(() => undefined);
  writeRunState('stack', undefined);
  say('stopped');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  const started = Date.now();
  const ports = await fixedPorts();
  if (!env.KAFKA_BROKERS) say('starting Kafka (KRaft, jars from Maven Central on first run)…');
  if (!env.REDIS_URL) say('starting Redis (append-only, temporary directory)…');
  [kafka, redis] = await Promise.all([
    env.KAFKA_BROKERS ? undefined : startKafka({ port: await portPreferring(9092), log: say }),
    env.REDIS_URL ? undefined : startRedis(),
  ]);
  const kafkaBrokers = env.KAFKA_BROKERS ?? kafka!.brokers;
  const redisUrl = env.REDIS_URL ?? redis!.url;
  say(`Kafka ${kafkaBrokers}, Redis ${redisUrl}`);
  stack = await startStack({
    kafkaBrokers,
    redisUrl,
    orderIdSecret: env.ORDER_ID_SECRET ?? devSecret('order-id'),
    ports,
    topicPrefix: env.KAFKA_TOPIC_PREFIX ?? '',
    keyPrefix: env.REDIS_KEY_PREFIX ?? 'wxpay:',
    groupPrefix: env.KAFKA_GROUP_PREFIX ?? 'wxpay-saga',
    sandboxEnv: { SANDBOX_TIME_FACTOR: env.SANDBOX_TIME_FACTOR ?? '1', LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
    env: {
      LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
      ...(env.ORDER_TTL_SECONDS ? { ORDER_TTL_SECONDS: env.ORDER_TTL_SECONDS } : {}),
    },
    onProgress: say,
  });
  writeRunState('stack', {
    kafka: { brokers: kafkaBrokers, external: !kafka },
    redis: { url: redisUrl, external: !redis },
    urls: stack.urls,
    keyPrefix: stack.env.REDIS_KEY_PREFIX,
    topicPrefix: stack.env.KAFKA_TOPIC_PREFIX,
    pid: process.pid,
  });
  const u = stack.urls;
  process.stdout.write(
    `READY order-api=${u.orderApi} docs=${u.orderApi}/docs notify-gateway=${u.notifyGateway} sandbox=${u.sandbox} payment-worker=${u.paymentWorker} reconciler=${u.reconciler} kafka=${kafkaBrokers} redis=${redisUrl} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
  );
  say('try it: npm run demo   (Ctrl-C stops the stack)');
} catch (err) {
  process.stderr.write(`[start] failed: ${err instanceof Error ? err.message : String(err)}\n`);
  await shutdown(1);
}
