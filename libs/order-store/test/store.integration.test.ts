/** The Redis order store against a real Redis: the Lua merge agrees with the pure reducer under races. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderClosed, OrderPlaced, PaymentConfirmed, PaymentPrepared, newEvent } from '@wxpay-saga/contracts';
import { createOrderStore, sagaKeys } from '@wxpay-saga/order-store';
import { reduce, statusOf, type OrderEvent } from '@wxpay-saga/orders';
import { connectRedis, createRedis, keySpace, type Redis } from '@wxpay-saga/redis';
import { testLogger, uniqueNames, useBrokers } from '@wxpay-saga/testing';

const brokers = useBrokers();
const logger = testLogger();
const clients: Redis[] = [];
const names = uniqueNames('order-store');
const keys = sagaKeys(keySpace(names.keyPrefix));

beforeAll(async () => {
  for (let i = 0; i < 4; i++) {
    const c = createRedis({ url: brokers.redisUrl, logger, name: `store-${i}` });
    await connectRedis(c, brokers.redisUrl);
    clients.push(c);
  }
});
afterAll(async () => {
  for (const c of clients) await c.quit();
});

const meta = (orderId: string) => ({ orderId, correlationId: 'c', causationId: null });
function history(orderId: string, openid: string, placedAt: string): OrderEvent[] {
  const total = 1800;
  return [
    newEvent(OrderPlaced, {
      ...meta(orderId),
      payload: {
        payer: { openid },
        items: [{ sku: 'TEA-OOLONG', name: '乌龙茶', quantity: 1, unitPrice: total, lineTotal: total }],
        total,
        currency: 'CNY',
        description: 'tea',
        placedAt,
        expiresAt: '2026-11-29T07:00:00.000Z',
        idempotencyKeyHash: 'a'.repeat(64),
        requestFingerprint: 'b'.repeat(64),
      },
    }),
    newEvent(PaymentPrepared, {
      ...meta(orderId),
      payload: { prepayId: 'wx1', preparedAt: placedAt, paramsExpireAt: placedAt },
    }),
    ...[1, 2, 3].map((n) =>
      newEvent(PaymentConfirmed, {
        ...meta(orderId),
        payload: {
          transactionId: `42000000002026112900000000${n}`,
          tradeState: 'SUCCESS',
          successTime: '2026-11-29T14:00:00+08:00',
          amount: { total, payerTotal: total, currency: 'CNY', payerCurrency: 'CNY' },
          payerOpenid: openid,
          appid: 'wx1',
          mchid: '1900000109',
          source: n === 1 ? 'NOTIFICATION' : 'QUERY',
          notificationId: null,
          confirmedAt: '2026-11-29T06:00:00.000Z',
        },
      }),
    ),
    newEvent(OrderClosed, {
      ...meta(orderId),
      payload: { reason: 'EXPIRED', closedAt: placedAt, wechatTradeState: 'CLOSED' },
    }),
  ];
}

describe('order store (Redis + Lua)', () => {
  it('concurrent, shuffled, duplicated merges from several clients equal the pure reduction; one history entry per status', async () => {
    const orderId = 'storeorder000000000000000000001';
    const events = history(orderId, 'openid-store-1', '2026-11-29T06:00:00.000Z');
    const deliveries = [...events, ...events, ...events].sort(() => Math.random() - 0.5);
    await Promise.all(
      deliveries.map((e, i) => createOrderStore(clients[i % clients.length]!, keys).apply(e)),
    );
    const store = createOrderStore(clients[0]!, keys);
    const facts = await store.get(orderId);
    expect(facts).toEqual(reduce(orderId, events));
    expect(statusOf(facts!)).toBe('PAID');
    const statuses = (await store.history(orderId)).map((h) => h.status);
    expect(statuses.filter((s) => s === 'PAID')).toHaveLength(1);
    expect(statuses.at(-1)).toBe('PAID');
    expect(new Set(statuses).size).toBe(statuses.length);
  });

  it('pages a user’s orders newest first with a stable cursor', async () => {
    const store = createOrderStore(clients[0]!, keys);
    const openid = 'openid-store-2';
    const ids = Array.from({ length: 7 }, (_, i) => `pageorder${String(i).padStart(22, '0')}`);
    // Two orders share a timestamp to exercise the tie-break.
    const times = ['06:00:01', '06:00:02', '06:00:03', '06:00:03', '06:00:05', '06:00:06', '06:00:07'];
    for (const [i, id] of ids.entries())
      await store.apply(history(id, openid, `2026-11-29T${times[i]}.000Z`)[0]!);
    const seen: string[] = [];
    let cursor: { score: number; id: string } | undefined;
    for (let page = 0; page < 10; page++) {
      const rows = await store.listForUser(openid, 3, cursor);
      if (rows.length === 0) break;
      seen.push(...rows.map((r) => r.id));
      cursor = rows.at(-1);
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(seen[0]).toBe(ids[6]);
    expect(seen.at(-1)).toBe(ids[0]);
  });
});
