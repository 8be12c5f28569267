/**
 * WeChat drops every notification (issue 5; §6.4: after the retries, or when none arrive, the merchant
 * must query): the reconciler's query ladder still makes paid orders PAID.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from '@wxpay-saga/testing';
import { useStack } from './support/stack.js';

const t = useStack('reconciler-ladder', {
  env: { RECONCILE_QUERY_LADDER_SECONDS: '1,1,2', RECONCILE_TICK_MS: '100', ORDER_TTL_SECONDS: '120' },
});

describe('all notifications dropped', () => {
  it('paid orders become PAID through the query ladder', async () => {
    await t.sandbox.addFault({ endpoint: 'notify', kind: 'drop' });
    const mp = await t.newUser();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const placed = await mp.placeOrder([{ sku: 'CAKE-CHEESE', quantity: i + 1 }], crypto.randomUUID());
      const id = placed.body.order.id;
      const params = placed.body.payment ?? (await mp.paymentWhenReady(id)).body;
      expect((await mp.pay(params)).errMsg).toBe('requestPayment:ok');
      ids.push(id);
    }
    for (const id of ids) {
      const paid = await eventually(
        async () => {
          const o = (await mp.order(id)).body;
          return o.status === 'PAID' ? o : undefined;
        },
        { what: `${id} PAID by the ladder`, timeoutMs: 20_000 },
      );
      expect(paid.transaction!.confirmedBy).toBe('QUERY');
      const ledger = (await t.sandbox.transaction(id))!;
      expect(ledger.notifications).toHaveLength(0);
      expect(paid.transaction!.transactionId).toBe(ledger.transaction_id);
    }
    // Paid orders leave the ladder: no timers remain for them.
    await eventually(
      async () => {
        for (const id of ids)
          if ((await t.redis.zscore(`${t.names.keyPrefix}recon:timers`, `${id}|query`)) !== null)
            return false;
        return true;
      },
      { what: 'timers cancelled' },
    );
  });
});
