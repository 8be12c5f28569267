import type { KeySpace, Redis } from '@wxpay-saga/redis';

export interface JournalEntry {
  readonly orderId: string;
  readonly action: string;
  readonly instance: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly outcome: string;
}

/**
 * An audit trail of reconciler actions (bounded): who did what to which order, and when. Operators read
 * it to see why an order was closed or confirmed; the tests read it to prove timers fire once and that
 * no two actions on one order overlap.
 */
export function createJournal(redis: Redis, ks: KeySpace, max = 10_000) {
  const key = ks.key('recon', 'journal');
  return {
    async record(entry: JournalEntry): Promise<void> {
      await redis
        .multi()
        .lpush(key, JSON.stringify(entry))
        .ltrim(key, 0, max - 1)
        .exec();
    },
    async all(): Promise<JournalEntry[]> {
      return (await redis.lrange(key, 0, -1)).map((l) => JSON.parse(l) as JournalEntry).reverse();
    },
  };
}
export type Journal = ReturnType<typeof createJournal>;
