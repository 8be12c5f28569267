import {
  PaymentConfirmed,
  RefundNotified,
  newEvent,
  type PaymentConfirmedEvent,
  type RefundNotifiedEvent,
} from '@wxpay-saga/contracts';
import { confirmationPayload } from '@wxpay-saga/orders';
import type { VerifiedRefundNotification, VerifiedTransactionNotification } from '@wxpay-saga/wechatpay';

/** A verified TRANSACTION.SUCCESS notification, as the event every other service understands. */
export function paymentConfirmedFrom(
  n: VerifiedTransactionNotification,
  nowMs: number,
): PaymentConfirmedEvent {
  return newEvent(PaymentConfirmed, {
    orderId: n.transaction.out_trade_no,
    correlationId: n.id,
    causationId: null,
    payload: confirmationPayload(n.transaction, { source: 'NOTIFICATION', notificationId: n.id, nowMs }),
  });
}

export function refundNotifiedFrom(n: VerifiedRefundNotification): RefundNotifiedEvent {
  const r = n.refund;
  return newEvent(RefundNotified, {
    orderId: r.out_trade_no,
    correlationId: n.id,
    causationId: null,
    payload: {
      notificationId: n.id,
      eventType: n.eventType,
      outRefundNo: r.out_refund_no,
      refundId: r.refund_id,
      refundStatus: r.refund_status,
      refund: r.amount.refund,
      total: r.amount.total,
      successTime: r.success_time ?? null,
    },
  });
}
