import {
  PaymentConfirmed,
  RefundNotified,
  newEvent,
  type PaymentConfirmedEvent,
  type RefundNotifiedEvent,
} from '@wxpay-saga/contracts';
import type { VerifiedRefundNotification, VerifiedTransactionNotification } from '@wxpay-saga/wechatpay';

/** A verified TRANSACTION.SUCCESS notification, as the event every other service understands. */
export function paymentConfirmedFrom(
  n: VerifiedTransactionNotification,
  nowMs: number,
): PaymentConfirmedEvent {
  const t = n.transaction;
  return newEvent(PaymentConfirmed, {
    orderId: t.out_trade_no,
    correlationId: n.id,
    causationId: null,
    payload: {
      transactionId: t.transaction_id ?? '',
      tradeState: 'SUCCESS',
      successTime: t.success_time ?? '',
      amount: {
        total: t.amount?.total ?? 0,
        payerTotal: t.amount?.payer_total ?? t.amount?.total ?? 0,
        currency: t.amount?.currency ?? 'CNY',
        payerCurrency: t.amount?.payer_currency ?? t.amount?.currency ?? 'CNY',
      },
      payerOpenid: t.payer?.openid ?? '',
      appid: t.appid,
      mchid: t.mchid,
      source: 'NOTIFICATION',
      notificationId: n.id,
      confirmedAt: new Date(nowMs).toISOString(),
    },
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
