/**
 * The order reducer is insensitive to order and duplication (issue 4, "Order state"): applying any
 * permutation of a valid history, with any duplicates, gives the same final state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  OrderCloseRequested,
  OrderClosed,
  OrderPlaced,
  PaymentConfirmed,
  PaymentFailed,
  PaymentPrepared,
  newEvent,
} from '@wxpay-saga/contracts';
import {
  applyEvent,
  emptyFacts,
  flagsOf,
  placedEventOf,
  reduce,
  statusOf,
  toView,
  type OrderEvent,
} from '@wxpay-saga/orders';

const ORDER = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const meta = (eventId: string) => ({
  orderId: ORDER,
  correlationId: 'corr',
  causationId: null,
  eventId,
  occurredAt: '2026-11-29T06:00:00.000Z',
});

const placed = (id: string, total = 2800) =>
  newEvent(OrderPlaced, {
    ...meta(id),
    payload: {
      payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
      items: [{ sku: 'COFFEE-LATTE', name: '拿铁咖啡', quantity: 1, unitPrice: total, lineTotal: total }],
      total,
      currency: 'CNY',
      description: 'wxpay-saga-拿铁咖啡',
      placedAt: '2026-11-29T06:00:00.000Z',
      expiresAt: '2026-11-29T06:15:00.000Z',
      idempotencyKeyHash: 'a'.repeat(64),
      requestFingerprint: 'b'.repeat(64),
    },
  });
const prepared = (id: string) =>
  newEvent(PaymentPrepared, {
    ...meta(id),
    payload: {
      prepayId: 'wx29060000000000abcdef',
      preparedAt: '2026-11-29T06:00:01.000Z',
      paramsExpireAt: '2026-11-29T06:14:55.000Z',
    },
  });
const failed = (id: string) =>
  newEvent(PaymentFailed, {
    ...meta(id),
    payload: {
      stage: 'PREPAY',
      code: 'PARAM_ERROR',
      message: 'bad',
      httpStatus: 400,
      failedAt: '2026-11-29T06:00:01.000Z',
    },
  });
const confirmed = (id: string, source: 'NOTIFICATION' | 'QUERY', total = 2800) =>
  newEvent(PaymentConfirmed, {
    ...meta(id),
    payload: {
      transactionId: '4200000000202611290000000001',
      tradeState: 'SUCCESS',
      successTime: '2026-11-29T14:05:00+08:00',
      amount: { total, payerTotal: total, currency: 'CNY', payerCurrency: 'CNY' },
      payerOpenid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      appid: 'wxd678efh567hg6787',
      mchid: '1900000109',
      source,
      notificationId: source === 'NOTIFICATION' ? 'EV-1' : null,
      confirmedAt: '2026-11-29T06:05:01.000Z',
    },
  });
const closed = (id: string) =>
  newEvent(OrderClosed, {
    ...meta(id),
    payload: { reason: 'EXPIRED', closedAt: '2026-11-29T06:15:01.000Z', wechatTradeState: 'CLOSED' },
  });
const cancel = (id: string) =>
  newEvent(OrderCloseRequested, {
    ...meta(id),
    payload: { reason: 'USER_CANCEL', requestedAt: '2026-11-29T06:01:00.000Z' },
  });

const uuid = fc.uuid({ version: 4 });

/** Histories the saga can produce: placed, maybe prepared, then any mix of outcomes (races included). */
const history = fc
  .record({
    placed: uuid,
    prepared: fc.option(uuid),
    failed: fc.option(uuid),
    cancel: fc.option(uuid),
    closed: fc.array(uuid, { maxLength: 2 }),
    confirmations: fc.array(fc.tuple(uuid, fc.constantFrom('NOTIFICATION' as const, 'QUERY' as const)), {
      maxLength: 3,
    }),
  })
  .map((h): OrderEvent[] => [
    placed(h.placed),
    ...(h.prepared ? [prepared(h.prepared)] : []),
    ...(h.failed ? [failed(h.failed)] : []),
    ...(h.cancel ? [cancel(h.cancel)] : []),
    ...h.closed.map(closed),
    ...h.confirmations.map(([id, s]) => confirmed(id, s)),
  ]);

