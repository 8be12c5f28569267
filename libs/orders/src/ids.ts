import { createHash, createHmac } from 'node:crypto';

/**
 * The order id is also WeChat's `out_trade_no` (6–32 of [0-9A-Za-z_-|*]). It is derived from the user
 * and their Idempotency-Key with a server secret, so the same request maps to the same order even
 * after Redis (and its idempotency records) is lost; the secret makes ids unguessable.
 */
export function deriveOrderId(secret: string, openid: string, idempotencyKey: string): string {
  return createHmac('sha256', secret)
    .update(`order\n${openid}\n${idempotencyKey}`)
    .digest('hex')
    .slice(0, 32);
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Canonical JSON (sorted keys) so equal requests hash equal whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What an Idempotency-Key is compared on: the same key with another body is a client bug (422). */
export const requestFingerprint = (body: unknown): string => sha256Hex(canonicalJson(body));
export const idempotencyKeyHash = (openid: string, key: string): string => sha256Hex(`${openid}\n${key}`);
