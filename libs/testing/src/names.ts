import { randomBytes } from 'node:crypto';

export interface TestNames {
  /** For KAFKA_TOPIC_PREFIX: every topic of this test is `<prefix><topic>`. */
  readonly topicPrefix: string;
  /** For KAFKA_GROUP_PREFIX and consumer group ids. */
  readonly groupPrefix: string;
  /** For REDIS_KEY_PREFIX. */
  readonly keyPrefix: string;
}

/** Unique topic, group and key prefixes so tests can run in parallel on one broker and one Redis. */
export function uniqueNames(label: string): TestNames {
  const id =
    `${label.replace(/[^a-z0-9]+/gi, '-').slice(0, 24)}-${randomBytes(4).toString('hex')}`.toLowerCase();
  return { topicPrefix: `t-${id}.`, groupPrefix: `g-${id}`, keyPrefix: `k-${id}:` };
}
