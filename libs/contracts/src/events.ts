import { z } from 'zod';
import { Timestamp, defineEvent, type EventOf } from './envelope.js';
import { TOPICS } from './topics.js';

/** Amounts are integer fen (分), > 0, as WeChat Pay requires (wechatpay-v3.md §2.1). */
export const Fen = z.number().int('must be an integer number of fen').positive('must be > 0');
export const Currency = z.literal('CNY');

export const OrderItem = z.object({
  sku: z.string().min(1).max(64),
  name: z.string().min(1).max(64),
  quantity: z.number().int().min(1).max(99),
  unitPrice: Fen,
  lineTotal: Fen,
});

/** The order as placed. Everything the payment worker sends to WeChat comes from here. */
export const OrderPlaced = defineEvent({
  type: 'OrderPlaced',
  version: 1,
  topic: TOPICS.orderPlaced,
  payload: z.object({
    payer: z.object({ openid: z.string().min(1).max(128) }),
    items: z.array(OrderItem).min(1).max(20),
    total: Fen,
    currency: Currency,
    /** ≤ 127 characters of 1–3-byte UTF-8 (§2.1); shown in the payer's bill. */
    description: z.string().min(1).max(127),
    placedAt: Timestamp,
    /** The last moment the user may pay; sent to WeChat as `time_expire`. */
    expiresAt: Timestamp,
    /** sha256 of the Idempotency-Key and of the canonical request, so a replay can be recognised after Redis loss. */
    idempotencyKeyHash: z.string().regex(/^[0-9a-f]{64}$/),
    requestFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  }),
});

export const PaymentPrepared = defineEvent({
  type: 'PaymentPrepared',
  version: 1,
  topic: TOPICS.paymentPrepared,
  payload: z.object({
    prepayId: z.string().min(1).max(64),
    preparedAt: Timestamp,
    /** When the cached wx.requestPayment parameters stop being served. */
    paramsExpireAt: Timestamp,
  }),
});

export const PaymentFailed = defineEvent({
  type: 'PaymentFailed',
  version: 1,
  topic: TOPICS.paymentFailed,
  payload: z.object({
    stage: z.enum(['PREPAY']),
    /** WeChat's error code (normalised spelling) or one of ours, e.g. ORDER_EXPIRED. */
    code: z.string().min(1).max(64),
    message: z.string().max(256),
    httpStatus: z.number().int().nullable(),
    failedAt: Timestamp,
  }),
});

export const PaymentConfirmed = defineEvent({
  type: 'PaymentConfirmed',
  version: 1,
  topic: TOPICS.paymentConfirmed,
  payload: z.object({
    transactionId: z.string().min(1).max(32),
    tradeState: z.literal('SUCCESS'),
    successTime: Timestamp,
    amount: z.object({
      total: Fen,
      payerTotal: z.number().int().min(0),
      currency: z.string().min(1).max(16),
      payerCurrency: z.string().min(1).max(16),
    }),
    payerOpenid: z.string().min(1).max(128),
    appid: z.string().min(1).max(32),
    mchid: z.string().min(1).max(32),
    /** Who learned of the payment: WeChat's notification (with its id) or our own query. */
    source: z.enum(['NOTIFICATION', 'QUERY']),
    notificationId: z.string().max(64).nullable(),
    confirmedAt: Timestamp,
  }),
});

export const CloseReason = z.enum(['USER_CANCEL', 'EXPIRED', 'WECHAT_CLOSED', 'PAYMENT_FAILED']);

export const OrderCloseRequested = defineEvent({
  type: 'OrderCloseRequested',
  version: 1,
  topic: TOPICS.orderCloseRequested,
  payload: z.object({ reason: z.enum(['USER_CANCEL']), requestedAt: Timestamp }),
});

export const OrderClosed = defineEvent({
  type: 'OrderClosed',
  version: 1,
  topic: TOPICS.orderClosed,
  payload: z.object({
    reason: CloseReason,
    closedAt: Timestamp,
    /** What WeChat said when we closed: CLOSED, or NOT_EXIST when prepay never happened. */
    wechatTradeState: z.enum(['CLOSED', 'NOT_EXIST']),
  }),
});

export const OrderSyncRequested = defineEvent({
  type: 'OrderSyncRequested',
  version: 1,
  topic: TOPICS.orderSyncRequested,
  payload: z.object({ requestedAt: Timestamp }),
});

/** Refund notifications are verified and recorded now; the refund saga consumes them later. */
export const RefundNotified = defineEvent({
  type: 'RefundNotified',
  version: 1,
  topic: TOPICS.refundNotified,
  payload: z.object({
    notificationId: z.string().max(64),
    eventType: z.string().max(32),
    outRefundNo: z.string().max(64),
    refundId: z.string().max(64),
    refundStatus: z.string().max(32),
    refund: z.number().int().min(0),
    total: z.number().int().min(0),
    successTime: Timestamp.nullable(),
  }),
});

/**
 * Published once when an order is both closed and paid (the user paid while, or after, we closed it):
 * the order is PAID and flagged; the merchant decides to refund or to fulfil.
 */
export const OrderPaidAfterClose = defineEvent({
  type: 'OrderPaidAfterClose',
  version: 1,
  topic: TOPICS.orderPaidAfterClose,
  payload: z.object({
    transactionId: z.string().min(1).max(32),
    amount: Fen,
    successTime: Timestamp,
    closedAt: Timestamp,
    closeReason: CloseReason,
    detectedAt: Timestamp,
  }),
});

/** The mechanism's own event, used by the messaging tests. */
export const TestEvent = defineEvent({
  type: 'TestEvent',
  version: 1,
  topic: TOPICS.testEvent,
  payload: z.object({ seq: z.number().int().min(0), note: z.string().max(256) }),
});

export type OrderPlacedEvent = EventOf<typeof OrderPlaced>;
export type PaymentPreparedEvent = EventOf<typeof PaymentPrepared>;
export type PaymentFailedEvent = EventOf<typeof PaymentFailed>;
export type PaymentConfirmedEvent = EventOf<typeof PaymentConfirmed>;
export type OrderCloseRequestedEvent = EventOf<typeof OrderCloseRequested>;
export type OrderClosedEvent = EventOf<typeof OrderClosed>;
export type OrderSyncRequestedEvent = EventOf<typeof OrderSyncRequested>;
export type RefundNotifiedEvent = EventOf<typeof RefundNotified>;
export type TestEventEvent = EventOf<typeof TestEvent>;
export type OrderPaidAfterCloseEvent = EventOf<typeof OrderPaidAfterClose>;

/** Events that change an order's state, in the order view and the reconciler. */
export const ORDER_LIFECYCLE = [
  OrderPlaced,
  PaymentPrepared,
  PaymentFailed,
  PaymentConfirmed,
  OrderClosed,
] as const;
export type OrderLifecycleEvent =
  OrderPlacedEvent | PaymentPreparedEvent | PaymentFailedEvent | PaymentConfirmedEvent | OrderClosedEvent;

export const ALL_EVENTS = [
  OrderPlaced,
  PaymentPrepared,
  PaymentFailed,
  PaymentConfirmed,
  OrderCloseRequested,
  OrderClosed,
  OrderSyncRequested,
  RefundNotified,
  OrderPaidAfterClose,
  TestEvent,
] as const;
