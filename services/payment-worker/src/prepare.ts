import { PaymentFailed, PaymentPrepared, newEvent, type OrderPlacedEvent } from '@wxpay-saga/contracts';
import { RetriableError, type EventProducer, type MessageContext } from '@wxpay-saga/messaging';
import { crashPoint } from '@wxpay-saga/observability';
import type { PaymentParamsRecord } from '@wxpay-saga/order-store';
import { paymentParamsTtlMs, toWechatTime } from '@wxpay-saga/orders';
import { WechatPayError, type JsapiPrepayRequest, type WechatPayClient } from '@wxpay-saga/wechatpay';

export interface PrepareDeps {
  readonly wechat: Pick<WechatPayClient, 'prepayJsapi'>;
  readonly producer: EventProducer;
  readonly notifyUrl: string;
  readonly readParams: (orderId: string) => Promise<PaymentParamsRecord | undefined>;
  /** Stores the record only if none exists (SET NX) and returns the one that is stored. */
  readonly storeParamsOnce: (record: PaymentParamsRecord, ttlMs: number) => Promise<PaymentParamsRecord>;
  readonly now: () => number;
  readonly onOutcome?: (outcome: 'prepared' | 'cached' | 'failed' | 'expired' | 'settled') => void;
}

/**
 * The prepay request comes only from the event, never from "now": a retry after a crash sends
 * byte-identical parameters, and WeChat answers with the same order and prepay_id (§2.1) instead of
 * INVALID_REQUEST. time_expire is the order's own deadline.
 */
export function prepayRequestFor(event: OrderPlacedEvent, notifyUrl: string): JsapiPrepayRequest {
  return {
    outTradeNo: event.orderId,
    description: event.payload.description,
    amountTotal: event.payload.total,
    currency: 'CNY',
    payerOpenid: event.payload.payer.openid,
    notifyUrl,
    timeExpire: toWechatTime(event.payload.expiresAt),
  };
}

/** Codes that mean WeChat already settled the order: the reconciler converges it, not a failure. */
const SETTLED_AT_WECHAT = new Set(['ORDER_PAID', 'ORDER_CLOSED']);

export async function handleOrderPlaced(
  deps: PrepareDeps,
  event: OrderPlacedEvent,
  ctx: MessageContext,
): Promise<void> {
  const cached = await deps.readParams(event.orderId);
  if (cached) {
    // Redelivered after the parameters were stored (crash before commit): re-announce, never re-sign.
    await publishPrepared(deps, event, cached);
    deps.onOutcome?.('cached');
    return;
  }
  const expiresAtMs = Date.parse(event.payload.expiresAt);
  if (deps.now() >= expiresAtMs) {
    ctx.logger.warn('order expired before it could be prepared; the reconciler will close it');
    deps.onOutcome?.('expired');
    return;
  }
  let result;
  try {
    result = await deps.wechat.prepayJsapi(prepayRequestFor(event, deps.notifyUrl));
  } catch (err) {
    if (!(err instanceof WechatPayError)) throw err;
    if (err.retriable && deps.now() < expiresAtMs) {
      throw new RetriableError(
        err.code,
        `prepay failed (${err.code}, HTTP ${err.httpStatus ?? '-'}); will retry`,
        { cause: err },
      );
    }
    if (SETTLED_AT_WECHAT.has(err.code)) {
      ctx.logger.warn(
        { code: err.code },
        'WeChat says the order is already settled; leaving it to the reconciler',
      );
      deps.onOutcome?.('settled');
      return;
    }
    await deps.producer.publish(
      PaymentFailed,
      newEvent(PaymentFailed, {
        orderId: event.orderId,
        correlationId: event.correlationId,
        causationId: event.eventId,
        payload: {
          stage: 'PREPAY',
          code: err.code,
          message: err.message.slice(0, 256),
          httpStatus: err.httpStatus,
          failedAt: new Date(deps.now()).toISOString(),
        },
      }),
    );
    ctx.logger.warn({ code: err.code, httpStatus: err.httpStatus }, 'prepay failed permanently');
    deps.onOutcome?.('failed');
    return;
  }
  crashPoint('payment-worker:after-prepay');
  const now = deps.now();
  const ttlMs = paymentParamsTtlMs(now, now, expiresAtMs);
  if (ttlMs <= 0) {
    deps.onOutcome?.('expired');
    return;
  }
  const stored = await deps.storeParamsOnce(
    {
      orderId: event.orderId,
      prepayId: result.prepayId,
      preparedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + ttlMs).toISOString(),
      params: {
        timeStamp: result.requestPayment.timeStamp,
        nonceStr: result.requestPayment.nonceStr,
        package: result.requestPayment.package,
        signType: result.requestPayment.signType,
        paySign: result.requestPayment.paySign,
      },
    },
    ttlMs,
  );
  await publishPrepared(deps, event, stored);
  deps.onOutcome?.('prepared');
}

async function publishPrepared(
  deps: PrepareDeps,
  event: OrderPlacedEvent,
  record: PaymentParamsRecord,
): Promise<void> {
  await deps.producer.publish(
    PaymentPrepared,
    newEvent(PaymentPrepared, {
      orderId: event.orderId,
      correlationId: event.correlationId,
      causationId: event.eventId,
      payload: { prepayId: record.prepayId, preparedAt: record.preparedAt, paramsExpireAt: record.expiresAt },
    }),
  );
}
