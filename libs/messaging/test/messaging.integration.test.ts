/**
 * The messaging library against the real broker and Redis (issue 2). Every test uses its own topic
 * prefix and group, so the file runs in parallel with others on one broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEvent, TOPICS, dlqName, newEvent, prefixed, type TestEventEvent } from '@wxpay-saga/contracts';
import {
  DLQ_HEADERS,
  MessagingError,
  PermanentError,
  RetriableError,
  createConsumerRunner,
  createKafka,
  createProducer,
  ensureTopics,
  subscribe,
  type ConsumerRunner,
  type EventProducer,
  type Kafka,
  type RunnerObserver,
} from '@wxpay-saga/messaging';
import { connectRedis, createRedis, type Redis } from '@wxpay-saga/redis';
import {
  eventually,
  readTopic,
  spawnTs,
  testKafka,
  testLogger,
  uniqueNames,
  useBrokers,
} from '@wxpay-saga/testing';

const FIXTURE = 'libs/messaging/test/fixtures/consumer-process.ts';
const logger = testLogger('messaging-test');
const brokers = useBrokers();
let kafka: Kafka;
let redis: Redis;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  kafka = testKafka(brokers.kafkaBrokers, logger);
  redis = createRedis({ url: brokers.redisUrl, logger, name: 'messaging-test' });
  await connectRedis(redis, brokers.redisUrl);
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await redis.quit();
});

const event = (seq: number, orderId = `order-${String(seq).padStart(6, '0')}`): TestEventEvent =>
  newEvent(TestEvent, {
    orderId,
    correlationId: `c-${seq}`,
    causationId: null,
    payload: { seq, note: `n${seq}` },
  });

async function setup(label: string) {
  const names = uniqueNames(label);
  await ensureTopics({ kafka, logger, topics: [TOPICS.testEvent], topicPrefix: names.topicPrefix });
  const producer = createProducer({ kafka, logger, topicPrefix: names.topicPrefix });
  await producer.connect();
  cleanups.push(() => producer.disconnect());
  const topic = prefixed(names.topicPrefix, TOPICS.testEvent.name);
  return { names, producer, topic };
}

function runner(
  producer: EventProducer,
  groupId: string,
  topicPrefix: string,
  handle: (e: TestEventEvent) => Promise<void>,
  observer?: RunnerObserver,
): ConsumerRunner {
  const r = createConsumerRunner({
    kafka,
    producer,
    logger,
    groupId,
    topicPrefix,
    observer,
    sessionTimeoutMs: 6000,
    backoff: { maxAttempts: 5, initialDelayMs: 20, maxDelayMs: 100, multiplier: 2 },
    subscriptions: [subscribe(TestEvent, (e) => handle(e))],
  });
  cleanups.push(() => r.stop());
  return r;
}

describe('kafkajs 2.2.4 against the Kafka 4.2 broker', () => {
  it('provisions topics with their partitions and DLQ, and raises partition counts', async () => {
    const names = uniqueNames('provision');
    await ensureTopics({ kafka, logger, topics: [TOPICS.testEvent], topicPrefix: names.topicPrefix });
    const grown = { ...TOPICS.testEvent, partitions: TOPICS.testEvent.partitions + 2 };
    await ensureTopics({ kafka, logger, topics: [grown], topicPrefix: names.topicPrefix });
    const admin = kafka.admin();
    await admin.connect();
    const topic = prefixed(names.topicPrefix, TOPICS.testEvent.name);
    const meta = await admin.fetchTopicMetadata({ topics: [topic, dlqName(topic)] });
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }],
    });
    await admin.disconnect();
    expect(meta.topics.find((t) => t.name === topic)?.partitions).toHaveLength(
      TOPICS.testEvent.partitions + 2,
    );
    expect(meta.topics.find((t) => t.name === dlqName(topic))?.partitions).toHaveLength(1);
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe(String(TOPICS.testEvent.retentionMs));
  });

  it('round-trips produce → consume through a consumer group', async () => {
    const { names, producer, topic } = await setup('roundtrip');
    const got: TestEventEvent[] = [];
    const r = runner(producer, names.groupPrefix, names.topicPrefix, async (e) => void got.push(e));
    await r.start();
    const sent = [event(1), event(2), event(3)];
    for (const e of sent) await producer.publish(TestEvent, e);
    await eventually(() => got.length >= 3, { what: '3 messages' });
    expect(got.map((e) => e.eventId).sort()).toEqual(sent.map((e) => e.eventId).sort());
    expect(got[0]).toEqual(sent.find((s) => s.eventId === got[0]!.eventId));
    await r.stop();
    const admin = kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId: names.groupPrefix, topics: [topic] });
    await admin.disconnect();
    const total = committed[0]!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    expect(total).toBe(3);
  });
});

describe('consumer runner', () => {
  it('retries a retriable error with backoff, then commits the message once', async () => {
    const { names, producer } = await setup('retry');
    let calls = 0;
    const commits: string[] = [];
    const retries: number[] = [];
    const handled: number[] = [];
    const r = runner(
      producer,
      names.groupPrefix,
      names.topicPrefix,
      async () => {
        calls++;
        if (calls <= 2) throw new RetriableError('DEPENDENCY_DOWN', 'try again');
      },
      {
        onCommitted: (i) => commits.push(i.offset),
        onRetry: (i) => retries.push(i.delayMs),
        onHandled: (i) => handled.push(i.attempts),
      },
    );
    await r.start();
    await producer.publish(TestEvent, event(7));
    await eventually(() => commits.length === 1, { what: 'a commit' });
    await new Promise((res) => setTimeout(res, 300));
    expect(calls).toBe(3);
    expect(retries).toHaveLength(2);
    expect(handled).toEqual([3]);
    expect(commits).toHaveLength(1);
  });

  it('dead-letters a poison message and an undecodable one with reasons, then carries on', async () => {
    const { names, producer, topic } = await setup('dlq');
    const processed: number[] = [];
    const r = runner(producer, names.groupPrefix, names.topicPrefix, async (e) => {
      if (e.payload.note === 'poison') throw new PermanentError('POISON', 'this message can never succeed');
      processed.push(e.payload.seq);
    });
    await r.start();
    const poison = { ...event(2), payload: { seq: 2, note: 'poison' } };
    const key = 'order-000009';
    await producer.publish(TestEvent, event(1, key));
    await producer.publish(TestEvent, { ...poison, orderId: key });
    await producer.sendRaw(topic, [{ key, value: '{"this is": not json', headers: { 'trace-id': 'abc' } }]);
    await producer.publish(TestEvent, event(4, key));
    await eventually(() => processed.length === 2, { what: 'the good messages' });
    expect(processed).toEqual([1, 4]);
    const dead = await eventually(
      async () => {
        const msgs = await readTopic(kafka, dlqName(topic));
        return msgs.length === 2 ? msgs : undefined;
      },
      { what: 'two dead letters' },
    );
    const byCode = Object.fromEntries(dead.map((m) => [m.headers[DLQ_HEADERS.errorCode], m]));
    expect(byCode.POISON?.headers[DLQ_HEADERS.reason]).toBe('this message can never succeed');
    expect(byCode.POISON?.headers['event-type']).toBe('TestEvent');
    expect(byCode.UNDECODABLE?.headers[DLQ_HEADERS.reason]).toMatch(/not valid JSON/);
    expect(byCode.UNDECODABLE?.headers['trace-id']).toBe('abc');
    expect(byCode.UNDECODABLE?.value).toBe('{"this is": not json');
    for (const m of dead) {
      expect(m.key).toBe(key);
      expect(m.headers[DLQ_HEADERS.sourceTopic]).toBe(topic);
      expect(m.headers[DLQ_HEADERS.consumerGroup]).toBe(names.groupPrefix);
      expect(Number(m.headers[DLQ_HEADERS.sourceOffset])).toBeGreaterThanOrEqual(0);
      expect(m.headers[DLQ_HEADERS.sourcePartition]).toMatch(/^\d+$/);
    }
  });

  it('dead-letters a message that fails its schema with the zod issue in the reason', async () => {
    const { names, producer, topic } = await setup('schema');
    const r = runner(producer, names.groupPrefix, names.topicPrefix, async () => undefined);
    await r.start();
    const bad = { ...event(1), payload: { seq: 'one', note: 'x' } };
    await producer.sendRaw(topic, [{ key: bad.orderId, value: JSON.stringify(bad) }]);
    const dead = await eventually(async () => {
      const m = await readTopic(kafka, dlqName(topic));
      return m.length === 1 ? m : undefined;
    });
    expect(dead[0]!.headers[DLQ_HEADERS.errorCode]).toBe('SCHEMA_INVALID');
    expect(dead[0]!.headers[DLQ_HEADERS.reason]).toMatch(/payload\.seq/);
  });

  it('parks the partition when a retry cycle runs out, then retries the same message; the next one waits', async () => {
    const { names, producer } = await setup('exhaust');
    const calls: number[] = [];
    const parked: string[] = [];
    const r = createConsumerRunner({
      kafka,
      producer,
      logger,
      groupId: names.groupPrefix,
      topicPrefix: names.topicPrefix,
      sessionTimeoutMs: 6000,
      pauseOnExhaustedMs: 400,
      backoff: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20, multiplier: 2 },
      observer: { onPaused: (i) => parked.push(i.offset) },
      subscriptions: [
        subscribe(TestEvent, async (e) => {
          calls.push(e.payload.seq);
          if (e.payload.seq === 1 && calls.length <= 3) throw new RetriableError('DOWN', 'still down');
        }),
      ],
    });
    cleanups.push(() => r.stop());
    await r.start();
    await producer.publish(TestEvent, event(1, 'order-same-key'));
    await producer.publish(TestEvent, event(2, 'order-same-key'));
    await eventually(() => calls.length === 5, { what: 'four tries of the first message, then the second' });
    expect(calls).toEqual([1, 1, 1, 1, 2]);
    expect(parked).toEqual(['0']);
  });

  it('keeps per-key order and processes partitions concurrently', async () => {
    const { names, producer } = await setup('order');
    const seen = new Map<string, number[]>();
    let inFlight = 0;
    let maxInFlight = 0;
    const r = runner(producer, names.groupPrefix, names.topicPrefix, async (e) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((res) => setTimeout(res, 5));
      seen.set(e.orderId, [...(seen.get(e.orderId) ?? []), e.payload.seq]);
      inFlight--;
    });
    await r.start();
    const keys = Array.from({ length: 9 }, (_, i) => `order-key-${i}`);
    const perKey = 15;
    for (let seq = 0; seq < perKey; seq++) {
      await Promise.all(keys.map((k) => producer.publish(TestEvent, event(seq, k))));
    }
    await eventually(() => [...seen.values()].reduce((n, l) => n + l.length, 0) === keys.length * perKey, {
      what: 'all messages',
      timeoutMs: 30_000,
    });
    for (const k of keys) expect(seen.get(k)).toEqual(Array.from({ length: perKey }, (_, i) => i));
    expect(maxInFlight).toBeGreaterThan(1);
  });
});

describe('producer', () => {
  it('fails with BROKER_UNAVAILABLE within its deadline when the broker is unreachable', async () => {
    const dead = createKafka({
      brokers: ['127.0.0.1:1'],
      clientId: 'dead',
      logger,
      connectionTimeoutMs: 300,
      retries: 1,
    });
    const producer = createProducer({ kafka: dead, logger, sendTimeoutMs: 1500 });
    const started = Date.now();
    const err = await producer.publish(TestEvent, event(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessagingError);
    expect(err).toMatchObject({ code: 'BROKER_UNAVAILABLE', retriable: true });
    expect(Date.now() - started).toBeLessThan(5000);
    await producer.disconnect().catch(() => undefined);
  });
});

describe('consumer processes', () => {
  it('redelivers to the next member a message handled by a member killed before it committed', async () => {
    const { names, producer } = await setup('crash');
    const recordKey = `${names.keyPrefix}handled`;
    const env = {
      KAFKA_BROKERS: brokers.kafkaBrokers,
      REDIS_URL: brokers.redisUrl,
      KAFKA_TOPIC_PREFIX: names.topicPrefix,
      GROUP_ID: names.groupPrefix,
      RECORD_KEY: recordKey,
      MODE: 'crash-after-handle',
    };
    const first = spawnTs(FIXTURE, env);
    await first.waitForLine(/FIXTURE READY/);
    await producer.publish(TestEvent, event(42));
    expect(await first.exited()).toBe('SIGKILL');
    expect(await redis.lrange(recordKey, 0, -1)).toEqual(['42']);
    const second: number[] = [];
    const r = runner(
      producer,
      names.groupPrefix,
      names.topicPrefix,
      async (e) => void second.push(e.payload.seq),
    );
    await r.start();
    await eventually(() => second.length === 1, { what: 'redelivery to the next member', timeoutMs: 40_000 });
    expect(second).toEqual([42]);
  });

  it('loses nothing on graceful shutdown under load: in-flight work finishes and is committed', async () => {
    const { names, producer } = await setup('graceful');
    const recordKey = `${names.keyPrefix}handled`;
    const total = 300;
    const env = {
      KAFKA_BROKERS: brokers.kafkaBrokers,
      REDIS_URL: brokers.redisUrl,
      KAFKA_TOPIC_PREFIX: names.topicPrefix,
      GROUP_ID: names.groupPrefix,
      RECORD_KEY: recordKey,
      MODE: 'slow',
      HANDLE_MS: '15',
    };
    const first = spawnTs(FIXTURE, env);
    await first.waitForLine(/FIXTURE READY/);
    await Promise.all(
      Array.from({ length: total }, (_, i) => producer.publish(TestEvent, event(i, `order-k${i % 12}`))),
    );
    await eventually(async () => (await redis.llen(recordKey)) >= 40, { what: 'some progress' });
    first.kill('SIGTERM');
    expect(await first.exited()).toBe(0);
    const byFirst = await redis.lrange(recordKey, 0, -1);
    expect(byFirst.length).toBeLessThan(total);
    const r = runner(producer, names.groupPrefix, names.topicPrefix, async (e) => {
      await redis.rpush(recordKey, String(e.payload.seq));
    });
    await r.start();
    await eventually(async () => (await redis.llen(recordKey)) >= total, {
      what: 'all messages',
      timeoutMs: 40_000,
    });
    await new Promise((res) => setTimeout(res, 500));
    const all = await redis.lrange(recordKey, 0, -1);
    expect(new Set(all).size).toBe(total);
    // Graceful: what the first member handled it also committed, so nothing was handled twice.
    expect(all).toHaveLength(total);
  });
});
