import {
  OrderCloseRequested,
  OrderPaidAfterClose,
  OrderSyncRequested,
  ORDER_LIFECYCLE,
  newEvent,
  type OrderSyncRequestedEvent,
} from '@wxpay-saga/contracts';
import { subscribe, type Subscription } from '@wxpay-saga/messaging';
import { flagsOf, isFinal, statusOf, type OrderEvent, type OrderFacts } from '@wxpay-saga/orders';
import { runQuery, type ActionDeps } from './actions.js';
import { ladderDelayMs } from './decide.js';
import type { OrderLocks } from './locks.js';

/**
 * Keeps each open order's timers in line with what is known about it. Timers are added with NX, so
 * replays and duplicates never move them; a final order loses all of its timers.
 */
export async function alignTimers(d: ActionDeps, facts: OrderFacts | undefined): Promise<void> {
  if (!facts?.placed) return;
  if (isFinal(facts)) {
    await d.timers.cancelAll(facts.orderId);
    await alertIfPaidAfterClose(d, facts);
    return;
  }
  await d.timers.markOpen(facts.orderId);
  await d.timers.ensure(facts.orderId, 'expire', Date.parse(facts.placed.expiresAt));
  await d.timers.ensure(facts.orderId, 'query', d.now() + ladderDelayMs(d.ladderSeconds, 0));
  if (facts.cancelRequested) await d.timers.ensure(facts.orderId, 'cancel', d.now());
}

/** Once per order: money arrived for an order we had closed. Tell the merchant (refund or fulfil). */
async function alertIfPaidAfterClose(d: ActionDeps, facts: OrderFacts): Promise<void> {
  if (!flagsOf(facts).paidAfterClose || !facts.confirmed || !facts.closed) return;
  const first = await d.redis.set(d.keys.alerted(facts.orderId), '1', 'NX');
  if (first !== 'OK') return;
  await d.producer.publish(
    OrderPaidAfterClose,
    newEvent(OrderPaidAfterClose, {
      orderId: facts.orderId,
      correlationId: facts.confirmed.eventId,
      causationId: facts.confirmed.eventId,
      payload: {
        transactionId: facts.confirmed.transactionId,
        amount: facts.confirmed.amount.total,
        successTime: facts.confirmed.successTime,
        closedAt: facts.closed.closedAt,
        closeReason: facts.closed.reason,
        detectedAt: new Date(d.now()).toISOString(),
      },
    }),
  );
  d.logger.warn(
    { orderId: facts.orderId, transactionId: facts.confirmed.transactionId },
    'paid after close: refund or fulfil',
  );
}

/** "Ask the server to check": query now under the order's lock and leave the answer for order-api. */
async function handleSync(d: ActionDeps, locks: OrderLocks, event: OrderSyncRequestedEvent): Promise<void> {
  const resultKey = d.keys.syncResult(event.eventId);
  const facts = await d.store.get(event.orderId);
  if (facts && isFinal(facts)) {
    await d.redis.set(resultKey, statusOf(facts) ?? 'UNKNOWN', 'EX', 60);
    return;
  }
  const r = await locks.withLock(event.orderId, () => runQuery(d, event.orderId, event.correlationId), 1500);
  await d.redis.set(
    resultKey,
    r.ran ? (r.value === 'confirmed' ? 'SUCCESS' : r.value.toUpperCase()) : 'BUSY',
    'EX',
    60,
  );
}

export function reconcilerSubscriptions(d: ActionDeps, locks: OrderLocks): Subscription[] {
  const onOrderEvent = async (event: OrderEvent) => {
    await d.store.apply(event);
    await alignTimers(d, await d.store.get(event.orderId));
  };
  return [
    ...[...ORDER_LIFECYCLE, OrderCloseRequested].map((def) => subscribe(def, (e) => onOrderEvent(e))),
    subscribe(OrderSyncRequested, (e) => handleSync(d, locks, e)),
  ];
}
