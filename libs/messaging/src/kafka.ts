import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { Logger } from '@wxpay-saga/observability';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** How long a connection attempt may take before it counts as failed. */
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** kafkajs's own retries for a request (metadata, produce, commit…); bounded. */
  readonly retries?: number;
}

/** Messages kafkajs logs that we expect by design; see the producer for why retries are bounded. */
const EXPECTED = [/Limiting retries for the idempotent producer/];

export function createKafka(options: KafkaClientOptions): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    retry: { retries: options.retries ?? 5, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        if (EXPECTED.some((re) => re.test(message))) return;
        const extra = rest as Record<string, unknown>;
        const fields = {
          namespace: extra.namespace,
          broker: extra.broker,
          error: extra.error,
          groupId: extra.groupId,
        };
        if (level === logLevel.ERROR) log.error(fields, message);
        else if (level === logLevel.WARN) log.warn(fields, message);
        else log.debug(fields, message);
      },
  };
  return new Kafka(config);
}
