/**
 * `/__sandbox/requestPayment` plays `wx.requestPayment` (§7): it checks the parameters the way the WeChat
 * app does — paySign is SHA256withRSA by the merchant key over `appId\ntimeStamp\nnonceStr\npackage\n`
 * with the order's appid — then pays the order and sends the notification. Like the JS API it always
 * answers HTTP 200 with an errMsg.
 */
import type { FastifyInstance } from 'fastify';
import { paySignMessage, verifySha256Rsa } from '@wxpay-saga/wechatpay';
import type { Sandbox } from './context.js';
import { ApiError, PAY_FAIL_REASONS, type PayFailReason } from './errors.js';
import { PAYMENT_NOTIFICATION } from './envelope.js';
import { defineRoute, parseJsonObject, rawBody, sendJson } from './http.js';
import { transactionId } from './ids.js';
import type { OrderRecord } from './state.js';
import { PREPAY_TTL_MS } from './transactions.js';
import { transactionView } from './views.js';

export interface PayResult {
  readonly errMsg: string;
}

const ok = (): PayResult => ({ errMsg: 'requestPayment:ok' });
const fail = (reason: PayFailReason): PayResult => ({ errMsg: `requestPayment:fail ${reason}` });
const isStr = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

/** The checks in the order the cashier would meet them; undefined = the order can be paid now. */
function refusal(
  sb: Sandbox,
  body: Record<string, unknown>,
  order: OrderRecord,
  prepayId: string,
): PayFailReason | undefined {
  const merchant = sb.merchants.byMchid(order.mchid);
  const message = paySignMessage(
    order.appid,
    body.timeStamp as string,
    body.nonceStr as string,
    body.package as string,
  );
  if (!merchant || !verifySha256Rsa(message, body.paySign as string, merchant.publicKey))
    return PAY_FAIL_REASONS.invalidPaySign;
  if (body.openid !== order.payer.openid) return PAY_FAIL_REASONS.payerMismatch;
  if (order.trade_state === 'CLOSED') return PAY_FAIL_REASONS.orderClosed;
  if (order.trade_state !== 'NOTPAY') return PAY_FAIL_REASONS.orderPaid;
  const now = sb.now();
  // An expired NOTPAY order stays NOTPAY for query (WeChat does not auto-close) but cannot be paid.
  if (now > order.timeExpireMs) return PAY_FAIL_REASONS.orderExpired;
  if (prepayId !== order.prepay_id || now - order.prepayCreatedMs >= PREPAY_TTL_MS)
    return PAY_FAIL_REASONS.prepayExpired;
  return undefined;
}

export function requestPayment(sb: Sandbox, body: Record<string, unknown>): PayResult {
  if (body.action !== undefined && body.action !== 'cancel')
    throw new ApiError('SANDBOX_BAD_REQUEST', 'action must be "cancel" when given');
  if (!isStr(body.openid, 128) || !isStr(body.nonceStr, 32) || !isStr(body.paySign, 512))
    return fail(PAY_FAIL_REASONS.invalidParams);
  // §7: a 10-digit string of seconds; Date.now() (13 digits) or a number is the classic mistake.
  if (typeof body.timeStamp !== 'string' || !/^\d{10}$/.test(body.timeStamp))
    return fail(PAY_FAIL_REASONS.invalidTimeStamp);
  if (body.signType !== 'RSA') return fail(PAY_FAIL_REASONS.invalidSignType);
  const match = typeof body.package === 'string' ? /^prepay_id=(\S{1,64})$/.exec(body.package) : null;
  if (!match) return fail(PAY_FAIL_REASONS.invalidPackage);
  const prepayId = match[1]!;
  const order = sb.state.orderByPrepay(prepayId);
  if (!order) return fail(PAY_FAIL_REASONS.prepayNotFound);
  const refused = refusal(sb, body, order, prepayId);
  if (refused) return fail(refused);
  if (body.action === 'cancel') return fail(PAY_FAIL_REASONS.cancel);
  markPaid(sb, order);
  return ok();
}

function markPaid(sb: Sandbox, order: OrderRecord): void {
  const now = sb.now();
  order.trade_state = 'SUCCESS';
  order.transaction_id = transactionId(now);
  order.successMs = now;
  sb.state.putOrder(order);
  sb.state.changed();
  sb.logger.debug({ outTradeNo: order.out_trade_no }, 'order paid');
  sb.notifier.notify(order, order.notify_url, { ...PAYMENT_NOTIFICATION, plaintext: transactionView(order) });
}

export function registerPayRoutes(app: FastifyInstance, sb: Sandbox): void {
  defineRoute(app, '/__sandbox/requestPayment', {
    POST: async (req, reply) => {
      sb.state.stats.requests.requestPayment += 1;
      return sendJson(reply, 200, requestPayment(sb, parseJsonObject(rawBody(req), 'SANDBOX_BAD_REQUEST')));
    },
  });
}
