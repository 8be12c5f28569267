import type {
  OrderCloseRequestedEvent,
  OrderClosedEvent,
  OrderLifecycleEvent,
  OrderPlacedEvent,
  PaymentConfirmedEvent,
  PaymentFailedEvent,
  PaymentPreparedEvent,
} from '@wxpay-saga/contracts';

/**
 * The order's state is a set of facts, one slot per kind of event. Merging a fact into a slot keeps the
 * one with the smallest eventId, so merging is commutative, associative and idempotent: any order and
 * any duplication of a history yields the same facts, and the status is a function of the facts.
 * Payment is a fact: once confirmed, an order is PAID whatever else is known (a late close is kept and
 * flagged, never allowed to undo it).
 */
export type OrderStatus = 'PLACED' | 'PAYABLE' | 'PAID' | 'FAILED' | 'CLOSED';
export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['PAID', 'FAILED', 'CLOSED']);

type Fact<E extends { eventId: string; payload: unknown }> = E['payload'] & {
  eventId: string;
  occurredAt: string;
  /** Kept so the original event can be rebuilt exactly (see placedEventOf). */
  correlationId?: string;
};

export interface OrderFacts {
  readonly orderId: string;
  readonly placed?: Fact<OrderPlacedEvent>;
  readonly prepared?: Fact<PaymentPreparedEvent>;
  readonly failed?: Fact<PaymentFailedEvent>;
  readonly confirmed?: Fact<PaymentConfirmedEvent>;
  readonly closed?: Fact<OrderClosedEvent>;
  readonly cancelRequested?: Fact<OrderCloseRequestedEvent>;
}

export type OrderEvent = OrderLifecycleEvent | OrderCloseRequestedEvent;

export type FactSlot = keyof Omit<OrderFacts, 'orderId'>;

const SLOT: Record<OrderEvent['type'], FactSlot> = {
  OrderPlaced: 'placed',
  PaymentPrepared: 'prepared',
  PaymentFailed: 'failed',
  PaymentConfirmed: 'confirmed',
  OrderClosed: 'closed',
  OrderCloseRequested: 'cancelRequested',
};

export const emptyFacts = (orderId: string): OrderFacts => ({ orderId });

export const slotOf = (event: OrderEvent): FactSlot => SLOT[event.type];

/** The fact an event contributes: its payload plus the identity used to pick a winner. */
export const factOf = (event: OrderEvent) => ({
  ...event.payload,
  eventId: event.eventId,
  occurredAt: event.occurredAt,
  correlationId: event.correlationId,
});

export function applyEvent(facts: OrderFacts, event: OrderEvent): OrderFacts {
  if (event.orderId !== facts.orderId)
    throw new Error(`event for ${event.orderId} applied to ${facts.orderId}`);
  const slot = SLOT[event.type];
  const incoming = factOf(event);
  const current = facts[slot];
  if (current && current.eventId <= incoming.eventId) return facts;
  return { ...facts, [slot]: incoming };
}

export const reduce = (orderId: string, events: readonly OrderEvent[]): OrderFacts =>
  events.reduce(applyEvent, emptyFacts(orderId));

/**
 * Which fact decides the status, strongest first. The order store's Lua script receives this same list,
 * so status is defined once.
 */
export const STATUS_PRECEDENCE: readonly (readonly [FactSlot, OrderStatus])[] = [
  ['confirmed', 'PAID'],
  ['closed', 'CLOSED'],
  ['failed', 'FAILED'],
  ['prepared', 'PAYABLE'],
  ['placed', 'PLACED'],
];

export function statusOf(f: OrderFacts): OrderStatus | undefined {
  return STATUS_PRECEDENCE.find(([slot]) => f[slot] !== undefined)?.[1];
}

export interface OrderFlags {
  /** Paid although we had closed it (a raced or late payment): refund or fulfil. */
  readonly paidAfterClose: boolean;
  /** WeChat confirmed a total different from the order's: never silently accepted. */
  readonly amountMismatch: boolean;
}

export function flagsOf(f: OrderFacts): OrderFlags {
  return {
    paidAfterClose: Boolean(f.confirmed && f.closed),
    amountMismatch: Boolean(f.confirmed && f.placed && f.confirmed.amount.total !== f.placed.total),
  };
}

export const isFinal = (f: OrderFacts): boolean => {
  const s = statusOf(f);
  return s !== undefined && FINAL_STATUSES.has(s);
};

/** Whether the user may still be handed wx.requestPayment parameters. */
export const isPayable = (f: OrderFacts): boolean => statusOf(f) === 'PAYABLE' && !f.cancelRequested;
