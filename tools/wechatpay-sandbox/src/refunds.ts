/** Domestic refund create (§2.5) and query (§2.6); settlement is in refund-processor.ts. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Sandbox } from './context.js';
import { ApiError } from './errors.js';
import { defineRoute, parseJsonObject, rawBody, sendJson } from './http.js';
import { refundId } from './ids.js';
import type { Merchant } from './merchants.js';
import type { OrderRecord, RefundRecord } from './state.js';
import { v3Route } from './v3.js';
import { validateRefund, type RefundInput } from './validate.js';
import { refundView } from './views.js';

const NOT_REFUNDABLE = '订单不存在或未支付,未支付的订单不能发起退款';

function findOrder(sb: Sandbox, mchid: string, input: RefundInput): OrderRecord | undefined {
  const order =
    input.out_trade_no !== undefined
      ? sb.state.order(mchid, input.out_trade_no)
      : sb.state.orderByTransaction(mchid, input.transaction_id!);
  if (order && input.transaction_id !== undefined && order.transaction_id !== input.transaction_id)
    return undefined;
  return order;
}

function refundedSoFar(sb: Sandbox, order: OrderRecord): number {
  return order.refunds.reduce((sum, no) => sum + (sb.state.refund(order.mchid, no)?.amount.refund ?? 0), 0);
}

async function createRefund(
  sb: Sandbox,
  req: FastifyRequest,
  reply: FastifyReply,
  merchant: Merchant,
): Promise<void> {
  const input = validateRefund(
    parseJsonObject(rawBody(req)),
    sb.settings.allowLoopbackNotify,
    sb.settings.allowHttpNotifyHosts,
  );
  // §2.5 "同一退款单号多次请求只退一笔": the same out_refund_no answers with the refund as it is now.
  const existing = sb.state.refund(merchant.mchid, input.out_refund_no);
  if (existing) {
    sendJson(reply, 200, refundView(existing));
    return;
  }
  const order = findOrder(sb, merchant.mchid, input);
  if (
    !order ||
    order.transaction_id === undefined ||
    (order.trade_state !== 'SUCCESS' && order.trade_state !== 'REFUND')
  ) {
    throw new ApiError('RESOURCE_NOT_EXISTS', NOT_REFUNDABLE);
  }
  if (input.amount.total !== order.amount.total) {
    throw new ApiError('INVALID_REQUEST', '订单金额与原订单金额不一致', {
      field: '/amount/total',
      value: input.amount.total,
      location: 'body',
    });
  }
  if (refundedSoFar(sb, order) + input.amount.refund > order.amount.total) {
    throw new ApiError('INVALID_REQUEST', '申请退款金额超过订单可退金额', {
      field: '/amount/refund',
      value: input.amount.refund,
      location: 'body',
    });
  }
  const now = sb.now();
  const refund: RefundRecord = {
    mchid: merchant.mchid,
    out_refund_no: input.out_refund_no,
    refund_id: refundId(now),
    out_trade_no: order.out_trade_no,
    transaction_id: order.transaction_id,
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
    ...(input.notify_url !== undefined ? { notify_url: input.notify_url } : {}),
    amount: input.amount,
    status: 'PROCESSING',
    createdMs: now,
    dueMs: Date.now() + sb.settings.refundDelayMs * sb.settings.timeFactor,
  };
  sb.state.putRefund(refund);
  order.refunds.push(refund.out_refund_no);
  sb.state.changed();
  sb.refunds.schedule(refund);
  sendJson(reply, 200, refundView(refund));
}

export function registerRefundRoutes(scope: FastifyInstance, sb: Sandbox): void {
  defineRoute(scope, '/v3/refund/domestic/refunds', {
    POST: v3Route(sb, 'refund', (req, reply, m) => createRefund(sb, req, reply, m)),
  });
  defineRoute(scope, '/v3/refund/domestic/refunds/:out_refund_no', {
    GET: v3Route(sb, 'refundQuery', async (req, reply, m) => {
      const refund = sb.state.refund(m.mchid, (req.params as { out_refund_no: string }).out_refund_no);
      if (!refund) throw new ApiError('RESOURCE_NOT_EXISTS', '退款单不存在');
      sendJson(reply, 200, refundView(refund));
    }),
  });
}
