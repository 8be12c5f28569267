import { startKafka, startRedis } from '@wxpay-saga/infra';

/** Where a test run's Kafka and Redis come from, in order of preference. */
export type BrokerSource = 'env' | 'containers' | 'local';

export interface Brokers {
  readonly kafkaBrokers: string;
  readonly redisUrl: string;
  readonly source: BrokerSource;
  release(): Promise<void>;
}

/**
 * `KAFKA_BROKERS` / `REDIS_URL` when set (each independently), else Kafka and Redis started as local
 * processes (Kafka from Maven Central jars, `redis-server` from the OS). Any failure is thrown: a test
 * run without a broker fails, it never skips.
 */
export async function startLocalBrokers(env: NodeJS.ProcessEnv = process.env): Promise<Brokers> {
  const [kafka, redis] = await Promise.all([
    env.KAFKA_BROKERS ? undefined : startKafka({ log: (l) => process.stderr.write(l + '\n') }),
    env.REDIS_URL ? undefined : startRedis(),
  ]);
  const both = env.KAFKA_BROKERS && env.REDIS_URL;
  return {
    kafkaBrokers: env.KAFKA_BROKERS ?? kafka!.brokers,
    redisUrl: env.REDIS_URL ?? redis!.url,
    source: both ? 'env' : 'local',
    async release() {
      await Promise.all([kafka?.stop(), redis?.stop()]);
    },
  };
}
