/** WeChat's RFC 3339 form with the China offset, e.g. `2015-05-20T13:29:35+08:00` (§1, §2.1). */
export function toWechatTime(isoOrMs: string | number): string {
  const ms = typeof isoOrMs === 'number' ? isoOrMs : Date.parse(isoOrMs);
  const shifted = new Date(Math.floor(ms / 1000) * 1000 + 8 * 3600_000);
  return shifted.toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

/** prepay_id lives 2 hours and cannot be extended (§2.1, §9). */
export const PREPAY_ID_TTL_MS = 2 * 3600_000;

/**
 * How long the signed wx.requestPayment parameters may be served: they must stop before the prepay_id's
 * two hours end and before the order's deadline (minus a safety margin for clock skew and the user's
 * tap-to-pay time). Zero or less means: do not cache, the order cannot be paid any more.
 */
export function paymentParamsTtlMs(nowMs: number, preparedAtMs: number, expiresAtMs: number): number {
  // 5 s before the deadline, or a tenth of the order's remaining life when that is shorter.
  const marginMs = Math.min(5000, Math.max(0, (expiresAtMs - preparedAtMs) / 10));
  return Math.floor(Math.min(preparedAtMs + PREPAY_ID_TTL_MS - 5 * 60_000, expiresAtMs - marginMs) - nowMs);
}
