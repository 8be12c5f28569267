/**
 * The reconciler's rules as pure functions: what WeChat's answer means for an order, and when to ask
 * again. No I/O here.
 */
import type { OrderFacts } from '@wxpay-saga/orders';

export type TradeState =
  'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR' | 'ACCEPT' | 'NOT_EXIST';

export type QueryVerdict =
  { kind: 'confirm' } | { kind: 'close'; wechatTradeState: 'CLOSED' } | { kind: 'wait' };

/**
 * After a ladder query. SUCCESS and REFUND both mean the user paid (a refund is a later fact).
 * CLOSED means WeChat closed it: close ours. NOTPAY: ask again later. ORDER_NOT_EXIST while the order
 * is only PLACED means prepay has not happened yet (the payment worker may still be retrying): wait;
 * if we do hold a prepay_id it is unexpected, but waiting is still right — the expiry timer closes it.
 */
export function verdictOfQuery(state: TradeState): QueryVerdict {
  if (state === 'SUCCESS' || state === 'REFUND') return { kind: 'confirm' };
  if (state === 'CLOSED' || state === 'REVOKED') return { kind: 'close', wechatTradeState: 'CLOSED' };
  return { kind: 'wait' };
}

export type CloseStep =
  | { kind: 'confirm' }
  | { kind: 'closed'; wechatTradeState: 'CLOSED' | 'NOT_EXIST' }
  | { kind: 'close-at-wechat' }
  | { kind: 'retry' };

/** Step 1 of the safe close: never close what WeChat already took money for. */
export function firstCloseStep(state: TradeState): CloseStep {
  if (state === 'SUCCESS' || state === 'REFUND') return { kind: 'confirm' };
  if (state === 'CLOSED' || state === 'REVOKED') return { kind: 'closed', wechatTradeState: 'CLOSED' };
  // Nothing was ever created at WeChat (prepay never happened): nothing to close there.
  if (state === 'NOT_EXIST') return { kind: 'closed', wechatTradeState: 'NOT_EXIST' };
  if (state === 'USERPAYING') return { kind: 'retry' };
  return { kind: 'close-at-wechat' };
}

/** Step 3, after closing at WeChat: the user may have paid while we closed. */
export function afterCloseStep(state: TradeState): CloseStep {
  if (state === 'SUCCESS' || state === 'REFUND') return { kind: 'confirm' };
  if (state === 'CLOSED' || state === 'REVOKED') return { kind: 'closed', wechatTradeState: 'CLOSED' };
  return { kind: 'retry' };
}

/** Delay before query number `rung` (0-based): the ladder, then its last step forever. */
export function ladderDelayMs(ladderSeconds: readonly number[], rung: number): number {
  const s = ladderSeconds[Math.min(rung, ladderSeconds.length - 1)] ?? 60;
  return Math.round(s * 1000);
}

/**
 * After WeChat answered 429 or 5xx (or did not answer): exponential back-off with jitter, never shorter
 * than the ladder step it replaces, so a struggling WeChat is asked less often, never in a loop.
 */
export function errorBackoffMs(
  consecutiveErrors: number,
  floorMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(capMs, 1000 * 2 ** Math.min(consecutiveErrors, 20));
  return Math.max(floorMs, Math.floor(exp / 2 + (random() * exp) / 2));
}

/** What timers an order needs now. Final orders need none. */
export function wantedTimers(facts: OrderFacts, finalNow: boolean): { expireAt?: number; ladder: boolean } {
  if (finalNow || !facts.placed) return { ladder: false };
  return { expireAt: Date.parse(facts.placed.expiresAt), ladder: true };
}
