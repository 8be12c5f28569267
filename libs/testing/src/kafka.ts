import { createKafka, type Kafka } from '@wxpay-saga/messaging';
import type { Logger } from '@wxpay-saga/observability';

export function testKafka(brokers: string, logger: Logger, clientId = 'test'): Kafka {
  return createKafka({ brokers: brokers.split(','), clientId, logger });
}

export interface ReadMessage {
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Reads every message currently in `topic` (from the beginning up to the high watermarks), using
 * a throwaway group. For assertions on DLQs and event streams.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  opts: { timeoutMs?: number } = {},
): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const want = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const total = [...want.values()].reduce((a, b) => a + b - 0n, 0n);
  const out: ReadMessage[] = [];
  if (offsets.every((o) => o.high === o.low)) return out;
  const consumer = kafka.consumer({ groupId: `reader-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  const seen = new Map<number, bigint>();
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (Date.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`readTopic(${topic}) timed out with ${out.length} of ~${total} messages`));
      }
    }, 200);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) {
          if (v !== undefined) headers[k] = (Array.isArray(v) ? v[0] : v)?.toString() ?? '';
        }
        out.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers,
          partition,
          offset: message.offset,
        });
        seen.set(partition, BigInt(message.offset) + 1n);
        const done = [...want].every(
          ([p, high]) => (seen.get(p) ?? BigInt(offsets.find((o) => o.partition === p)!.low)) >= high,
        );
        if (done) {
          clearInterval(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return out;
}
