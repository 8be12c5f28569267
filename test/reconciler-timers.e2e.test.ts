/**
 * Durable timers (issue 5): a kill -9 with timers pending loses none and fires each once; two
 * reconciler instances never run actions on one order at the same time. Read from the reconciler's
 * journal (its audit trail) and the sandbox's per-order call counts.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from '@wxpay-saga/testing';
import { useStack } from './support/stack.js';

interface JournalEntry {
  orderId: string;
  action: string;
  instance: string;
  startedAt: number;
  endedAt: number;
  outcome: string;
}

const t = useStack('reconciler-timers', {
  sandboxEnv: { SANDBOX_STRICT_TIME_EXPIRE: 'false' },
  env: {
    ORDER_TTL_SECONDS: '60',
    RECONCILE_QUERY_LADDER_SECONDS: '4,120',
    RECONCILE_TICK_MS: '100',
    RECONCILE_LEASE_MS: '5000',
  },
});

const journal = async (): Promise<JournalEntry[]> =>
  (await t.redis.lrange(`${t.names.keyPrefix}recon:journal`, 0, -1)).map(
    (l) => JSON.parse(l) as JournalEntry,
  );

async function placeUnpaid(n: number): Promise<string[]> {
  const mp = await t.newUser();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await mp.placeOrder([{ sku: 'TEA-OOLONG', quantity: 1 }], crypto.randomUUID());
    ids.push(r.body.order.id);
  }
  for (const id of ids) await mp.paymentWhenReady(id);
  return ids;
}

describe('timers survive kill -9', () => {
  it('every pending timer fires once after the reconciler is killed and restarted', async () => {
    const ids = await placeUnpaid(5);
    // Wait until the reconciler has armed the timers, then kill it before the first rung (4 s).
    await eventually(
      async () => (await t.redis.zcard(`${t.names.keyPrefix}recon:timers`)) >= ids.length * 2,
      { what: 'timers armed' },
    );
    await t.stack.kill('reconciler', 'SIGKILL');
    await new Promise((r) => setTimeout(r, 5000)); // the first rung falls due while no reconciler runs
    await t.stack.start('reconciler');
    await eventually(
      async () => {
        const fired = (await journal()).filter((j) => j.action === 'query' && ids.includes(j.orderId));
        return fired.length >= ids.length;
      },
      { what: 'the overdue query timers to fire', timeoutMs: 20_000 },
    );
    await new Promise((r) => setTimeout(r, 2000));
    const fired = (await journal()).filter((j) => j.action === 'query' && ids.includes(j.orderId));
    for (const id of ids) {
      expect(
        fired.filter((j) => j.orderId === id),
        id,
      ).toHaveLength(1);
      expect((await t.sandbox.transaction(id))!.calls.query).toBe(1);
    }
    // Each order still has its next rung and its expiry timer.
    for (const id of ids) {
      expect(await t.redis.zscore(`${t.names.keyPrefix}recon:timers`, `${id}|query`)).not.toBeNull();
      expect(await t.redis.zscore(`${t.names.keyPrefix}recon:timers`, `${id}|expire`)).not.toBeNull();
    }
  });
});

describe('two reconciler instances', () => {
  it('never run two actions on one order at the same time, and share the work', async () => {
    await t.stack.startInstance('reconciler', 'b', {
      RECONCILE_QUERY_LADDER_SECONDS: '0.3,0.3,0.5',
      RECONCILER_INSTANCE_ID: 'instance-b',
    });
    await t.stack.kill('reconciler');
    await t.stack.start('reconciler', {
      RECONCILE_QUERY_LADDER_SECONDS: '0.3,0.3,0.5',
      RECONCILER_INSTANCE_ID: 'instance-a',
    });
    // Short-lived orders, so expiry closes race the query ladder and the syncs on the same orders.
    await t.stack.kill('order-api');
    await t.stack.start('order-api', { ORDER_TTL_SECONDS: '6' });
    const since = Date.now();
    const mp = await t.newUser();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push(
        (await mp.placeOrder([{ sku: 'TEA-OOLONG', quantity: 1 }], crypto.randomUUID())).body.order.id,
      );
    // Pay half of them and sync them, to mix sync actions in. Under load a payment can come after the
    // short deadline; such an order must then end CLOSED instead of PAID.
    const paid: string[] = [];
    for (const id of ids.slice(0, 6)) {
      const p = await mp.paymentWhenReady(id);
      if (p.status === 200 && (await mp.pay(p.body)).errMsg === 'requestPayment:ok') paid.push(id);
      void mp.sync(id);
    }
    expect(paid.length).toBeGreaterThan(0);
    await eventually(
      async () => {
        const mine = (await journal()).filter((j) => ids.includes(j.orderId) && j.startedAt >= since);
        return mine.length >= 40;
      },
      { what: 'many timer actions', timeoutMs: 30_000 },
    );
    const mine = (await journal()).filter((j) => ids.includes(j.orderId) && j.startedAt >= since);
    for (const id of ids) {
      const actions = mine.filter((j) => j.orderId === id).sort((a, b) => a.startedAt - b.startedAt);
      for (let i = 1; i < actions.length; i++) {
        expect(
          actions[i]!.startedAt,
          `${id}: ${JSON.stringify(actions.slice(i - 1, i + 1))}`,
        ).toBeGreaterThanOrEqual(actions[i - 1]!.endedAt);
      }
    }
    const instances = new Set(mine.map((j) => j.instance));
    expect(instances).toEqual(new Set(['instance-a', 'instance-b']));
    for (const id of ids) {
      const want = paid.includes(id) ? 'PAID' : 'CLOSED';
      await eventually(async () => (await mp.order(id)).body.status === want, {
        what: `${id} ${want}`,
        timeoutMs: 30_000,
      });
    }
    await t.stack.kill('reconciler#b');
  });
});
