import { z } from 'zod';
import { hostPortList, logLevel, positiveInt } from './fields.js';

/**
 * Variables every service reads. Names are contracts shared with `npm start`, docker-compose and CI:
 * add, never rename.
 */
export const commonEnv = z.object({
  LOG_LEVEL: logLevel(),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
});

export const kafkaEnv = z.object({
  KAFKA_BROKERS: hostPortList().default(['127.0.0.1:9092']),
  /** Prepended to every topic name; tests use it to isolate themselves on a shared broker. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may contain only A-Z a-z 0-9 . _ -')
    .default(''),
  /** Prepended to every consumer group id. */
  KAFKA_GROUP_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'may contain only A-Z a-z 0-9 . _ -')
    .default('wxpay-saga'),
  /** Upper bound for a produce to be acknowledged before the caller gets BROKER_UNAVAILABLE. */
  KAFKA_SEND_TIMEOUT_MS: positiveInt(4000),
});

export const redisEnv = z.object({
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /** Prepended to every key; tests use it to isolate themselves on a shared Redis. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:._-]*$/, 'may contain only A-Z a-z 0-9 : . _ -')
    .default('wxpay:'),
});

export type CommonEnv = z.infer<typeof commonEnv>;
export type KafkaEnv = z.infer<typeof kafkaEnv>;
export type RedisEnv = z.infer<typeof redisEnv>;
