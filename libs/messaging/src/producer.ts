import type { Kafka, Producer, IHeaders } from 'kafkajs';
import { encodeEvent, prefixed, type EventDefinition, type EventOf } from '@wxpay-saga/contracts';
import type { Logger } from '@wxpay-saga/observability';
import { MessagingError, errorMessage } from './errors.js';

export interface RawMessage {
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: IHeaders;
}

export interface EventProducer {
  connect(): Promise<void>;
  /**
   * Validates, encodes and sends one event keyed by its orderId. Resolves only when the broker
   * acknowledged it (acks=-1: every in-sync replica); rejects with BROKER_UNAVAILABLE or SEND_TIMEOUT
   * within `sendTimeoutMs`, so a caller with a deadline (WeChat's 5 s) can answer in time.
   */
  publish<D extends EventDefinition>(def: D, event: EventOf<D>): Promise<void>;
  /** Sends already-encoded messages to a topic (used for dead-lettering); same guarantees. */
  sendRaw(topic: string, messages: readonly RawMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ProducerOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly topicPrefix?: string;
  readonly sendTimeoutMs?: number;
}

export function createProducer(options: ProducerOptions): EventProducer {
  const sendTimeoutMs = options.sendTimeoutMs ?? 4000;
  // Idempotent: the broker drops the duplicates our own retries would create. One request in flight
  // keeps per-partition order across retries. Retries are bounded (kafkajs warns about that) because a
  // producer that never gives up cannot report "broker unavailable" to its caller; a send that fails
  // here is reported, and the caller's own retry (or WeChat's) resends, which consumers absorb.
  const producer: Producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  let connected: Promise<void> | undefined;

  const connect = (): Promise<void> => {
    connected ??= withDeadline(producer.connect(), sendTimeoutMs, 'connecting to Kafka').catch(
      (err: unknown) => {
        connected = undefined;
        if (err instanceof MessagingError) throw err;
        throw new MessagingError('BROKER_UNAVAILABLE', `Kafka unreachable: ${errorMessage(err)}`, true, {
          cause: err,
        });
      },
    );
    return connected;
  };

  const sendRaw = async (topic: string, messages: readonly RawMessage[]): Promise<void> => {
    await connect();
    try {
      await withDeadline(
        producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m })) }),
        sendTimeoutMs,
        `sending to ${topic}`,
      );
    } catch (err) {
      if (err instanceof MessagingError) throw err;
      throw new MessagingError(
        'BROKER_UNAVAILABLE',
        `Kafka did not accept the message for ${topic}: ${errorMessage(err)}`,
        true,
        {
          cause: err,
        },
      );
    }
  };

  return {
    connect,
    sendRaw,
    async publish(def, event) {
      const encoded = encodeEvent(def, event);
      await sendRaw(prefixed(options.topicPrefix ?? '', def.topic.name), [encoded]);
    },
    async disconnect() {
      connected = undefined;
      await producer.disconnect();
    },
  };
}

/** Rejects with a coded, retriable error when `p` has not settled within `ms`. */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new MessagingError(
            'BROKER_UNAVAILABLE',
            `Kafka unreachable: ${what} took longer than ${ms} ms`,
            true,
          ),
        ),
      ms,
    );
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
