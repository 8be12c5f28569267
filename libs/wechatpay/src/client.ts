/**
 * The merchant-side WeChat Pay v3 client: wechatpay-node-v3 signs requests and builds wx.requestPayment
 * parameters; our transport (transport.ts) moves the bytes and verifies every response; zod checks every
 * body; retries are bounded and only where repeating the call is safe (each operation says why).
 */
import type { Logger } from '@wxpay-saga/observability';
import type { Output } from 'wechatpay-node-v3/dist/define.js';
import type { z } from 'zod';
import type { WechatPayConfig } from './config.js';
import { hasFourByteUtf8, PROD_BASE_URL, publicKeyPem } from './crypto.js';
import { WechatPayError } from './errors.js';
import { fetchCertificates, type PlatformCertificate } from './certificates.js';
import { withRetry, type RetryPolicy } from './retry.js';
import {
  RefundSchema,
  RequestPaymentSchema,
  TransactionSchema,
  type Refund,
  type Transaction,
} from './schemas.js';
import { buildVerifierKeySet } from './signature.js';
import { SigningPay } from './signer.js';
import { FetchPayRequest } from './transport.js';

export interface JsapiPrepayRequest {
  outTradeNo: string;
  description: string;
  amountTotal: number;
  currency?: 'CNY';
  payerOpenid: string;
  notifyUrl: string;
  /** RFC 3339 */
  timeExpire?: string;
  attach?: string;
}
export interface RequestPaymentParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA';
  paySign: string;
}
export interface JsapiPrepayResult {
  prepayId: string;
  requestPayment: RequestPaymentParams;
}
export interface RefundRequest {
  outTradeNo?: string;
  transactionId?: string;
  outRefundNo: string;
  reason?: string;
  notifyUrl?: string;
  amount: { refund: number; total: number; currency: 'CNY' };
}

export interface WechatPayClient {
  prepayJsapi(req: JsapiPrepayRequest): Promise<JsapiPrepayResult>;
  queryByOutTradeNo(outTradeNo: string): Promise<Transaction>;
  queryByTransactionId(transactionId: string): Promise<Transaction>;
  closeOrder(outTradeNo: string): Promise<void>;
  createRefund(req: RefundRequest): Promise<Refund>;
  queryRefund(outRefundNo: string): Promise<Refund>;
  fetchPlatformCertificates(): Promise<PlatformCertificate[]>;
}

export interface ClientDeps {
  logger: Logger;
  /** The client's clock in ms (default Date.now): request timestamps (§4) and the response window (§5). */
  now?: () => number;
}

/** Test seams beyond the public deps: a fixed nonce reproduces §10.1; a short back-off keeps fault tests fast. */
export interface InternalClientDeps extends ClientDeps {
  nonce?: () => string;
  retry?: Partial<RetryPolicy>;
}

// §2.1/§2.5: ids that end up in a URL path are checked locally, so nothing can inject a path segment.
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const TRANSACTION_ID = /^[0-9A-Za-z]{1,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

function badArgument(what: string): WechatPayError {
  // PARAM_ERROR is what WeChat would answer (§3.5); httpStatus null says we never sent the request.
  return new WechatPayError('PARAM_ERROR', `rejected locally: ${what}`, {
    httpStatus: null,
    retriable: false,
  });
}

function check(ok: boolean, what: string): void {
  if (!ok) throw badArgument(what);
}

function parseBody<S extends z.ZodType>(schema: S, out: Output, what: string): z.infer<S> {
  const parsed = schema.safeParse(out.data);
  if (parsed.success) return parsed.data;
  const fieldsInError = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))]
    .slice(0, 5)
    .join(', ');
  throw new WechatPayError(
    'RESPONSE_MALFORMED',
    `WeChat Pay ${what} response does not match the schema (${fieldsInError})`,
    {
      httpStatus: out.status,
    },
  );
}

export function createWechatPayClient(config: WechatPayConfig, deps: ClientDeps): WechatPayClient {
  return createClientInternal(config, deps);
}

