import { randomBytes } from 'node:crypto';
import type { KeySpace, Redis } from '@wxpay-saga/redis';

const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface OrderLocks {
  /** Runs `fn` holding the order's lock; undefined (without running) if another action holds it. */
  withLock<T>(
    orderId: string,
    fn: () => Promise<T>,
    waitMs?: number,
  ): Promise<{ ran: true; value: T } | { ran: false }>;
}

/**
 * One action per order at a time, across all reconciler instances: a lease lock in Redis
 * (SET NX PX, released only by its holder). A dead holder's lock expires with its lease.
 */
export function createOrderLocks(redis: Redis, ks: KeySpace, leaseMs: number): OrderLocks {
  return {
    async withLock(orderId, fn, waitMs = 0) {
      const key = ks.key('recon', 'lock', orderId);
      const token = randomBytes(12).toString('hex');
      const deadline = Date.now() + waitMs;
      while ((await redis.set(key, token, 'PX', leaseMs, 'NX')) !== 'OK') {
        if (Date.now() >= deadline) return { ran: false };
        await new Promise((r) => setTimeout(r, 50));
      }
      try {
        return { ran: true, value: await fn() };
      } finally {
        await redis.eval(RELEASE_LUA, 1, key, token).catch(() => undefined);
      }
    },
  };
}
