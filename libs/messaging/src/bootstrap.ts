import { ALL_EVENTS, type TopicDefinition } from '@wxpay-saga/contracts';
import type { Logger } from '@wxpay-saga/observability';
import type { Kafka } from 'kafkajs';
import { ensureTopics } from './admin.js';
import { createKafka } from './kafka.js';
import { createProducer, type EventProducer } from './producer.js';

export interface MessagingSettings {
  readonly KAFKA_BROKERS: readonly string[];
  readonly KAFKA_TOPIC_PREFIX: string;
  readonly KAFKA_SEND_TIMEOUT_MS: number;
}

/** Every topic of the saga (deduplicated), as provisioned by each service at start-up. */
export const SAGA_TOPICS: readonly TopicDefinition[] = [...new Set(ALL_EVENTS.map((e) => e.topic))];

/**
 * What every service does first: a Kafka client, the saga's topics provisioned (idempotent), and a
 * connected producer. Fails with a coded error when the broker is unreachable.
 */
export async function startMessaging(
  settings: MessagingSettings,
  opts: { clientId: string; logger: Logger; sendTimeoutMs?: number; connectionTimeoutMs?: number },
): Promise<{ kafka: Kafka; producer: EventProducer }> {
  const kafka = createKafka({
    brokers: settings.KAFKA_BROKERS,
    clientId: opts.clientId,
    logger: opts.logger,
    ...(opts.connectionTimeoutMs ? { connectionTimeoutMs: opts.connectionTimeoutMs } : {}),
  });
  const producer = createProducer({
    kafka,
    logger: opts.logger,
    topicPrefix: settings.KAFKA_TOPIC_PREFIX,
    sendTimeoutMs: opts.sendTimeoutMs ?? settings.KAFKA_SEND_TIMEOUT_MS,
  });
  await ensureTopics({
    kafka,
    logger: opts.logger,
    topics: SAGA_TOPICS,
    topicPrefix: settings.KAFKA_TOPIC_PREFIX,
  });
  await producer.connect();
  return { kafka, producer };
}
