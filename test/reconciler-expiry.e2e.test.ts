/**
 * The reconciler (issue 5): sync, expiry and close in the safe order, the pay-during-close race, and a
 * late notification for a closed order. Short order TTLs; the sandbox in relaxed time_expire mode.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TOPICS, prefixed } from '@wxpay-saga/contracts';
import { eventually, readTopic, testKafka, testLogger } from '@wxpay-saga/testing';
import {
  buildNotification,
  postNotification,
  successTransaction,
  wechatSide,
} from './support/notifications.js';
import { useStack } from './support/stack.js';

const TTL_SECONDS = 8;
const t = useStack('reconciler-expiry', {
  sandboxEnv: { SANDBOX_STRICT_TIME_EXPIRE: 'false' },
  env: {
    ORDER_TTL_SECONDS: String(TTL_SECONDS),
    RECONCILE_QUERY_LADDER_SECONDS: '3600',
    RECONCILE_TICK_MS: '100',
    SYNC_WAIT_MS: '4000',
  },
});

async function payable() {
  const mp = await t.newUser();
  const placed = await mp.placeOrder([{ sku: 'MUG-CERAMIC', quantity: 1 }], crypto.randomUUID());
  const id = placed.body.order.id;
  return {
    mp,
    id,
    total: placed.body.order.total,
    params: placed.body.payment ?? (await mp.paymentWhenReady(id)).body,
  };
}
const statusOf = async (o: { mp: Awaited<ReturnType<typeof payable>>['mp']; id: string }) =>
  (await o.mp.order(o.id)).body.status as string;

describe('sync', () => {
  it('makes a paid order PAID within a second or two when the notification is lost', async () => {
    const o = await payable();
    await t.sandbox.addFault({ endpoint: 'notify', kind: 'drop', count: 1 });
    expect(
      (await o.mp.pay(o.params)).errMsg,
      JSON.stringify({
        params: o.params,
        order: (await o.mp.order(o.id)).body,
        ledger: await t.sandbox.transaction(o.id),
      }),
    ).toBe('requestPayment:ok');
    const started = Date.now();
    const synced = await o.mp.sync(o.id);
    expect(synced.status).toBe(200);
    expect(synced.body.status).toBe('PAID');
    // "Within a second or two": typically ~0.5 s here; the bound leaves room for a loaded CI machine.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(synced.body.transaction!.confirmedBy).toBe('QUERY');
    expect((await t.sandbox.transaction(o.id))!.notifications).toHaveLength(0);
  });
});

describe('expiry', () => {
  it('closes an unpaid order at WeChat and here; its parameters are refused; WeChat refuses a late payment', async () => {
    const o = await payable();
    const closed = await eventually(
      async () => {
        const r = (await o.mp.order(o.id)).body;
        return r.status === 'CLOSED' ? r : undefined;
      },
      { what: 'CLOSED', timeoutMs: (TTL_SECONDS + 10) * 1000 },
    );
    expect(closed.closed!.reason).toBe('EXPIRED');
    expect((await t.sandbox.transaction(o.id))!.trade_state).toBe('CLOSED');
    const p = await o.mp.payment(o.id);
    expect(p.status).toBe(409);
    expect(p.body.code).toBe('ORDER_NOT_PAYABLE');
    expect((await o.mp.pay(o.params)).errMsg).toMatch(/^requestPayment:fail /);
    expect((await t.sandbox.transaction(o.id))!.trade_state).toBe('CLOSED');
    // The cached parameters are invalidated, not just hidden.
    expect(await t.redis.exists(`${t.names.keyPrefix}pay:params:${o.id}`)).toBe(0);
  });

  it('a user cancel goes the same way: CLOSED at WeChat and here', async () => {
    const o = await payable();
    const r = await o.mp.cancel(o.id);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.cancelRequested).toBe(true);
    expect((await o.mp.payment(o.id)).status).toBe(409);
    await eventually(async () => (await statusOf(o)) === 'CLOSED', { what: 'CLOSED' });
    expect((await o.mp.order(o.id)).body.closed!.reason).toBe('USER_CANCEL');
    expect((await t.sandbox.transaction(o.id))!.trade_state).toBe('CLOSED');
    expect((await o.mp.cancel(o.id)).status).toBe(409);
  });
});

describe('the race', () => {
  it('a user who pays between the first query and the close ends PAID, never CLOSED', async () => {
    const o = await payable();
    // The close takes 2 s to reach WeChat; the user pays right after the reconciler's first query.
    await t.sandbox.addFault({ endpoint: 'close', kind: 'latency', ms: 2000, count: 1 });
    const queriesBefore = (await t.sandbox.stats()).requests.query ?? 0;
    expect((await o.mp.cancel(o.id)).status).toBe(202);
    await eventually(async () => ((await t.sandbox.stats()).requests.query ?? 0) > queriesBefore, {
      what: 'the first query of the close sequence',
      intervalMs: 10,
    });
    expect((await o.mp.pay(o.params)).errMsg).toBe('requestPayment:ok');
    await eventually(async () => (await statusOf(o)) === 'PAID', { what: 'PAID', timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 1000));
    const history = (await t.view.history(o.id)).map((h) => h.status);
    expect(history).not.toContain('CLOSED');
    expect((await o.mp.order(o.id)).body.flags.paidAfterClose).toBe(false);
    expect((await t.sandbox.transaction(o.id))!.trade_state).toBe('SUCCESS');
  });
});

describe('paid after close', () => {
  it('a late notification for a closed order makes it PAID, flagged, and publishes the alert', async () => {
    const o = await payable();
    await eventually(async () => (await statusOf(o)) === 'CLOSED', {
      what: 'CLOSED',
      timeoutMs: (TTL_SECONDS + 10) * 1000,
    });
    const side = wechatSide(t.keyDir);
    const n = buildNotification({
      transaction: successTransaction({
        appid: side.config.appid,
        mchid: side.config.mchid,
        outTradeNo: o.id,
        total: o.total,
        openid: o.mp.openid!,
      }),
      apiV3Key: side.config.apiV3Key,
      signingKey: side.platformKey,
      serial: side.platformKeyId,
    });
    expect((await postNotification(t.stack.urls.notifyGateway, n)).status).toBe(204);
    const order = await eventually(
      async () => {
        const r = (await o.mp.order(o.id)).body;
        return r.status === 'PAID' ? r : undefined;
      },
      { what: 'PAID after close' },
    );
    expect(order.flags.paidAfterClose).toBe(true);
    expect(order.closed!.reason).toBe('EXPIRED');
    const alerts = await eventually(
      async () => {
        const msgs = await readTopic(
          testKafka(t.kafkaBrokers, testLogger()),
          prefixed(t.names.topicPrefix, TOPICS.orderPaidAfterClose.name),
        );
        const mine = msgs.filter((m) => m.key === o.id);
        return mine.length > 0 ? mine : undefined;
      },
      { what: 'the OrderPaidAfterClose event' },
    );
    expect(alerts).toHaveLength(1);
    expect(JSON.parse(alerts[0]!.value!).payload.closeReason).toBe('EXPIRED');
  });
});
