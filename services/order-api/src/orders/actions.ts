import { OrderCloseRequested, OrderSyncRequested, newEvent } from '@wxpay-saga/contracts';
import type { EventProducer } from '@wxpay-saga/messaging';
import type { OrderStore, PaymentParamsRecord } from '@wxpay-saga/order-store';
import {
  isFinal,
  isPayable,
  ownerOf,
  statusOf,
  toView,
  type OrderFacts,
  type OrderView,
} from '@wxpay-saga/orders';
import { ApiError } from '../http/errors.js';

export interface OrderActionDeps {
  readonly store: OrderStore;
  readonly producer: EventProducer;
  readonly readParams: (orderId: string) => Promise<PaymentParamsRecord | undefined>;
  readonly readSyncResult: (requestEventId: string) => Promise<string | undefined>;
  readonly syncWaitMs: number;
  readonly now: () => number;
  /**
   * Republishes an order's original OrderPlaced, at most once per few seconds per order. Used when a
   * prepared order's parameters are gone (Redis was lost) so the payment worker prepares them again.
   */
  readonly redrive: (facts: OrderFacts) => Promise<void>;
}

/** The order if it exists and belongs to `openid`; otherwise 404 (never reveal other users' orders). */
export async function ownedOrder(
  store: OrderStore,
  openid: string,
  orderId: string,
): Promise<OrderFacts & { placed: NonNullable<OrderFacts['placed']> }> {
  const facts = await store.get(orderId);
  if (!facts?.placed || ownerOf(facts) !== openid)
    throw new ApiError('ORDER_NOT_FOUND', `order ${orderId} not found`);
  return facts as OrderFacts & { placed: NonNullable<OrderFacts['placed']> };
}

export const viewOf = (facts: OrderFacts): OrderView => toView(facts)!;

export type PaymentAnswer =
  { kind: 'ready'; params: PaymentParamsRecord['params'] } | { kind: 'pending'; retryAfterSeconds: number };

/** The cached parameters, signed once by the payment worker. Never calls WeChat, never re-signs. */
export async function paymentFor(deps: OrderActionDeps, facts: OrderFacts): Promise<PaymentAnswer> {
  const status = statusOf(facts);
  if (isFinal(facts) || facts.cancelRequested || Date.parse(facts.placed!.expiresAt) <= deps.now()) {
    throw new ApiError(
      'ORDER_NOT_PAYABLE',
      `order is ${facts.cancelRequested && !isFinal(facts) ? 'being cancelled' : status === 'PLACED' || status === 'PAYABLE' ? 'expired' : status}`,
      { status },
    );
  }
  const cached = await deps.readParams(facts.orderId);
  if (cached && (isPayable(facts) || status === 'PLACED')) return { kind: 'ready', params: cached.params };
  // Prepared once, but the signed parameters are gone (Redis lost): have them prepared again.
  if (!cached && facts.prepared) await deps.redrive(facts);
  return { kind: 'pending', retryAfterSeconds: 1 };
}

/**
 * "Ask the server to check": a sync request goes through the saga (the reconciler queries WeChat and
 * emits what it learns); we wait briefly for the order to settle or for the reconciler's answer.
 */
export async function syncOrder(
  deps: OrderActionDeps,
  facts: OrderFacts,
  correlationId: string,
): Promise<OrderView> {
  if (isFinal(facts)) return viewOf(facts);
  const event = newEvent(OrderSyncRequested, {
    orderId: facts.orderId,
    correlationId,
    causationId: null,
    payload: { requestedAt: new Date(deps.now()).toISOString() },
  });
  await deps.producer.publish(OrderSyncRequested, event);
  const deadline = deps.now() + deps.syncWaitMs;
  let latest = facts;
  while (deps.now() < deadline) {
    latest = (await deps.store.get(facts.orderId)) ?? latest;
    if (isFinal(latest)) break;
    const answered = await deps.readSyncResult(event.eventId);
    if (answered) {
      latest = (await deps.store.get(facts.orderId)) ?? latest;
      if (answered !== 'SUCCESS' || isFinal(latest)) break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return viewOf(latest);
}

/** Records the user's wish; the reconciler closes at WeChat in the safe order and emits OrderClosed. */
export async function cancelOrder(
  deps: OrderActionDeps,
  facts: OrderFacts,
  correlationId: string,
): Promise<OrderView> {
  if (isFinal(facts)) {
    throw new ApiError('ORDER_NOT_CANCELLABLE', `order is already ${statusOf(facts)}`, {
      status: statusOf(facts),
    });
  }
  if (!facts.cancelRequested) {
    const event = newEvent(OrderCloseRequested, {
      orderId: facts.orderId,
      correlationId,
      causationId: null,
      payload: { reason: 'USER_CANCEL', requestedAt: new Date(deps.now()).toISOString() },
    });
    await deps.producer.publish(OrderCloseRequested, event);
    await deps.store.apply(event);
  }
  return viewOf((await deps.store.get(facts.orderId)) ?? facts);
}