export function createClientInternal(config: WechatPayConfig, deps: InternalClientDeps): WechatPayClient {
  const now = deps.now ?? Date.now;
  const logger = deps.logger;
  const keys = buildVerifierKeySet(config.verifierKeys);
  const verifierIds = Object.keys(config.verifierKeys);
  const transport = new FetchPayRequest({
    baseUrl: config.baseUrl.replace(/\/+$/, ''),
    timeoutMs: config.timeoutMs,
    keys,
    requestSerial: verifierIds.find((id) => id.startsWith('PUB_KEY_ID_')) ?? verifierIds[0],
    logger,
    now,
  });
  const pay = new SigningPay({
    appid: config.appid,
    mchid: config.mchid,
    serialNo: config.serialNo.toUpperCase(),
    privateKey: config.privateKey,
    publicKey: config.merchantCertificate ?? publicKeyPem(config.privateKey),
    userAgent: config.userAgent,
    now,
    ...(deps.nonce ? { nonce: deps.nonce } : {}),
  });
  pay.createHttp(transport);
  const policy: RetryPolicy = {
    maxRetries: config.maxRetries,
    baseDelayMs: 200,
    maxDelayMs: 2000,
    ...deps.retry,
  };
  const retry = <T>(op: string, fn: () => Promise<T>) => withRetry(op, policy, logger, fn);

  return {
    async prepayJsapi(req) {
      check(OUT_TRADE_NO.test(req.outTradeNo), 'outTradeNo must be 6-32 of [0-9A-Za-z_-|*]');
      check(
        Number.isInteger(req.amountTotal) && req.amountTotal > 0,
        'amountTotal must be a positive integer (fen)',
      );
      check(
        req.description.length > 0 && req.description.length <= 127,
        'description must be 1-127 characters',
      );
      check(
        !hasFourByteUtf8(req.description) && !hasFourByteUtf8(req.attach ?? ''),
        'description/attach may not contain 4-byte UTF-8',
      );
      check(req.payerOpenid.length > 0, 'payerOpenid is required');
      // Key order follows the §2.1 table (and §10.1(b)); undefined optionals vanish from the signed JSON.
      const params = {
        description: req.description,
        out_trade_no: req.outTradeNo,
        time_expire: req.timeExpire,
        attach: req.attach,
        notify_url: req.notifyUrl,
        amount: { total: req.amountTotal, currency: req.currency ?? 'CNY' },
        payer: { openid: req.payerOpenid },
      };
      // Safe to repeat: the same out_trade_no with identical parameters returns the same order's current
      // prepay_id (§2.1), and every attempt sends the same body.
      const out = await retry('prepayJsapi', () => pay.transactions_jsapi(params));
      const requestPayment = parseBody(RequestPaymentSchema, out, 'prepay');
      return { prepayId: requestPayment.package.slice('prepay_id='.length), requestPayment };
    },

    async queryByOutTradeNo(outTradeNo) {
      check(OUT_TRADE_NO.test(outTradeNo), 'outTradeNo must be 6-32 of [0-9A-Za-z_-|*]');
      // Queries have no side effect. The library builds /v3/pay/transactions/out-trade-no/{no}?mchid={mchid} (§2.2).
      const out = await retry('queryByOutTradeNo', () => pay.query({ out_trade_no: outTradeNo }));
      return parseBody(TransactionSchema, out, 'query');
    },

    async queryByTransactionId(transactionId) {
      check(TRANSACTION_ID.test(transactionId), 'transactionId must be 1-32 alphanumerics');
      const out = await retry('queryByTransactionId', () => pay.query({ transaction_id: transactionId }));
      return parseBody(TransactionSchema, out, 'query');
    },

    async closeOrder(outTradeNo) {
      check(OUT_TRADE_NO.test(outTradeNo), 'outTradeNo must be 6-32 of [0-9A-Za-z_-|*]');
      // Retried like the rest: if a lost answer hid a success, the retry gets 400 ORDER_CLOSED, which we
      // surface rather than swallow — only the caller knows whether it closed this order itself.
      await retry('closeOrder', () => pay.close(outTradeNo));
    },

    async createRefund(req) {
      check(OUT_REFUND_NO.test(req.outRefundNo), 'outRefundNo must be 1-64 of [0-9A-Za-z_-|*@]');
      check(
        req.outTradeNo !== undefined || req.transactionId !== undefined,
        'outTradeNo or transactionId is required',
      );
      check(
        req.outTradeNo === undefined || OUT_TRADE_NO.test(req.outTradeNo),
        'outTradeNo must be 6-32 of [0-9A-Za-z_-|*]',
      );
      const { refund, total } = req.amount;
      check(
        Number.isInteger(refund) && Number.isInteger(total) && refund > 0 && refund <= total,
        'amount.refund must be an integer in 1..total',
      );
      const params = {
        ...(req.transactionId !== undefined ? { transaction_id: req.transactionId } : {}),
        ...(req.outTradeNo !== undefined ? { out_trade_no: req.outTradeNo } : {}),
        out_refund_no: req.outRefundNo,
        reason: req.reason,
        notify_url: req.notifyUrl,
        amount: { refund, total, currency: req.amount.currency },
      };
      // Safe to repeat: "同一退款单号多次请求只退一笔" — one out_refund_no refunds once (§2.5), and §3.6 asks
      // for a retry with the same out_refund_no after SYSTEM_ERROR.
      // The cast only bridges the library's Irefunds1 | Irefunds2 union; the one-of check is done above.
      const out = await retry('createRefund', () => pay.refunds(params as Parameters<typeof pay.refunds>[0]));
      return parseBody(RefundSchema, out, 'refund');
    },

    async queryRefund(outRefundNo) {
      check(OUT_REFUND_NO.test(outRefundNo), 'outRefundNo must be 1-64 of [0-9A-Za-z_-|*@]');
      const out = await retry('queryRefund', () => pay.find_refunds(outRefundNo));
      return parseBody(RefundSchema, out, 'refund query');
    },

    fetchPlatformCertificates() {
      // A read without side effects.
      const url = `${PROD_BASE_URL}/v3/certificates`;
      return retry('fetchPlatformCertificates', () =>
        fetchCertificates({
          transport,
          keys,
          apiV3Key: config.apiV3Key,
          url,
          headers: pay.signedGetHeaders(url),
        }),
      );
    },
  };
}
