/** JSAPI prepay (§2.1), query (§2.2, §2.3) and close (§2.4). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Sandbox } from './context.js';
import { ApiError, MESSAGES, paramError } from './errors.js';
import { defineRoute, parseJsonObject, rawBody, sendJson } from './http.js';
import { prepayId, rfc3339 } from './ids.js';
import type { Merchant } from './merchants.js';
import type { OrderRecord } from './state.js';
import { v3Route } from './v3.js';
import { validateJsapi, type JsapiInput } from './validate.js';
import { transactionView } from './views.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** §2.1/C7: a prepay_id lives 2 hours; a repeat call with identical parameters issues a fresh one. */
export const PREPAY_TTL_MS = 2 * 60 * MINUTE;

/** §2.1: no time_expire → 7 days; beyond +90 days → lowered; earlier than +1 min → raised (strict mode). */
export function effectiveExpiry(requestedMs: number | undefined, createdMs: number, strict: boolean): number {
  if (requestedMs === undefined) return createdMs + 7 * DAY;
  if (requestedMs > createdMs + 90 * DAY) return createdMs + 90 * DAY;
  if (strict && requestedMs < createdMs + MINUTE) return createdMs + MINUTE;
  return requestedMs;
}

/** The parameters a repeated prepay call must repeat exactly (§2.1). */
function canonical(input: JsapiInput): Record<string, unknown> {
  return {
    appid: input.appid,
    mchid: input.mchid,
    description: input.description,
    amount: input.amount,
    payer: input.payer,
    notify_url: input.notify_url,
    attach: input.attach ?? null,
    time_expire: input.timeExpireMs ?? null,
  };
}

function differingFields(previous: string, next: Record<string, unknown>): string[] {
  const before = JSON.parse(previous) as Record<string, unknown>;
  return Object.keys(next).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k]));
}

function sameMerchant(merchant: Merchant, mchid: string, field: string, location: 'body' | 'query'): void {
  if (mchid !== merchant.mchid)
    throw paramError(
      field,
      `mchid ${mchid} is not the merchant of the Authorization header`,
      mchid,
      location,
    );
}

async function jsapi(
  sb: Sandbox,
  req: FastifyRequest,
  reply: FastifyReply,
  merchant: Merchant,
): Promise<void> {
  const input = validateJsapi(
    parseJsonObject(rawBody(req)),
    sb.settings.allowLoopbackNotify,
    sb.settings.allowHttpNotifyHosts,
  );
  const target = sb.merchants.byMchid(input.mchid);
  if (!target)
    throw new ApiError('MCH_NOT_EXISTS', undefined, {
      field: '/mchid',
      value: input.mchid,
      location: 'body',
    });
  sameMerchant(merchant, input.mchid, '/mchid', 'body');
  if (target.appid !== input.appid)
    throw new ApiError('APPID_MCHID_NOT_MATCH', undefined, {
      field: '/appid',
      value: input.appid,
      location: 'body',
    });
  // Openids are per appid (§2.1); an unknown one is the non-retriable 500 of §3.5.
  if (!sb.state.hasUser(input.appid, input.payer.openid)) throw new ApiError('OPENID_MISMATCH');
  const now = sb.now();
  const existing = sb.state.order(input.mchid, input.out_trade_no);
  const order = existing ? reuse(sb, existing, input, now) : create(sb, input, now);
  sendJson(reply, 200, { prepay_id: order.prepay_id });
}

function create(sb: Sandbox, input: JsapiInput, now: number): OrderRecord {
  const id = prepayId(now);
  const order: OrderRecord = {
    appid: input.appid,
    mchid: input.mchid,
    out_trade_no: input.out_trade_no,
    description: input.description,
    amount: input.amount,
    payer: input.payer,
    notify_url: input.notify_url,
    ...(input.attach !== undefined ? { attach: input.attach } : {}),
    timeExpireMs: effectiveExpiry(input.timeExpireMs, now, sb.settings.strictTimeExpire),
    ...(input.time_expire !== undefined ? { timeExpireRequested: input.time_expire } : {}),
    canonical: JSON.stringify(canonical(input)),
    trade_state: 'NOTPAY',
    prepay_id: id,
    prepayCreatedMs: now,
    prepay_ids: [id],
    createdMs: now,
    calls: { jsapi: 1, query: 0, close: 0 },
    conflicts: [],
    refunds: [],
    deliveries: [],
    notifications: [],
  };
  sb.state.putOrder(order);
  sb.state.changed();
  return order;
}

