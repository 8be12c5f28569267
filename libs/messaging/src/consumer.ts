import type { Consumer, EachMessagePayload, IHeaders, Kafka } from 'kafkajs';
import {
  CodecError,
  decodeEvent,
  dlqName,
  prefixed,
  type EventDefinition,
  type EventOf,
} from '@wxpay-saga/contracts';
import type { Logger } from '@wxpay-saga/observability';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { deadLetterHeaders, headerString } from './dlq.js';
import { errorCode, errorMessage, isRetriable as defaultIsRetriable } from './errors.js';
import type { EventProducer } from './producer.js';

export interface MessageContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: IHeaders | undefined;
  /** 1 for the first try in this delivery. */
  readonly attempt: number;
  readonly logger: Logger;
  /** Call during long work so the group coordinator does not consider this member dead. */
  readonly heartbeat: () => Promise<void>;
}

export interface Subscription<D extends EventDefinition = EventDefinition> {
  readonly def: D;
  handle(event: EventOf<D>, ctx: MessageContext): Promise<void>;
}

/** Pairs a definition with its handler, keeping the event type precise. */
export const subscribe = <D extends EventDefinition>(
  def: D,
  handle: (event: EventOf<D>, ctx: MessageContext) => Promise<void>,
): Subscription => ({ def, handle });

/** Hooks for metrics and tests: what happened to each message. */
export interface RunnerObserver {
  onHandled?(info: { topic: string; partition: number; offset: string; attempts: number }): void;
  onCommitted?(info: { topic: string; partition: number; offset: string }): void;
  onRetry?(info: { topic: string; offset: string; attempt: number; delayMs: number; code: string }): void;
  onDeadLettered?(info: { topic: string; offset: string; reason: string; code: string }): void;
  onPaused?(info: { topic: string; partition: number; offset: string; resumeInMs: number }): void;
}

export interface ConsumerRunnerOptions {
  readonly kafka: Kafka;
  /** Used to write dead letters. */
  readonly producer: EventProducer;
  readonly logger: Logger;
  readonly groupId: string;
  readonly topicPrefix?: string;
  readonly subscriptions: readonly Subscription[];
  readonly backoff?: BackoffPolicy;
  /** Partitions processed at the same time by this instance; messages within one stay in order. */
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** After each cycle of `backoff.maxAttempts` failed tries, the partition waits this long before the next cycle. */
  readonly pauseOnExhaustedMs?: number;
  readonly fromBeginning?: boolean;
  readonly isRetriable?: (err: unknown) => boolean;
  readonly observer?: RunnerObserver;
}

export interface ConsumerRunner {
  start(): Promise<void>;
  /** Finishes in-flight messages (committing them), then leaves the group. Idempotent. */
  stop(): Promise<void>;
  /** True between a successful start and stop. */
  isRunning(): boolean;
}

type Outcome = 'committed' | 'redeliver';

const REBALANCE_TYPES = new Set([
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
]);
const isRebalancing = (err: unknown): boolean =>
  REBALANCE_TYPES.has(String((err as { type?: unknown } | null)?.type));

/**
 * At-least-once, process-then-commit consumption: a message's offset is committed only after its
 * handler resolved (or after it was dead-lettered). Messages of one partition — hence of one key —
 * are handled one at a time in offset order; partitions run concurrently.
 */
