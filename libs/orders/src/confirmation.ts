import type { PaymentConfirmedEvent } from '@wxpay-saga/contracts';

/** The fields of WeChat's transaction (query answer or notification resource, §2.3) a confirmation needs. */
export interface TransactionLike {
  readonly appid: string;
  readonly mchid: string;
  readonly transaction_id?: string;
  readonly success_time?: string;
  readonly payer?: { readonly openid?: string };
  readonly amount?: {
    readonly total?: number;
    readonly payer_total?: number;
    readonly currency?: string;
    readonly payer_currency?: string;
  };
}

/**
 * PaymentConfirmed's payload from WeChat's transaction, the same whether a notification or our own query
 * learned of it, so the two confirmations of one payment carry the same facts.
 */
export function confirmationPayload(
  tx: TransactionLike,
  how: { source: 'NOTIFICATION' | 'QUERY'; notificationId: string | null; nowMs: number },
): PaymentConfirmedEvent['payload'] {
  const total = tx.amount?.total ?? 0;
  const currency = tx.amount?.currency ?? 'CNY';
  return {
    transactionId: tx.transaction_id ?? '',
    tradeState: 'SUCCESS',
    successTime: tx.success_time ?? new Date(how.nowMs).toISOString(),
    amount: {
      total,
      payerTotal: tx.amount?.payer_total ?? total,
      currency,
      payerCurrency: tx.amount?.payer_currency ?? currency,
    },
    payerOpenid: tx.payer?.openid ?? '',
    appid: tx.appid,
    mchid: tx.mchid,
    source: how.source,
    notificationId: how.notificationId,
    confirmedAt: new Date(how.nowMs).toISOString(),
  };
}
