import type { OrderPlacedEvent } from '@wxpay-saga/contracts';
import type { Redis } from '@wxpay-saga/redis';

/**
 * Stripe-style idempotency records. The first request for a key stores the event it is about to
 * publish (so a takeover after a crash publishes the *same* event) and later its response (so retries
 * replay it byte for byte).
 */
export interface IdempotencyRecord {
  readonly fingerprint: string;
  readonly state: 'pending' | 'done';
  readonly event: OrderPlacedEvent;
  /** Until when the request that created the record is presumed alive. */
  readonly leaseUntil: number;
  readonly response?: { statusCode: number; body: unknown };
}

export type Claim =
  { kind: 'new'; record: IdempotencyRecord } | { kind: 'existing'; record: IdempotencyRecord };

export interface IdempotencyStore {
  claim(keyHash: string, record: IdempotencyRecord): Promise<Claim>;
  get(keyHash: string): Promise<IdempotencyRecord | undefined>;
  complete(keyHash: string, record: IdempotencyRecord): Promise<void>;
  release(keyHash: string): Promise<void>;
}

export function createIdempotencyStore(
  redis: Redis,
  key: (hash: string) => string,
  ttlSeconds = 24 * 3600,
): IdempotencyStore {
  const get = async (h: string) => {
    const raw = await redis.get(key(h));
    return raw ? (JSON.parse(raw) as IdempotencyRecord) : undefined;
  };
  return {
    async claim(h, record) {
      const ok = await redis.set(key(h), JSON.stringify(record), 'EX', ttlSeconds, 'NX');
      if (ok === 'OK') return { kind: 'new', record };
      const existing = await get(h);
      // Expired between SET and GET: claim again.
      return existing ? { kind: 'existing', record: existing } : this.claim(h, record);
    },
    get,
    async complete(h, record) {
      await redis.set(key(h), JSON.stringify(record), 'EX', ttlSeconds);
    },
    async release(h) {
      await redis.del(key(h));
    },
  };
}
