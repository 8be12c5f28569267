/** The JSON shapes WeChat answers with (§2.3, §2.5, §6.1, §6.3), and the ledger shape of the control API. */
import { rfc3339 } from './ids.js';
import type { OrderRecord, RefundRecord, TradeState } from './state.js';

/** NOTPAY and SUCCESS are observed strings (§3.1); CLOSED and REFUND are UNCONFIRMED. */
const TRADE_STATE_DESC: Record<TradeState, string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  CLOSED: '订单已关闭',
  REFUND: '订单发生过退款',
};

const USER_RECEIVED_ACCOUNT = '支付用户零钱';

/**
 * §2.3 (observed payloads): an unpaid or closed order has no transaction_id, payer, success_time or
 * attach, and its amount has no payer_total; a paid one has all of them.
 */
export function transactionView(order: OrderRecord): Record<string, unknown> {
  const common = {
    appid: order.appid,
    mchid: order.mchid,
    out_trade_no: order.out_trade_no,
    promotion_detail: [],
    trade_state: order.trade_state,
    trade_state_desc: TRADE_STATE_DESC[order.trade_state],
  };
  if (
    order.trade_state === 'NOTPAY' ||
    order.trade_state === 'CLOSED' ||
    order.transaction_id === undefined
  ) {
    return {
      ...common,
      amount: { payer_currency: order.amount.currency, total: order.amount.total },
      scene_info: { device_id: '' },
    };
  }
  return {
    ...common,
    transaction_id: order.transaction_id,
    trade_type: 'JSAPI',
    bank_type: 'OTHERS',
    attach: order.attach ?? '',
    success_time: rfc3339(order.successMs ?? order.createdMs),
    payer: { openid: order.payer.openid },
    amount: {
      total: order.amount.total,
      payer_total: order.amount.total,
      currency: order.amount.currency,
      payer_currency: order.amount.currency,
    },
  };
}

/** The Refund object of create and query (§2.5); `success_time` only once SUCCESS. */
export function refundView(r: RefundRecord): Record<string, unknown> {
  return {
    refund_id: r.refund_id,
    out_refund_no: r.out_refund_no,
    transaction_id: r.transaction_id,
    out_trade_no: r.out_trade_no,
    channel: 'ORIGINAL',
    user_received_account: USER_RECEIVED_ACCOUNT,
    ...(r.successMs !== undefined ? { success_time: rfc3339(r.successMs) } : {}),
    create_time: rfc3339(r.createdMs),
    status: r.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: r.amount.total,
      refund: r.amount.refund,
      from: [],
      payer_total: r.amount.total,
      payer_refund: r.amount.refund,
      settlement_refund: r.amount.refund,
      settlement_total: r.amount.total,
      discount_refund: 0,
      currency: r.amount.currency,
      refund_fee: 0,
    },
    promotion_detail: [],
  };
}

/** §6.3: the refund notification plaintext names the status `refund_status`, not `status`. */
export function refundNotificationView(r: RefundRecord): Record<string, unknown> {
  return {
    mchid: r.mchid,
    out_trade_no: r.out_trade_no,
    transaction_id: r.transaction_id,
    out_refund_no: r.out_refund_no,
    refund_id: r.refund_id,
    refund_status: r.status,
    success_time: rfc3339(r.successMs ?? r.createdMs),
    user_received_account: USER_RECEIVED_ACCOUNT,
    amount: {
      total: r.amount.total,
      refund: r.amount.refund,
      payer_total: r.amount.total,
      payer_refund: r.amount.refund,
    },
  };
}

const time = (ms: number | undefined) => (ms === undefined ? null : rfc3339(ms));

/** One ledger entry of `/__sandbox/transactions`: the ground truth tests assert on. */
export function ledgerView(order: OrderRecord, refunds: readonly RefundRecord[]): Record<string, unknown> {
  return {
    out_trade_no: order.out_trade_no,
    mchid: order.mchid,
    appid: order.appid,
    trade_state: order.trade_state,
    description: order.description,
    amount: order.amount,
    attach: order.attach ?? null,
    notify_url: order.notify_url,
    payer: order.payer,
    transaction_id: order.transaction_id ?? null,
    prepay_id: order.prepay_id,
    prepay_ids: order.prepay_ids,
    created_at: rfc3339(order.createdMs),
    success_time: time(order.successMs),
    closed_at: time(order.closedMs),
    time_expire: rfc3339(order.timeExpireMs),
    time_expire_requested: order.timeExpireRequested ?? null,
    calls: order.calls,
    conflicts: order.conflicts,
    refunds: refunds.map((r) => ({ ...refundView(r), notify_url: r.notify_url ?? null })),
    deliveries: order.deliveries.map(({ body: _body, ...rest }) => rest),
    notifications: order.notifications,
  };
}
