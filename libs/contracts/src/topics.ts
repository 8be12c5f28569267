import type { TopicDefinition } from './envelope.js';

const DAY = 24 * 60 * 60 * 1000;

/** Topic names follow `<domain>.<event>.v<N>`; a new payload version is a new topic. */
export const TOPIC_NAME = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;

const topic = (name: string, partitions: number, retentionDays: number): TopicDefinition => {
  if (!TOPIC_NAME.test(name)) throw new Error(`topic name ${name} does not follow <domain>.<event>.v<N>`);
  return Object.freeze({ name, partitions, retentionMs: retentionDays * DAY });
};

/**
 * Every topic the system uses, with its partition count: the one place to read them.
 * All are keyed by order id. Partitions bound how many instances of a consumer group can work in
 * parallel; scale by raising them (new topics) and adding instances. Retention outlives the longest
 * order life (15 min) and WeChat's 24 h notification window many times over, so a replay can rebuild
 * every view.
 */
export const TOPICS = Object.freeze({
  orderPlaced: topic('orders.order-placed.v1', 6, 30),
  orderCloseRequested: topic('orders.close-requested.v1', 6, 30),
  orderSyncRequested: topic('orders.sync-requested.v1', 6, 7),
  orderClosed: topic('orders.order-closed.v1', 6, 30),
  paymentPrepared: topic('payments.payment-prepared.v1', 6, 30),
  paymentFailed: topic('payments.payment-failed.v1', 6, 30),
  paymentConfirmed: topic('payments.payment-confirmed.v1', 6, 30),
  refundNotified: topic('payments.refund-notified.v1', 3, 30),
  /** Alerts: money arrived for an order we had closed (refund or fulfil it). */
  orderPaidAfterClose: topic('orders.paid-after-close.v1', 3, 90),
  /** The mechanism's own test event (foundation tests). */
  testEvent: topic('testing.test-event.v1', 3, 1),
});

export type TopicKey = keyof typeof TOPICS;

/** Where a consumer sends what it cannot process. */
export const dlqName = (topicName: string): string => `${topicName}.dlq`;

/** Applies a deployment/test prefix (`KAFKA_TOPIC_PREFIX`) to a topic name. */
export const prefixed = (prefix: string, topicName: string): string => `${prefix}${topicName}`;
