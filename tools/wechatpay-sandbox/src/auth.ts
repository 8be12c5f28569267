/**
 * Verifies a merchant request the way WeChat does (§4, §11): the message is rebuilt from the raw method,
 * the raw path+query exactly as received (never re-encoded) and the raw body bytes, then checked with the
 * public key of the merchant whose certificate serial the header names.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parseAuthorization, requestSignMessage, verifySha256Rsa } from '@wxpay-saga/wechatpay';
import { ApiError, MESSAGES } from './errors.js';
import type { Merchant, MerchantRegistry } from './merchants.js';

export interface RawRequest {
  readonly method: string;
  /** Path plus `?` plus the raw query, as on the wire. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface AuthOptions {
  readonly merchants: MerchantRegistry;
  readonly nowMs: number;
  /** §11: the real tolerance is UNCONFIRMED; ±300 s like the SDKs' response check (§5). */
  readonly maxSkewSeconds: number;
}

/** How much of the rebuilt message a SIGN_ERROR shows (the live field is called truncated_sign_message). */
const SIGN_MESSAGE_SHOWN = 512;

/** §1: the server checks that Accept and User-Agent are present, not their values. */
export function checkRequiredHeaders(headers: IncomingHttpHeaders): void {
  if (!headers.accept || !headers['user-agent'])
    throw new ApiError('INVALID_REQUEST', MESSAGES.missingAcceptOrUa);
}

/** Returns the authenticated merchant or throws 401 SIGN_ERROR with the §3.4 observed body shape. */
export function verifyRequest(req: RawRequest, opts: AuthOptions): Merchant {
  const header = req.headers.authorization;
  const auth = parseAuthorization(header);
  if (!auth) {
    throw new ApiError('SIGN_ERROR', MESSAGES.badAuthorization, {
      field: 'authorization',
      location: 'authorization',
      issue: header ? 'malformed Authorization header' : 'missing Authorization header',
    });
  }
  const message = requestSignMessage(req.method, req.url, auth.timestamp, auth.nonce_str, req.body);
  const fail = (issue: string, text?: string) => signError(req, message, issue, text);
  const merchant = opts.merchants.bySerial(auth.serial_no);
  if (!merchant) throw fail(`serial_no ${auth.serial_no} is not a registered merchant certificate`);
  if (merchant.mchid !== auth.mchid)
    throw fail(`mchid ${auth.mchid} does not own certificate ${merchant.serialNo}`);
  if (!/^\d{1,12}$/.test(auth.timestamp))
    throw fail('timestamp is not Unix seconds', '签名信息错误,验签失败');
  const skew = Math.abs(Math.floor(opts.nowMs / 1000) - Number(auth.timestamp));
  if (skew > opts.maxSkewSeconds) {
    throw fail(
      `timestamp is ${skew} s away from the server clock (allowed ±${opts.maxSkewSeconds} s)`,
      '签名信息错误,验签失败',
    );
  }
  if (!verifySha256Rsa(message, auth.signature, merchant.publicKey)) throw fail('sign not match');
  return merchant;
}

function signError(req: RawRequest, message: string, issue: string, text?: string): ApiError {
  return new ApiError('SIGN_ERROR', text, {
    detail: { issue },
    field: 'signature',
    location: 'authorization',
    sign_information: {
      method: req.method,
      sign_message_length: message.length,
      truncated_sign_message: message.slice(0, SIGN_MESSAGE_SHOWN),
      url: req.url,
    },
  });
}
