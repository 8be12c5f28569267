/**
 * Request-body checks for prepay (§2.1) and refund (§2.5). Failures are 400 PARAM_ERROR with
 * `detail.field` as a JSON pointer (§3.4), so a client test can tell which field it got wrong.
 */
import { hasFourByteUtf8 } from '@wxpay-saga/wechatpay';
import { paramError } from './errors.js';
import { parseRfc3339 } from './ids.js';

export interface JsapiInput {
  readonly appid: string;
  readonly mchid: string;
  readonly description: string;
  readonly out_trade_no: string;
  readonly time_expire?: string;
  readonly timeExpireMs?: number;
  readonly attach?: string;
  readonly notify_url: string;
  readonly amount: { readonly total: number; readonly currency: string };
  readonly payer: { readonly openid: string };
}

export interface RefundInput {
  readonly transaction_id?: string;
  readonly out_trade_no?: string;
  readonly out_refund_no: string;
  readonly reason?: string;
  readonly notify_url?: string;
  readonly amount: { readonly refund: number; readonly total: number; readonly currency: string };
}

const OUT_TRADE_NO_RE = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO_RE = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

type Obj = Record<string, unknown>;
const chars = (s: string) => [...s].length;

function str(
  obj: Obj,
  pointer: string,
  opts: { min?: number; max: number; optional?: boolean },
): string | undefined {
  const name = pointer.slice(pointer.lastIndexOf('/') + 1);
  const v = obj[name];
  if (v === undefined && opts.optional) return undefined;
  if (v === undefined || v === null) throw paramError(pointer, `${name} is required`);
  if (typeof v !== 'string') throw paramError(pointer, `${name} must be a string`, v);
  if (hasFourByteUtf8(v))
    throw paramError(pointer, `${name} contains 4-byte UTF-8 characters (§1: only 1-3 byte characters)`, v);
  const len = chars(v);
  if (len < (opts.min ?? 1) || len > opts.max)
    throw paramError(pointer, `${name} length must be ${opts.min ?? 1}..${opts.max}`, v);
  return v;
}

const req = (obj: Obj, pointer: string, max: number, min = 1): string => str(obj, pointer, { max, min })!;

function obj(parent: Obj, pointer: string, optional = false): Obj | undefined {
  const v = parent[pointer.slice(1)];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw paramError(pointer, `${pointer.slice(1)} must be an object`, v);
  return v as Obj;
}

function positiveInt(o: Obj, pointer: string): number {
  const name = pointer.slice(pointer.lastIndexOf('/') + 1);
  const v = o[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
    throw paramError(pointer, `${name} must be an integer > 0 (fen)`, v);
  return v;
}

function currency(o: Obj, pointer: string, required: boolean): string {
  const v = o.currency;
  if (v === undefined && !required) return 'CNY';
  if (v !== 'CNY') throw paramError(pointer, 'currency must be CNY (境内商户号仅支持人民币)', v);
  return v;
}

/**
 * §2.1: https, reachable, no query string. Loopback http only when the sandbox allows it (tests, dev);
 * plain http to a named host only when that host is in `allowHttpHosts` (a compose network, where the
 * notify URL is http://notify-gateway:8081/… and neither https nor loopback).
 */
export function checkNotifyUrl(
  url: string,
  pointer: string,
  allowLoopback: boolean,
  allowHttpHosts: readonly string[] = [],
): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw paramError(pointer, 'notify_url must be an absolute URL', url);
  }
  if (url.includes('?')) throw paramError(pointer, 'notify_url must not carry a query string', url);
  const loopback = LOOPBACK_HOSTS.has(parsed.hostname);
  if (parsed.protocol === 'https:' && (!loopback || allowLoopback)) return;
  if (parsed.protocol === 'http:' && loopback && allowLoopback) return;
  if (parsed.protocol === 'http:' && allowHttpHosts.includes(parsed.hostname)) return;
  throw paramError(
    pointer,
    allowLoopback
      ? 'notify_url must be https (or http on a loopback host)'
      : 'notify_url must be a public https URL',
    url,
  );
}

export function validateJsapi(
  body: Obj,
  allowLoopbackNotify: boolean,
  allowHttpNotifyHosts: readonly string[] = [],
): JsapiInput {
  const appid = req(body, '/appid', 32);
  const mchid = req(body, '/mchid', 32);
  const description = req(body, '/description', 127);
  const out_trade_no = req(body, '/out_trade_no', 32);
  if (!OUT_TRADE_NO_RE.test(out_trade_no))
    throw paramError('/out_trade_no', 'out_trade_no must be 6-32 of [0-9A-Za-z_-|*]', out_trade_no);
  const time_expire = str(body, '/time_expire', { max: 64, optional: true });
  const timeExpireMs = time_expire === undefined ? undefined : parseRfc3339(time_expire);
  if (time_expire !== undefined && timeExpireMs === undefined) {
    throw paramError(
      '/time_expire',
      'time_expire must be RFC 3339, e.g. 2015-05-20T13:29:35+08:00',
      time_expire,
    );
  }
  const attach = str(body, '/attach', { max: 128, min: 0, optional: true });
  const notify_url = req(body, '/notify_url', 255);
  checkNotifyUrl(notify_url, '/notify_url', allowLoopbackNotify, allowHttpNotifyHosts);
  const amount = obj(body, '/amount')!;
  const total = positiveInt(amount, '/amount/total');
  const cur = currency(amount, '/amount/currency', false);
  const payer = obj(body, '/payer')!;
  const openid = req(payer, '/payer/openid', 128);
  return {
    appid,
    mchid,
    description,
    out_trade_no,
    time_expire,
    timeExpireMs,
    attach,
    notify_url,
    amount: { total, currency: cur },
    payer: { openid },
  };
}

export function validateRefund(
  body: Obj,
  allowLoopbackNotify: boolean,
  allowHttpNotifyHosts: readonly string[] = [],
): RefundInput {
  const transaction_id = str(body, '/transaction_id', { max: 32, optional: true });
  const out_trade_no = str(body, '/out_trade_no', { max: 32, optional: true });
  if (transaction_id === undefined && out_trade_no === undefined) {
    throw paramError('/out_trade_no', 'one of transaction_id and out_trade_no is required');
  }
  const out_refund_no = req(body, '/out_refund_no', 64);
  if (!OUT_REFUND_NO_RE.test(out_refund_no))
    throw paramError('/out_refund_no', 'out_refund_no must be 1-64 of [0-9A-Za-z_-|*@]', out_refund_no);
  const reason = str(body, '/reason', { max: 80, optional: true });
  const notify_url = str(body, '/notify_url', { max: 256, optional: true });
  if (notify_url !== undefined)
    checkNotifyUrl(notify_url, '/notify_url', allowLoopbackNotify, allowHttpNotifyHosts);
  const amount = obj(body, '/amount')!;
  const refund = positiveInt(amount, '/amount/refund');
  const total = positiveInt(amount, '/amount/total');
  const cur = currency(amount, '/amount/currency', true);
  return {
    transaction_id,
    out_trade_no,
    out_refund_no,
    reason,
    notify_url,
    amount: { refund, total, currency: cur },
  };
}
