/**
 * Redis lost (issue 5): FLUSHALL wipes the order view, sessions, idempotency records, timers and the
 * reconciler's projection. The projections notice their missing epoch marker and replay the event log,
 * the sweep re-arms timers, and every order converges to what WeChat's ledger says. This file runs its
 * own Redis so the flush touches nobody else.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisHandle } from '@wxpay-saga/infra';
import { checkLedger } from '@wxpay-saga/stack';
import { eventually } from '@wxpay-saga/testing';
import { useStack } from './support/stack.js';

let redisServer: RedisHandle;
beforeAll(async () => {
  redisServer = await startRedis();
});
const TTL = 15;
const t = useStack('redis-loss', {
  redisUrl: () => redisServer.url,
  sandboxEnv: { SANDBOX_STRICT_TIME_EXPIRE: 'false' },
  env: {
    ORDER_TTL_SECONDS: String(TTL),
    RECONCILE_QUERY_LADDER_SECONDS: '2,3',
    RECONCILE_TICK_MS: '100',
    RECONCILE_SWEEP_MS: '1000',
  },
});
afterAll(async () => {
  await redisServer?.stop();
});

describe('Redis flushed', () => {
  it('the view is rebuilt from the event log and the orders converge', async () => {
    const mp = await t.newUser();
    const place = async () => {
      const placed = await mp.placeOrder([{ sku: 'COFFEE-LATTE', quantity: 1 }], crypto.randomUUID());
      const id = placed.body.order.id;
      return { id, params: placed.body.payment ?? (await mp.paymentWhenReady(id)).body };
    };
    const paidBefore = await place();
    const abandoned = await place();
    const paidAfter = await place();
    const stillPayable = await place();
    expect((await mp.pay(paidBefore.params)).errMsg).toBe('requestPayment:ok');
    await eventually(async () => (await mp.order(paidBefore.id)).body.status === 'PAID');
    const epochBefore = await t.redis.get(`${t.names.keyPrefix}projection:order-api.view:epoch`);
    expect(epochBefore).toBeTruthy();

    expect(await t.redis.flushall()).toBe('OK');
    expect(await t.redis.dbsize()).toBe(0);

    // Sessions are gone too: the same WeChat user logs in again.
    const again = await t.newUser(mp.openid);
    expect((await again.order(paidBefore.id)).status).toBeOneOf([404, 200]);
    // The user still holds the parameters from before and pays now.
    expect((await again.pay(paidAfter.params)).errMsg).toBe('requestPayment:ok');
    // Another user's app lost its parameters: the server prepares them again, same prepay_id (§2.1).
    const params = await eventually(
      async () => {
        const r = await again.payment(stillPayable.id);
        return r.status === 200 ? r.body : undefined;
      },
      { what: 'parameters prepared again', timeoutMs: 12_000, intervalMs: 300 },
    );
    expect(params.package).toBe(stillPayable.params.package);
    expect((await t.sandbox.transaction(stillPayable.id))!.conflicts).toHaveLength(0);

    const expectStatus = async (id: string, status: string) =>
      eventually(async () => (await again.order(id)).body.status === status, {
        what: `${id} ${status}`,
        timeoutMs: (TTL + 20) * 1000,
      });
    await expectStatus(paidBefore.id, 'PAID');
    await expectStatus(paidAfter.id, 'PAID');
    await expectStatus(abandoned.id, 'CLOSED');
    await expectStatus(stillPayable.id, 'CLOSED');
    expect((await t.sandbox.transaction(abandoned.id))!.trade_state).toBe('CLOSED');
    const epochAfter = await t.redis.get(`${t.names.keyPrefix}projection:order-api.view:epoch`);
    expect(epochAfter).toBeTruthy();
    expect(epochAfter).not.toBe(epochBefore);
    expect((await again.orders()).body.orders.map((o) => o.id).sort()).toEqual(
      [paidBefore.id, abandoned.id, paidAfter.id, stillPayable.id].sort(),
    );

    const report = await checkLedger({ sandbox: t.sandbox, view: t.view, graceMs: 5000 });
    expect(report.discrepancies).toEqual([]);
    expect(report.counts.orders).toBe(4);
  });
});
