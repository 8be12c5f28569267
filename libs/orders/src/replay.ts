import { OrderPlaced, newEvent, type OrderPlacedEvent } from '@wxpay-saga/contracts';
import type { OrderFacts } from './reducer.js';

/**
 * The OrderPlaced event exactly as first published (same eventId, time and payload), rebuilt from the
 * facts. Publishing it again is a true duplicate: consumers are idempotent, and the payment worker sends
 * WeChat byte-identical prepay parameters, so WeChat answers with the same order (§2.1).
 */
export function placedEventOf(facts: OrderFacts): OrderPlacedEvent | undefined {
  const fact = facts.placed;
  if (!fact) return undefined;
  const { eventId, occurredAt, correlationId, ...payload } = fact;
  return newEvent(OrderPlaced, {
    eventId,
    occurredAt,
    orderId: facts.orderId,
    correlationId: correlationId ?? eventId,
    causationId: null,
    payload: OrderPlaced.payload.parse(payload),
  });
}
