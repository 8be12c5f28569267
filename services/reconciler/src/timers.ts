import type { KeySpace, Redis } from '@wxpay-saga/redis';

export type TimerKind = 'query' | 'expire' | 'cancel';
export interface DueTimer {
  readonly orderId: string;
  readonly kind: TimerKind;
  readonly member: string;
}
export interface LadderState {
  readonly rung: number;
  readonly errors: number;
}

/**
 * Durable timers in one sorted set (score = due time, ms). Claiming a due timer moves its score to
 * now + lease in the same Lua call, so exactly one instance holds it; if that instance dies, the timer
 * is due again when the lease ends and another instance takes it. Completion removes or reschedules it.
 */
const CLAIM_LUA = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], m) end
return due
`;

export interface TimerStore {
  /** Adds the timer unless one of that kind already exists (replays never move a timer). */
  ensure(orderId: string, kind: TimerKind, dueAt: number): Promise<void>;
  /** Sets the timer's due time, replacing any existing one. */
  reschedule(orderId: string, kind: TimerKind, dueAt: number): Promise<void>;
  remove(orderId: string, kind: TimerKind): Promise<void>;
  cancelAll(orderId: string): Promise<void>;
  claimDue(now: number, leaseMs: number, limit: number): Promise<DueTimer[]>;
  has(orderId: string, kind: TimerKind): Promise<boolean>;
  ladder(orderId: string): Promise<LadderState>;
  setLadder(orderId: string, state: LadderState): Promise<void>;
  markOpen(orderId: string): Promise<void>;
  markClosed(orderId: string): Promise<void>;
  openOrders(): AsyncGenerator<string[]>;
  pending(): Promise<number>;
}

const KINDS: readonly TimerKind[] = ['query', 'expire', 'cancel'];
const memberOf = (orderId: string, kind: TimerKind) => `${orderId}|${kind}`;

export function createTimerStore(redis: Redis, ks: KeySpace): TimerStore {
  const timers = ks.key('recon', 'timers');
  const ladders = ks.key('recon', 'ladder');
  const open = ks.key('recon', 'open');
  return {
    async ensure(orderId, kind, dueAt) {
      await redis.zadd(timers, 'NX', dueAt, memberOf(orderId, kind));
    },
    async reschedule(orderId, kind, dueAt) {
      await redis.zadd(timers, dueAt, memberOf(orderId, kind));
    },
    async remove(orderId, kind) {
      await redis.zrem(timers, memberOf(orderId, kind));
    },
    async cancelAll(orderId) {
      await redis
        .multi()
        .zrem(timers, ...KINDS.map((k) => memberOf(orderId, k)))
        .hdel(ladders, orderId)
        .srem(open, orderId)
        .exec();
    },
    async claimDue(now, leaseMs, limit) {
      const members = (await redis.eval(CLAIM_LUA, 1, timers, now, now + leaseMs, limit)) as string[];
      return members.flatMap((member) => {
        const [orderId, kind] = member.split('|') as [string, TimerKind | undefined];
        return kind && KINDS.includes(kind) ? [{ orderId, kind, member }] : [];
      });
    },
    async has(orderId, kind) {
      return (await redis.zscore(timers, memberOf(orderId, kind))) !== null;
    },
    async ladder(orderId) {
      const raw = await redis.hget(ladders, orderId);
      return raw ? (JSON.parse(raw) as LadderState) : { rung: 0, errors: 0 };
    },
    async setLadder(orderId, state) {
      await redis.hset(ladders, orderId, JSON.stringify(state));
    },
    async markOpen(orderId) {
      await redis.sadd(open, orderId);
    },
    async markClosed(orderId) {
      await redis.srem(open, orderId);
    },
    async *openOrders() {
      let cursor = '0';
      do {
        const [next, ids] = await redis.sscan(open, cursor, 'COUNT', 200);
        cursor = next;
        if (ids.length > 0) yield ids;
      } while (cursor !== '0');
    },
    pending: () => redis.zcard(timers),
  };
}