/**
 * A repeated out_trade_no (§2.1, §9). Closed → ORDER_CLOSED. Paid → ORDER_PAID (UNCONFIRMED, see README).
 * Different parameters → INVALID_REQUEST "201 商户订单号重复", recorded as a conflict. Past time_expire →
 * ORDER_CLOSED too: the doc's remedy is the same (a new out_trade_no) although query still says NOTPAY.
 */
function reuse(sb: Sandbox, order: OrderRecord, input: JsapiInput, now: number): OrderRecord {
  order.calls.jsapi += 1;
  sb.state.changed();
  if (order.trade_state === 'CLOSED') throw new ApiError('ORDER_CLOSED');
  if (order.trade_state === 'SUCCESS' || order.trade_state === 'REFUND') throw new ApiError('ORDER_PAID');
  const fields = differingFields(order.canonical, canonical(input));
  if (fields.length > 0) {
    order.conflicts.push({ at: rfc3339(now), fields });
    sb.state.stats.conflicts += 1;
    throw new ApiError('INVALID_REQUEST', MESSAGES.outTradeNoReused, {
      issue: `parameters differ from the first call: ${fields.join(', ')}`,
      location: 'body',
    });
  }
  if (now > order.timeExpireMs) throw new ApiError('ORDER_CLOSED', '订单已过期,请使用新的商户订单号重新下单');
  if (now - order.prepayCreatedMs >= PREPAY_TTL_MS) {
    order.prepay_id = prepayId(now);
    order.prepayCreatedMs = now;
    order.prepay_ids.push(order.prepay_id);
    sb.state.putOrder(order);
  }
  return order;
}

function requireMchidQuery(req: FastifyRequest, merchant: Merchant): string {
  const mchid = (req.query as Record<string, unknown>).mchid;
  if (typeof mchid !== 'string' || mchid === '')
    throw paramError('mchid', 'mchid is required', undefined, 'query');
  sameMerchant(merchant, mchid, 'mchid', 'query');
  return mchid;
}

function answerQuery(sb: Sandbox, reply: FastifyReply, order: OrderRecord | undefined): void {
  if (!order) throw new ApiError('ORDER_NOT_EXIST');
  order.calls.query += 1;
  sb.state.changed();
  sendJson(reply, 200, transactionView(order));
}

async function close(
  sb: Sandbox,
  req: FastifyRequest,
  reply: FastifyReply,
  merchant: Merchant,
): Promise<void> {
  const body = parseJsonObject(rawBody(req));
  if (typeof body.mchid !== 'string' || body.mchid === '')
    throw paramError('/mchid', 'mchid is required', body.mchid);
  sameMerchant(merchant, body.mchid, '/mchid', 'body');
  const order = sb.state.order(body.mchid, (req.params as { out_trade_no: string }).out_trade_no);
  if (!order) throw new ApiError('ORDER_NOT_EXIST');
  order.calls.close += 1;
  sb.state.changed();
  if (order.trade_state === 'CLOSED') throw new ApiError('ORDER_CLOSED');
  if (order.trade_state !== 'NOTPAY') {
    // §2.4: the domestic v3 answer for a paid order is UNCONFIRMED, so it is configurable.
    if (sb.settings.closePaidBehavior === 'error') throw new ApiError('ORDER_PAID');
    reply.code(204).send();
    return;
  }
  order.trade_state = 'CLOSED';
  order.closedMs = sb.now();
  reply.code(204).send();
}

export function registerTransactionRoutes(scope: FastifyInstance, sb: Sandbox): void {
  defineRoute(scope, '/v3/pay/transactions/jsapi', {
    POST: v3Route(sb, 'jsapi', (req, reply, m) => jsapi(sb, req, reply, m)),
  });
  defineRoute(scope, '/v3/pay/transactions/out-trade-no/:out_trade_no', {
    GET: v3Route(sb, 'query', async (req, reply, m) => {
      const mchid = requireMchidQuery(req, m);
      answerQuery(sb, reply, sb.state.order(mchid, (req.params as { out_trade_no: string }).out_trade_no));
    }),
  });
  defineRoute(scope, '/v3/pay/transactions/id/:transaction_id', {
    GET: v3Route(sb, 'query', async (req, reply, m) => {
      const mchid = requireMchidQuery(req, m);
      answerQuery(
        sb,
        reply,
        sb.state.orderByTransaction(mchid, (req.params as { transaction_id: string }).transaction_id),
      );
    }),
  });
  defineRoute(scope, '/v3/pay/transactions/out-trade-no/:out_trade_no/close', {
    POST: v3Route(sb, 'close', (req, reply, m) => close(sb, req, reply, m)),
  });
}
