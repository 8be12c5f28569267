/** Identifier and timestamp formats that look like WeChat's (§2.1, §2.3, §2.5, §6.1, §8). */
import crypto from 'node:crypto';
import { nonce } from '@wxpay-saga/wechatpay';

const CST_OFFSET_MS = 8 * 3600_000;

/** RFC 3339 in China Standard Time, the form WeChat answers with: `2024-01-01T12:00:05+08:00`. */
export function rfc3339(ms: number): string {
  return new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 19) + '+08:00';
}

/** `yyyyMMddHHmmss` in +08:00 (the timestamp part of prepay ids). */
function compactCst(ms: number): string {
  return rfc3339(ms).slice(0, 19).replace(/[-T:]/g, '');
}

const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an RFC 3339 date-time, or undefined when it is not one (§1: offsets, `.SSS` and `Z` are valid). */
export function parseRfc3339(value: string): number | undefined {
  if (!RFC3339_RE.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function digits(n: number): string {
  let out = '';
  while (out.length < n) out += crypto.randomInt(0, 10).toString();
  return out;
}

/** Like the doc example `wx201410272009395522657a690389285100`: `wx` + 14-digit time + 20 hex (36 chars). */
export const prepayId = (nowMs: number): string =>
  `wx${compactCst(nowMs)}${crypto.randomBytes(10).toString('hex')}`;

/** 28 digits starting `4200`, with the pay date inside, like `4200001863202305068344507881` (§2.3). */
export const transactionId = (nowMs: number): string =>
  `420000${digits(4)}${compactCst(nowMs).slice(0, 8)}${digits(10)}`;

/** 29 digits starting `50`, like `50200207182018070300011301001` (§6.3). */
export const refundId = (nowMs: number): string =>
  `50300${digits(4)}${compactCst(nowMs).slice(0, 8)}${digits(12)}`;

/** `o` + 27 base64url characters (28 in all), the shape of real openids. */
export const openid = (): string => `o${crypto.randomBytes(21).toString('base64url').slice(0, 27)}`;
export const OPENID_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** wx.login codes are 32 characters (§8). */
export const loginCode = (): string => nonce(32);

/** 16 random bytes, base64 (24 chars), the length of real session keys. */
export const sessionKey = (): string => crypto.randomBytes(16).toString('base64');

export const requestId = (): string => crypto.randomBytes(16).toString('hex').toUpperCase();

/** errmsg suffix of the WeChat open API: `, rid: 668f2aa4-…`. */
export const rid = (): string =>
  `${crypto.randomBytes(4).toString('hex')}-${crypto.randomBytes(6).toString('hex')}-${crypto.randomBytes(4).toString('hex')}`;

export const notificationId = (): string => crypto.randomUUID();
