import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from '@wxpay-saga/redis';

export interface SessionStore {
  /** A new random token for `openid`; only its hash is stored. */
  create(openid: string): Promise<{ token: string; expiresIn: number }>;
  resolve(token: string): Promise<string | undefined>;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Sessions are opaque random tokens (256 bits). Redis keeps sha256(token) → openid with a TTL, so a
 * Redis dump does not yield usable tokens. WeChat's session_key is never stored or returned.
 */
export function createSessionStore(
  redis: Redis,
  key: (hash: string) => string,
  ttlSeconds: number,
): SessionStore {
  return {
    async create(openid) {
      const token = randomBytes(32).toString('base64url');
      await redis.set(
        key(hashToken(token)),
        JSON.stringify({ openid, createdAt: new Date().toISOString() }),
        'EX',
        ttlSeconds,
      );
      return { token, expiresIn: ttlSeconds };
    },
    async resolve(token) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
      const raw = await redis.get(key(hashToken(token)));
      return raw ? (JSON.parse(raw) as { openid: string }).openid : undefined;
    },
  };
}
