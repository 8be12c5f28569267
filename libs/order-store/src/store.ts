import {
  STATUS_PRECEDENCE,
  factOf,
  slotOf,
  statusOf,
  type OrderEvent,
  type OrderFacts,
  type OrderStatus,
} from '@wxpay-saga/orders';
import type { Redis } from '@wxpay-saga/redis';
import type { SagaKeys } from './keys.js';

/**
 * Merges one fact into the order's hash atomically: the slot takes the fact with the smallest eventId
 * (the reducer's rule), and the status — the first present slot in the precedence list passed in ARGV —
 * is compared before and after, so a status change is recorded exactly once however many replicas of
 * the projector race on the same order.
 */
const MERGE_LUA = `
local facts, history = KEYS[1], KEYS[2]
local slot, eventId, json, at = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local function status()
  for i = 5, #ARGV, 2 do
    if redis.call('HEXISTS', facts, ARGV[i]) == 1 then return ARGV[i + 1] end
  end
  return ''
end
local before = status()
local current = redis.call('HGET', facts, slot)
if current then
  local currentId = cjson.decode(current).eventId
  if currentId <= eventId then return {0, before, before} end
end
redis.call('HSET', facts, slot, json)
local after = status()
if after ~= before then
  redis.call('RPUSH', history, cjson.encode({status = after, at = at, eventId = eventId}))
end
return {1, before, after}
`;

export interface MergeResult {
  readonly changed: boolean;
  readonly before: OrderStatus | undefined;
  readonly after: OrderStatus | undefined;
}

export interface HistoryEntry {
  readonly status: OrderStatus;
  readonly at: string;
  readonly eventId: string;
}

export interface OrderStore {
  apply(event: OrderEvent): Promise<MergeResult>;
  get(orderId: string): Promise<OrderFacts | undefined>;
  history(orderId: string): Promise<HistoryEntry[]>;
  /** The user's orders, newest first: ids after `cursor` (exclusive), at most `limit`. */
  listForUser(
    openid: string,
    limit: number,
    cursor?: { score: number; id: string },
  ): Promise<{ id: string; score: number }[]>;
  /** Every order id in this projection (SCAN; for audits such as the ledger check). */
  allIds(): AsyncGenerator<string[]>;
}

const PRECEDENCE_ARGS = STATUS_PRECEDENCE.flatMap(([slot, status]) => [slot, status]);

export function createOrderStore(redis: Redis, keys: SagaKeys): OrderStore {
  const asStatus = (s: string) => (s === '' ? undefined : (s as OrderStatus));
  return {
    async apply(event) {
      const slot = slotOf(event);
      const fact = JSON.stringify(factOf(event));
      const [changed, before, after] = (await redis.eval(
        MERGE_LUA,
        2,
        keys.facts(event.orderId),
        keys.history(event.orderId),
        slot,
        event.eventId,
        fact,
        new Date().toISOString(),
        ...PRECEDENCE_ARGS,
      )) as [number, string, string];
      if (event.type === 'OrderPlaced') {
        await redis.zadd(
          keys.userOrders(event.payload.payer.openid),
          Date.parse(event.payload.placedAt),
          event.orderId,
        );
      }
      return { changed: changed === 1, before: asStatus(before), after: asStatus(after) };
    },
    async get(orderId) {
      const hash = await redis.hgetall(keys.facts(orderId));
      const entries = Object.entries(hash);
      if (entries.length === 0) return undefined;
      const facts: Record<string, unknown> = { orderId };
      for (const [slot, json] of entries) facts[slot] = JSON.parse(json);
      return facts as unknown as OrderFacts;
    },
    async history(orderId) {
      return (await redis.lrange(keys.history(orderId), 0, -1)).map((l) => JSON.parse(l) as HistoryEntry);
    },
    async *allIds() {
      const pattern = keys.facts('*');
      const prefix = keys.facts('');
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (found.length > 0) yield found.map((k) => k.slice(prefix.length));
      } while (cursor !== '0');
    },
    async listForUser(openid, limit, cursor) {
      // Newest first; Redis orders equal scores by member, descending, so (score, id) is a stable cursor.
      const max = cursor ? String(cursor.score) : '+inf';
      const raw = await redis.zrevrangebyscore(
        keys.userOrders(openid),
        max,
        '-inf',
        'WITHSCORES',
        'LIMIT',
        0,
        limit + 64,
      );
      const rows: { id: string; score: number }[] = [];
      for (let i = 0; i < raw.length; i += 2) rows.push({ id: raw[i]!, score: Number(raw[i + 1]) });
      return rows.filter((r) => !cursor || r.score < cursor.score || r.id < cursor.id).slice(0, limit);
    },
  };
}

export { statusOf };
