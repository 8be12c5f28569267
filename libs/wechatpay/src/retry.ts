/**
 * Bounded retries with exponential back-off and jitter, only for errors the §3 table marks retriable
 * (5xx SYSTEM_ERROR/BANK_ERROR, 429 FREQUENCY_LIMITED, timeouts, resets). Callers only wrap operations that
 * are safe to repeat; each call site says why.
 */
import type { Logger } from '@wxpay-saga/observability';
import { WechatPayError } from './errors.js';

export interface RetryPolicy {
  readonly maxRetries: number;
  /** First back-off; doubles per attempt, capped at `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** "Equal jitter": half the exponential step fixed, half random, so concurrent retries spread out. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(step / 2 + random() * (step / 2));
}

export async function withRetry<T>(
  op: string,
  policy: RetryPolicy,
  logger: Logger,
  fn: () => Promise<T>,
): Promise<T> {
  const sleep = policy.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof WechatPayError) || !err.retriable || attempt >= policy.maxRetries) throw err;
      const delayMs = backoffDelay(attempt, policy);
      logger.debug({ wechatpay: { op, attempt: attempt + 1, code: err.code, delayMs } }, 'wechatpay retry');
      await sleep(delayMs);
    }
  }
}
