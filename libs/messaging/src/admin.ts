import type { Kafka } from 'kafkajs';
import { dlqName, prefixed, type TopicDefinition } from '@wxpay-saga/contracts';
import type { Logger } from '@wxpay-saga/observability';
import { MessagingError, errorMessage } from './errors.js';
import { withDeadline } from './producer.js';

export interface ProvisionOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly topics: readonly TopicDefinition[];
  readonly topicPrefix?: string;
  readonly replicationFactor?: number;
  /** Also create `<topic>.dlq` for each topic (default true). */
  readonly withDlq?: boolean;
}

/**
 * Creates missing topics with their partition count, replication factor and retention, and raises
 * the partition count of existing ones that have fewer (partitions are never removed). Safe to run
 * from every service at start-up.
 */
export async function ensureTopics(options: ProvisionOptions): Promise<void> {
  // Leader election for fresh partitions can outlast kafkajs's own wait on a busy broker ("does not
  // host this topic-partition"); provisioning is idempotent, so try again a few times before failing.
  const attempts = 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await provisionOnce(options);
    } catch (err) {
      if (attempt >= attempts || !(err instanceof MessagingError)) throw err;
      options.logger.warn({ attempt, reason: err.message }, 'topic provisioning failed; retrying');
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
  }
}

async function provisionOnce(options: ProvisionOptions): Promise<void> {
  const admin = options.kafka.admin();
  const prefix = options.topicPrefix ?? '';
  const replicationFactor = options.replicationFactor ?? 1;
  const wanted = options.topics.flatMap((t) => {
    const name = prefixed(prefix, t.name);
    const main = { name, partitions: t.partitions, retentionMs: t.retentionMs };
    return options.withDlq === false
      ? [main]
      : [main, { name: dlqName(name), partitions: 1, retentionMs: t.retentionMs }];
  });
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor,
          configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }],
        })),
      });
      options.logger.info({ topics: missing.map((t) => t.name) }, 'created topics');
    }
    const present = wanted.filter((t) => existing.has(t.name));
    if (present.length > 0) {
      const meta = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
      const grow = meta.topics.flatMap((m) => {
        const want = present.find((t) => t.name === m.name);
        return want && m.partitions.length < want.partitions
          ? [{ topic: m.name, count: want.partitions }]
          : [];
      });
      if (grow.length > 0) {
        // New partitions remap keys: an order whose events straddle the change may see them out of
        // order across partitions. Consumers are order-insensitive by design, so this is safe.
        await admin.createPartitions({ topicPartitions: grow });
        options.logger.info({ grow }, 'raised partition counts');
      }
    }
  } catch (err) {
    // A concurrent creator (another service starting) wins the race harmlessly.
    if ((err as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') return;
    throw new MessagingError(
      'PROVISIONING_FAILED',
      `could not provision topics: ${errorMessage(err)}`,
      true,
      { cause: err },
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Readiness probe: the cluster answers a metadata request in time. */
export function kafkaHealthCheck(kafka: Kafka, timeoutMs = 2000): () => Promise<void> {
  return async () => {
    const admin = kafka.admin();
    try {
      await withDeadline(
        admin.connect().then(() => admin.describeCluster()),
        timeoutMs,
        'describeCluster',
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
}
