import type { Logger } from '@wxpay-saga/observability';
import { isFinal, type OrderFacts } from '@wxpay-saga/orders';
import { WechatPayError } from '@wxpay-saga/wechatpay';
import {
  afterCloseStep,
  errorBackoffMs,
  firstCloseStep,
  ladderDelayMs,
  verdictOfQuery,
  type CloseStep,
} from './decide.js';
import type { TimerKind, TimerStore } from './timers.js';
import { closeLocally, confirm, queryWechat, type Effects } from './wechat-state.js';

export interface ActionDeps extends Effects {
  readonly timers: TimerStore;
  readonly ladderSeconds: readonly number[];
  readonly maxBackoffMs: number;
  readonly logger: Logger;
}

export type Outcome = 'final' | 'confirmed' | 'closed' | 'notpay' | 'backoff' | 'retry' | 'missing';

/** Whether WeChat's failure means "ask again later, more slowly" (429, 5xx, timeouts). */
const isTransient = (err: unknown) => err instanceof WechatPayError && err.retriable;

async function backoff(d: ActionDeps, orderId: string, kind: TimerKind, err: unknown): Promise<Outcome> {
  const ladder = await d.timers.ladder(orderId);
  const errors = ladder.errors + 1;
  await d.timers.setLadder(orderId, { ...ladder, errors });
  const delay = errorBackoffMs(errors, ladderDelayMs(d.ladderSeconds, ladder.rung), d.maxBackoffMs);
  await d.timers.reschedule(orderId, kind, d.now() + delay);
  const code = err instanceof WechatPayError ? err.code : 'ERROR';
  d.logger.warn({ orderId, kind, code, delayMs: delay, errors }, 'WeChat unavailable; backing off');
  return 'backoff';
}

/** Loads the order; a final or unknown order needs no timers any more. */
async function openFacts(d: ActionDeps, orderId: string): Promise<OrderFacts | undefined> {
  const facts = await d.store.get(orderId);
  if (!facts?.placed || isFinal(facts)) {
    await d.timers.cancelAll(orderId);
    return undefined;
  }
  return facts;
}

/** A rung of the query ladder: learn the payment without waiting for (or despite losing) the notification. */
export async function runQuery(d: ActionDeps, orderId: string, correlationId: string): Promise<Outcome> {
  const facts = await openFacts(d, orderId);
  if (!facts) return 'final';
  let answer;
  try {
    answer = await queryWechat(d, orderId);
  } catch (err) {
    if (isTransient(err)) return backoff(d, orderId, 'query', err);
    throw err;
  }
  const verdict = verdictOfQuery(answer.state);
  if (verdict.kind === 'confirm' && answer.tx) {
    await confirm(d, facts, answer.tx, correlationId);
    await d.timers.cancelAll(orderId);
    return 'confirmed';
  }
  if (verdict.kind === 'close') {
    await closeLocally(d, facts, 'WECHAT_CLOSED', 'CLOSED', correlationId);
    await d.timers.cancelAll(orderId);
    return 'closed';
  }
  const ladder = await d.timers.ladder(orderId);
  const rung = ladder.rung + 1;
  await d.timers.setLadder(orderId, { rung, errors: 0 });
  await d.timers.reschedule(orderId, 'query', d.now() + ladderDelayMs(d.ladderSeconds, rung));
  return 'notpay';
}

/**
 * Expiry and user cancel, in the safe order: query → (paid? confirm) → close at WeChat → query again →
 * (paid during the close? confirm) → else OrderClosed. An order is never CLOSED while WeChat says SUCCESS.
 */
export async function runClose(
  d: ActionDeps,
  orderId: string,
  kind: 'expire' | 'cancel',
  correlationId: string,
): Promise<Outcome> {
  const facts = await openFacts(d, orderId);
  if (!facts) return 'final';
  const reason = kind === 'expire' ? 'EXPIRED' : 'USER_CANCEL';
  try {
    const first = await queryWechat(d, orderId);
    let step: CloseStep = firstCloseStep(first.state);
    let tx = first.tx;
    if (step.kind === 'close-at-wechat') {
      await closeAtWechat(d, orderId);
      const second = await queryWechat(d, orderId);
      step = afterCloseStep(second.state);
      tx = second.tx;
    }
    if (step.kind === 'confirm' && tx) {
      await confirm(d, facts, tx, correlationId);
    } else if (step.kind === 'closed') {
      await closeLocally(d, facts, reason, step.wechatTradeState, correlationId);
    } else {
      await d.timers.reschedule(orderId, kind, d.now() + errorBackoffMs(1, 1000, d.maxBackoffMs));
      return 'retry';
    }
    await d.timers.cancelAll(orderId);
    return step.kind === 'confirm' ? 'confirmed' : 'closed';
  } catch (err) {
    if (isTransient(err)) return backoff(d, orderId, kind, err);
    throw err;
  }
}

/** Closing twice is fine (ORDER_CLOSED); closing a paid order is refused, and the next query says SUCCESS. */
async function closeAtWechat(d: ActionDeps, orderId: string): Promise<void> {
  try {
    await d.wechat.closeOrder(orderId);
  } catch (err) {
    if (err instanceof WechatPayError && !err.retriable && err.code !== 'SIGN_ERROR') {
      d.logger.info({ orderId, code: err.code }, 'close refused by WeChat; the follow-up query decides');
      return;
    }
    throw err;
  }
}