/** A permutation of the history with every event delivered one to three times. */
const delivery = history.chain((events) =>
  fc
    .tuple(
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: events.length, maxLength: events.length }),
      fc.array(fc.nat(), { minLength: 30, maxLength: 30 }),
    )
    .map(([times, keys]) => {
      const copies = events.flatMap((e, i) => Array.from({ length: times[i]! }, () => e));
      const shuffled = copies
        .map((e, i) => ({ e, k: keys[i % keys.length]! * 1000 + i * 7919 }))
        .sort((a, b) => a.k - b.k)
        .map((x) => x.e);
      return { events, shuffled };
    }),
);

describe('order reducer (fast-check)', () => {
  it('any permutation with any duplicates of a valid history gives the same final state', () => {
    fc.assert(
      fc.property(delivery, ({ events, shuffled }) => {
        const inOrder = reduce(ORDER, events);
        const anyOrder = reduce(ORDER, shuffled);
        expect(anyOrder).toEqual(inOrder);
        expect(statusOf(anyOrder)).toBe(statusOf(inOrder));
        expect(toView(anyOrder)).toEqual(toView(inOrder));
      }),
      { numRuns: 500 },
    );
  });

  it('a confirmed payment is never undone: PAID whatever else arrived, flagged when also closed', () => {
    fc.assert(
      fc.property(delivery, ({ events, shuffled }) => {
        const facts = reduce(ORDER, shuffled);
        const paid = events.some((e) => e.type === 'PaymentConfirmed');
        const closedToo = events.some((e) => e.type === 'OrderClosed');
        expect(statusOf(facts) === 'PAID').toBe(paid);
        expect(flagsOf(facts).paidAfterClose).toBe(paid && closedToo);
      }),
    );
  });

  it('applying an event twice changes nothing (idempotence)', () => {
    fc.assert(
      fc.property(history, (events) => {
        const once = reduce(ORDER, events);
        for (const e of events) expect(applyEvent(once, e)).toEqual(once);
      }),
    );
  });
});

describe('order status examples', () => {
  it('walks PLACED → PAYABLE → PAID', () => {
    let f = emptyFacts(ORDER);
    f = applyEvent(f, placed(crypto.randomUUID()));
    expect(statusOf(f)).toBe('PLACED');
    f = applyEvent(f, prepared(crypto.randomUUID()));
    expect(statusOf(f)).toBe('PAYABLE');
    f = applyEvent(f, confirmed(crypto.randomUUID(), 'NOTIFICATION'));
    expect(statusOf(f)).toBe('PAID');
    expect(toView(f)?.transaction?.transactionId).toBe('4200000000202611290000000001');
  });

  it('flags a confirmed amount that differs from the order total', () => {
    const f = reduce(ORDER, [placed(crypto.randomUUID(), 2800), confirmed(crypto.randomUUID(), 'QUERY', 1)]);
    expect(statusOf(f)).toBe('PAID');
    expect(flagsOf(f).amountMismatch).toBe(true);
  });

  it('a closed order that was never paid is CLOSED; failed prepay is FAILED', () => {
    expect(
      statusOf(
        reduce(ORDER, [
          placed(crypto.randomUUID()),
          prepared(crypto.randomUUID()),
          closed(crypto.randomUUID()),
        ]),
      ),
    ).toBe('CLOSED');
    expect(statusOf(reduce(ORDER, [placed(crypto.randomUUID()), failed(crypto.randomUUID())]))).toBe(
      'FAILED',
    );
  });

  it('rebuilds the original OrderPlaced exactly from the facts (for a redrive)', () => {
    const original = { ...placed(crypto.randomUUID()), correlationId: 'req-42' };
    const facts = reduce(ORDER, [original, prepared(crypto.randomUUID())]);
    expect(placedEventOf(facts)).toEqual(original);
    expect(placedEventOf(emptyFacts(ORDER))).toBeUndefined();
  });

  it('rejects an event of another order', () => {
    const other = { ...placed(crypto.randomUUID()), orderId: 'other-order-id' };
    expect(() => applyEvent(emptyFacts(ORDER), other)).toThrow(/applied to/);
  });
});
