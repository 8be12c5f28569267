import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CATALOG,
  canonicalJson,
  deriveOrderId,
  describeOrder,
  paymentParamsTtlMs,
  priceOrder,
  requestFingerprint,
  toWechatTime,
} from '@wxpay-saga/orders';
import { OrderId } from '@wxpay-saga/contracts';

describe('pricing', () => {
  it('prices from the catalog only', () => {
    const r = priceOrder(DEFAULT_CATALOG, [
      { sku: 'COFFEE-LATTE', quantity: 2 },
      { sku: 'CAKE-CHEESE', quantity: 1 },
    ]);
    expect(r).toMatchObject({ ok: true, total: 2800 * 2 + 3500 });
  });
  it('refuses unknown and duplicate SKUs', () => {
    expect(priceOrder(DEFAULT_CATALOG, [{ sku: 'NOPE', quantity: 1 }])).toEqual({
      ok: false,
      code: 'UNKNOWN_SKU',
      sku: 'NOPE',
    });
    expect(
      priceOrder(DEFAULT_CATALOG, [
        { sku: 'TEA-OOLONG', quantity: 1 },
        { sku: 'TEA-OOLONG', quantity: 2 },
      ]),
    ).toMatchObject({ ok: false, code: 'DUPLICATE_SKU' });
  });
  it('describes the order within 127 characters of 1–3-byte UTF-8 (§2.1)', () => {
    const r = priceOrder(DEFAULT_CATALOG, [{ sku: 'COFFEE-LATTE', quantity: 3 }]);
    if (!r.ok) throw new Error('priced');
    expect(describeOrder(r.items)).toBe('wxpay-saga-拿铁咖啡等3件');
    expect(describeOrder(r.items, 'x'.repeat(200)).length).toBe(127);
    expect(describeOrder(r.items, 'shop😀')).toBe('shop-拿铁咖啡等3件');
  });
});

describe('order ids and fingerprints', () => {
  it('derives a stable, valid out_trade_no per user and key', () => {
    const a = deriveOrderId('s'.repeat(32), 'openid-1', 'key-1');
    expect(OrderId.safeParse(a).success).toBe(true);
    expect(a).toHaveLength(32);
    expect(deriveOrderId('s'.repeat(32), 'openid-1', 'key-1')).toBe(a);
    expect(deriveOrderId('s'.repeat(32), 'openid-2', 'key-1')).not.toBe(a);
    expect(deriveOrderId('t'.repeat(32), 'openid-1', 'key-1')).not.toBe(a);
  });
  it('fingerprints ignore key order', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe('{"a":[{"x":1,"y":2}],"b":1}');
    expect(requestFingerprint({ items: [{ sku: 'A', quantity: 1 }] })).toBe(
      requestFingerprint({ items: [{ quantity: 1, sku: 'A' }] }),
    );
  });
});

describe('time rules', () => {
  it('formats time_expire as RFC 3339 in +08:00 (§2.1)', () => {
    expect(toWechatTime('2015-05-20T05:29:35.123Z')).toBe('2015-05-20T13:29:35+08:00');
  });
  it('stops serving parameters before the order deadline and the prepay_id 2 hours', () => {
    const now = 1_000_000;
    expect(paymentParamsTtlMs(now, now, now + 15 * 60_000)).toBe(15 * 60_000 - 5000);
    expect(paymentParamsTtlMs(now, now, now + 5 * 3600_000)).toBe(2 * 3600_000 - 5 * 60_000);
    expect(paymentParamsTtlMs(now, now, now + 5000)).toBe(4500);
    expect(paymentParamsTtlMs(now + 6000, now, now + 5000)).toBeLessThanOrEqual(0);
  });
});
