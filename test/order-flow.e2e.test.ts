/**
 * Issue 4: the order and payment flow end to end — real Kafka, real Redis, the sandbox over real HTTP,
 * the four services as processes.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TOPICS, prefixed } from '@wxpay-saga/contracts';
import { paySignMessage, verifySha256Rsa } from '@wxpay-saga/wechatpay';
import { requestJson } from '@wxpay-saga/stack';
import { eventually, readTopic, testKafka, testLogger } from '@wxpay-saga/testing';
import { useStack } from './support/stack.js';

const t = useStack('order-flow');
const LATTE = [{ sku: 'COFFEE-LATTE', quantity: 1 }];

async function orderPlacedCount(orderId: string): Promise<number> {
  const msgs = await readTopic(
    testKafka(t.kafkaBrokers, testLogger()),
    prefixed(t.names.topicPrefix, TOPICS.orderPlaced.name),
  );
  return msgs.filter((m) => m.key === orderId).length;
}

describe('the mini-program flow', () => {
  it('session → order → parameters → requestPayment → sync → PAID with the sandbox transaction id (§7)', async () => {
    const mp = await t.newUser();
    const placed = await mp.placeOrder(
      [
        { sku: 'COFFEE-LATTE', quantity: 2 },
        { sku: 'CAKE-CHEESE', quantity: 1 },
      ],
      crypto.randomUUID(),
    );
    expect(placed.status).toBe(201);
    const order = placed.body.order;
    expect(order.total).toBe(2800 * 2 + 3500);
    expect(order.id).toMatch(/^[0-9a-f]{32}$/);
    const params = placed.body.payment ?? (await mp.paymentWhenReady(order.id)).body;
    expect(Object.keys(params).sort()).toEqual(['nonceStr', 'package', 'paySign', 'signType', 'timeStamp']);
    expect(params.timeStamp).toMatch(/^\d{10}$/);
    expect(params.signType).toBe('RSA');
    expect(params.package).toMatch(/^prepay_id=/);

    // Verify paySign independently, with the merchant public key the merchant platform publishes (§7).
    const merchant = await t.sandbox.merchant();
    const message = paySignMessage(merchant.appid, params.timeStamp, params.nonceStr, params.package);
    expect(verifySha256Rsa(message, params.paySign, crypto.createPublicKey(merchant.publicKey))).toBe(true);

    expect((await mp.pay(params)).errMsg).toBe('requestPayment:ok');
    const synced = await mp.sync(order.id);
    expect(synced.status).toBe(200);
    const paid = await eventually(
      async () => {
        const r = await mp.order(order.id);
        return r.body.status === 'PAID' ? r.body : undefined;
      },
      { what: 'PAID' },
    );
    const ledger = (await t.sandbox.transaction(order.id))!;
    expect(ledger.trade_state).toBe('SUCCESS');
    expect(paid.transaction!.transactionId).toBe(ledger.transaction_id);
    expect(paid.transaction!.amount).toBe(order.total);
    expect(ledger.calls.jsapi).toBe(1);
  });

  it('parameters asked for 20 times: one prepay call, one signature, the same answer', async () => {
    const mp = await t.newUser();
    const placed = await mp.placeOrder(LATTE, crypto.randomUUID());
    const id = placed.body.order.id;
    const first = await mp.paymentWhenReady(id);
    expect(first.status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 20 }, () => mp.payment(id)));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body).toEqual(first.body);
    }
    expect((await t.sandbox.transaction(id))!.calls.jsapi).toBe(1);
  });

  it('refuses parameters once the order is paid (409 ORDER_NOT_PAYABLE)', async () => {
    const mp = await t.newUser();
    const id = (await mp.placeOrder(LATTE, crypto.randomUUID())).body.order.id;
    const params = (await mp.paymentWhenReady(id)).body;
    await mp.pay(params);
    await eventually(async () => (await mp.order(id)).body.status === 'PAID', { what: 'PAID' });
    const again = await mp.payment(id);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ORDER_NOT_PAYABLE');
  });
});

describe('idempotent order creation (Stripe semantics)', () => {
  it('the same key twice replays the first response: one order, one OrderPlaced', async () => {
    const mp = await t.newUser();
    const key = crypto.randomUUID();
    const a = await mp.placeOrder(LATTE, key);
    const b = await mp.placeOrder(LATTE, key);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body).toEqual(a.body);
    await eventually(async () => (await orderPlacedCount(a.body.order.id)) === 1, {
      what: 'one OrderPlaced',
    });
    expect(
      (await mp.orders()).body.orders.filter((o: { id: string }) => o.id === a.body.order.id),
    ).toHaveLength(1);
  });

  it('the same key twice concurrently: one order, one OrderPlaced, the same answer', async () => {
    const mp = await t.newUser();
    const key = crypto.randomUUID();
    const [a, b, c] = await Promise.all([
      mp.placeOrder(LATTE, key),
      mp.placeOrder(LATTE, key),
      mp.placeOrder(LATTE, key),
    ]);
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(b.body).toEqual(a.body);
    expect(c.body).toEqual(a.body);
    await new Promise((r) => setTimeout(r, 500));
    expect(await orderPlacedCount(a.body.order.id)).toBe(1);
    expect((await mp.orders()).body.orders).toHaveLength(1);
  });

  it('the same key with a different body is 422 IDEMPOTENCY_KEY_REUSED and changes nothing', async () => {
    const mp = await t.newUser();
    const key = crypto.randomUUID();
    const a = await mp.placeOrder(LATTE, key);
    const b = await mp.placeOrder([{ sku: 'TEA-OOLONG', quantity: 1 }], key);
    expect(b.status).toBe(422);
    expect(b.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await mp.orders()).body.orders.map((o: { id: string }) => o.id)).toEqual([a.body.order.id]);
  });
});

describe('access and validation', () => {
  it('another user’s order is 404; no token or a bad token is 401', async () => {
    const alice = await t.newUser();
    const bob = await t.newUser();
    const id = (await alice.placeOrder(LATTE, crypto.randomUUID())).body.order.id;
    for (const r of [await bob.order(id), await bob.payment(id), await bob.sync(id), await bob.cancel(id)]) {
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('ORDER_NOT_FOUND');
    }
    const anonymous = Object.assign(Object.create(Object.getPrototypeOf(alice)), alice, { token: undefined });
    expect((await anonymous.order(id)).status).toBe(401);
    expect((await anonymous.order(id)).body.code).toBe('UNAUTHENTICATED');
    const forged = Object.assign(Object.create(Object.getPrototypeOf(alice)), alice, {
      token: crypto.randomBytes(32).toString('base64url'),
    });
    expect((await forged.order(id)).status).toBe(401);
    expect((await forged.order(id)).body.code).toBe('INVALID_TOKEN');
    expect((await forged.placeOrder(LATTE, 'k')).status).toBe(401);
  });

  it('every invalid body is 400 naming the field; an unknown sku is 422', async () => {
    const mp = await t.newUser();
    const cases: [unknown, string][] = [
      [{ items: [] }, 'body.items'],
      [{ items: [{ sku: 'COFFEE-LATTE', quantity: 0 }] }, 'body.items.0.quantity'],
      [{ items: [{ sku: 'COFFEE-LATTE', quantity: 1.5 }] }, 'body.items.0.quantity'],
      [{ items: [{ sku: '', quantity: 1 }] }, 'body.items.0.sku'],
      [{ items: [{ sku: 'COFFEE-LATTE', quantity: 1, price: 1 }] }, 'body.items.0'],
      [{}, 'body.items'],
    ];
    for (const [body, field] of cases) {
      const r = await requestJson<{ code: string; message: string }>(
        'POST',
        `${t.stack.urls.orderApi}/v1/orders`,
        {
          body,
          headers: { authorization: `Bearer ${mp.token}`, 'idempotency-key': crypto.randomUUID() },
        },
      );
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('VALIDATION_FAILED');
      expect(r.body.message).toContain(field);
    }
    const notJson = await requestJson<{ code: string }>('POST', `${t.stack.urls.orderApi}/v1/orders`, {
      body: '{"items": [',
      headers: { authorization: `Bearer ${mp.token}`, 'idempotency-key': crypto.randomUUID() },
    });
    expect(notJson.status).toBe(400);
    const noKey = await fetch(`${t.stack.urls.orderApi}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mp.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: LATTE }),
    });
    expect(noKey.status).toBe(400);
    expect(((await noKey.json()) as { message: string }).message).toContain('idempotency-key');
    const unknown = await mp.placeOrder([{ sku: 'NO-SUCH-SKU', quantity: 1 }], crypto.randomUUID());
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('UNKNOWN_SKU');
    const badCode = await fetch(`${t.stack.urls.orderApi}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"code":"nope"}',
    });
    expect(badCode.status).toBe(401);
    expect(((await badCode.json()) as { code: string }).code).toBe('LOGIN_INVALID_CODE');
    expect((await mp.orders()).body.orders).toHaveLength(0);
  });

  it('lists own orders newest first with a cursor, and serves the catalog, health and OpenAPI docs', async () => {
    const mp = await t.newUser();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await mp.placeOrder(LATTE, crypto.randomUUID())).body.order.id);
    const page1 = await mp.orders('?limit=3');
    const page2 = await mp.orders(`?limit=3&cursor=${page1.body.nextCursor}`);
    expect([...page1.body.orders, ...page2.body.orders].map((o: { id: string }) => o.id)).toEqual(
      [...ids].reverse(),
    );
    expect(page2.body.nextCursor).toBeNull();
    const products = await mp.products();
    expect(products.body.products.find((p: { sku: string }) => p.sku === 'COFFEE-LATTE')!.unitPrice).toBe(
      2800,
    );
    for (const path of ['/healthz', '/readyz', '/metrics', '/docs/json']) {
      expect((await fetch(`${t.stack.urls.orderApi}${path}`)).status, path).toBe(200);
    }
    const doc = (await (await fetch(`${t.stack.urls.orderApi}/docs/json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/sessions',
        '/v1/products',
        '/v1/orders',
        '/v1/orders/{id}',
        '/v1/orders/{id}/payment',
        '/v1/orders/{id}/sync',
        '/v1/orders/{id}/cancel',
      ]),
    );
  });
});
