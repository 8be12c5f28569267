import { OrderClosed, PaymentConfirmed, newEvent, type PaymentConfirmedEvent } from '@wxpay-saga/contracts';
import type { EventProducer } from '@wxpay-saga/messaging';
import { createParamsStore, type OrderStore, type SagaKeys } from '@wxpay-saga/order-store';
import { confirmationPayload, type OrderFacts } from '@wxpay-saga/orders';
import type { Redis } from '@wxpay-saga/redis';
import { WechatPayError, type Transaction, type WechatPayClient } from '@wxpay-saga/wechatpay';
import type { TradeState } from './decide.js';

export interface Effects {
  readonly wechat: Pick<WechatPayClient, 'queryByOutTradeNo' | 'closeOrder'>;
  readonly producer: EventProducer;
  readonly store: OrderStore;
  readonly redis: Redis;
  readonly keys: SagaKeys;
  readonly now: () => number;
}

export interface QueryAnswer {
  readonly state: TradeState;
  readonly tx?: Transaction;
}

/** WeChat's view of the order. ORDER_NOT_EXIST is an answer, not an error: prepay never happened. */
export async function queryWechat(fx: Effects, orderId: string): Promise<QueryAnswer> {
  try {
    const tx = await fx.wechat.queryByOutTradeNo(orderId);
    return { state: tx.trade_state as TradeState, tx };
  } catch (err) {
    if (err instanceof WechatPayError && err.code === 'ORDER_NOT_EXIST') return { state: 'NOT_EXIST' };
    throw err;
  }
}

/** The same event the gateway emits for a notification; the reducer makes the duplicate harmless. */
export function confirmationFrom(
  orderId: string,
  tx: Transaction,
  nowMs: number,
  correlationId: string,
  causationId: string | null,
): PaymentConfirmedEvent {
  return newEvent(PaymentConfirmed, {
    orderId,
    correlationId,
    causationId,
    payload: confirmationPayload(tx, { source: 'QUERY', notificationId: null, nowMs }),
  });
}

export async function confirm(
  fx: Effects,
  facts: OrderFacts,
  tx: Transaction,
  correlationId: string,
): Promise<void> {
  const event = confirmationFrom(facts.orderId, tx, fx.now(), correlationId, null);
  await fx.producer.publish(PaymentConfirmed, event);
  await fx.store.apply(event);
}

/** Emits OrderClosed and stops serving the payment parameters. */
export async function closeLocally(
  fx: Effects,
  facts: OrderFacts,
  reason: 'USER_CANCEL' | 'EXPIRED' | 'WECHAT_CLOSED',
  wechatTradeState: 'CLOSED' | 'NOT_EXIST',
  correlationId: string,
): Promise<void> {
  const event = newEvent(OrderClosed, {
    orderId: facts.orderId,
    correlationId,
    causationId: null,
    payload: { reason, closedAt: new Date(fx.now()).toISOString(), wechatTradeState },
  });
  await createParamsStore(fx.redis, fx.keys).invalidate(facts.orderId);
  await fx.producer.publish(OrderClosed, event);
  await fx.store.apply(event);
}
