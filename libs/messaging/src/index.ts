export { createKafka, type KafkaClientOptions } from './kafka.js';
export {
  createProducer,
  withDeadline,
  type EventProducer,
  type ProducerOptions,
  type RawMessage,
} from './producer.js';
export {
  createConsumerRunner,
  subscribe,
  headerString,
  type ConsumerRunner,
  type ConsumerRunnerOptions,
  type MessageContext,
  type RunnerObserver,
  type Subscription,
} from './consumer.js';
export { ensureTopics, kafkaHealthCheck, type ProvisionOptions } from './admin.js';
export { DLQ_HEADERS, deadLetterHeaders, type DeadLetterInfo } from './dlq.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export {
  MessagingError,
  RetriableError,
  PermanentError,
  MESSAGING_ERRORS,
  isRetriable,
  errorCode,
  errorMessage,
  type MessagingErrorCode,
} from './errors.js';
export type { Kafka } from 'kafkajs';
export { startMessaging, SAGA_TOPICS, type MessagingSettings } from './bootstrap.js';