export function createConsumerRunner(options: ConsumerRunnerOptions): ConsumerRunner {
  const prefix = options.topicPrefix ?? '';
  const policy = options.backoff ?? DEFAULT_BACKOFF;
  const retriable = options.isRetriable ?? defaultIsRetriable;
  const observer = options.observer ?? {};
  const log = options.logger.child({ component: 'consumer', groupId: options.groupId });
  const byTopic = new Map(options.subscriptions.map((s) => [prefixed(prefix, s.def.topic.name), s]));
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 10_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 1000,
    allowAutoTopicCreation: false,
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 5000 },
  });
  let running = false;
  let stopping = false;
  const wakeups = new Set<() => void>();
  const inFlight = new Set<Promise<void>>();
  /** Partitions whose current message was let go uncommitted (see eachMessage). */
  const released = new Set<string>();
  const partitionKey = (p: { topic: string; partition: number }) => `${p.topic}:${p.partition}`;
  const parkMs = options.pauseOnExhaustedMs ?? 5000;

  /** A sleep that `stop()` cuts short. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        wakeups.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      wakeups.add(done);
    });

  const commit = async (topic: string, partition: number, offset: string): Promise<void> => {
    try {
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(offset) + 1n).toString() }]);
      observer.onCommitted?.({ topic, partition, offset });
    } catch (err) {
      // Typically a rebalance took the partition away; its next owner redelivers the message.
      log.warn({ err, topic, partition, offset }, 'commit failed; the message will be redelivered');
    }
  };

  const deadLetter = async (p: EachMessagePayload, reason: string, code: string): Promise<void> => {
    const { topic, partition, message } = p;
    await options.producer.sendRaw(dlqName(topic), [
      {
        key: message.key,
        value: message.value,
        headers: deadLetterHeaders(message.headers, {
          reason,
          errorCode: code,
          topic,
          partition,
          offset: message.offset,
          groupId: options.groupId,
          failedAt: new Date(),
        }),
      },
    ]);
    observer.onDeadLettered?.({ topic, offset: message.offset, reason, code });
    log.warn({ topic, partition, offset: message.offset, code, reason }, 'message dead-lettered');
  };

  const process = async (p: EachMessagePayload, sub: Subscription): Promise<Outcome> => {
    const { topic, partition, message } = p;
    let event: EventOf<EventDefinition>;
    try {
      event = decodeEvent(sub.def, {
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
      });
    } catch (err) {
      const code = err instanceof CodecError ? err.code : 'UNDECODABLE';
      await deadLetter(p, errorMessage(err), code);
      return 'committed';
    }
    const msgLog = log.child({
      topic,
      partition,
      offset: message.offset,
      eventId: event.eventId,
      orderId: event.orderId,
      correlationId: event.correlationId,
    });
    // Retries come in cycles of `maxAttempts` with exponential backoff; between cycles the partition is
    // parked. The message is never skipped: the ones behind it (same key) must wait for it.
    for (let attempt = 1; ; attempt++) {
      try {
        await sub.handle(event, {
          topic,
          partition,
          offset: message.offset,
          headers: message.headers,
          attempt,
          logger: msgLog,
          heartbeat: () => p.heartbeat(),
        });
        observer.onHandled?.({ topic, partition, offset: message.offset, attempts: attempt });
        return 'committed';
      } catch (err) {
        const code = errorCode(err);
        if (!retriable(err)) {
          await deadLetter(p, errorMessage(err), code);
          return 'committed';
        }
        const cycleEnd = attempt % policy.maxAttempts === 0;
        const delayMs = cycleEnd ? parkMs : backoffDelay(policy, attempt % policy.maxAttempts);
        if (cycleEnd) {
          observer.onPaused?.({ topic, partition, offset: message.offset, resumeInMs: delayMs });
          msgLog.warn(
            { err, attempt, code, parkMs: delayMs },
            'retriable failure persists; parking the partition',
          );
        } else {
          observer.onRetry?.({ topic, offset: message.offset, attempt, delayMs, code });
          msgLog.info(
            { attempt, delayMs, code, reason: errorMessage(err) },
            'retriable failure; backing off',
          );
        }
        if (!(await sleepWithHeartbeat(delayMs, () => p.heartbeat()))) return 'redeliver';
      }
    }
  };

  /** Sleeps while heartbeating; false when interrupted by stop() or a rebalance (let the message go). */
  const sleepWithHeartbeat = async (ms: number, heartbeat: () => Promise<void>): Promise<boolean> => {
    const step = Math.max(100, Math.min(1000, (options.heartbeatIntervalMs ?? 1000) / 2));
    for (let left = ms; left > 0; left -= step) {
      if (stopping) return false;
      await sleep(Math.min(step, left));
      try {
        await heartbeat();
      } catch (err) {
        if (isRebalancing(err)) return false;
      }
    }
    return !stopping;
  };

  const eachMessage = (p: EachMessagePayload): Promise<void> => {
    // Once stopping, take nothing new: it stays uncommitted and the partition's next owner gets it.
    // A partition that let a message go uncommitted takes nothing more until the group rejoins and
    // restarts it from the last commit, so nothing behind that message is committed past it.
    if (stopping || released.has(partitionKey(p))) return Promise.resolve();
    const work = handleMessage(p);
    inFlight.add(work);
    return work.finally(() => inFlight.delete(work));
  };

  const handleMessage = async (p: EachMessagePayload): Promise<void> => {
    const sub = byTopic.get(p.topic);
    if (!sub) return;
    let outcome: Outcome;
    try {
      outcome = await process(p, sub);
    } catch (err) {
      // Dead-lettering itself failed (broker trouble): keep the message for later.
      log.error(
        { err, topic: p.topic, offset: p.message.offset },
        'could not process or dead-letter; will redeliver',
      );
      outcome = 'redeliver';
    }
    if (outcome === 'committed') await commit(p.topic, p.partition, p.message.offset);
    else released.add(partitionKey(p));
  };

  return {
    async start() {
      if (running) return;
      stopping = false;
      await options.producer.connect();
      await consumer.connect();
      consumer.on(consumer.events.GROUP_JOIN, () => released.clear());
      await consumer.subscribe({ topics: [...byTopic.keys()], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
        eachMessage,
      });
      running = true;
      log.info({ topics: [...byTopic.keys()] }, 'consumer running');
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      for (const wake of [...wakeups]) wake();
      // Stop fetching, let in-flight handlers finish and commit while the consumer still runs (kafkajs
      // silently drops commits once its runner has stopped), then leave the group.
      consumer.pause([...byTopic.keys()].map((topic) => ({ topic })));
      await Promise.allSettled([...inFlight]);
      await consumer.disconnect();
      running = false;
      log.info('consumer stopped');
    },
    isRunning: () => running && !stopping,
  };
}

export { headerString };
