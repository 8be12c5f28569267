export interface BackoffPolicy {
  /** Attempts in total, the first included. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  maxAttempts: 6,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  multiplier: 2,
};

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential, capped, with "full jitter"
 * (a uniform draw below the cap) so a fleet of consumers does not retry in lockstep.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt - 1),
  );
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}
