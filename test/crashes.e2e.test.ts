/**
 * Crashes mid-saga (issue 5): kill -9 the payment worker after prepay but before it commits, and the
 * notify gateway after publishing but before answering. After a restart each order converges with no
 * duplicate effects and no conflicting prepay (§2.1: identical parameters return the same order).
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TOPICS, prefixed } from '@wxpay-saga/contracts';
import { eventually, readTopic, testKafka, testLogger } from '@wxpay-saga/testing';
import { useStack } from './support/stack.js';

const t = useStack('crashes', { env: { RECONCILE_QUERY_LADDER_SECONDS: '3600', PAYMENT_WAIT_MS: '0' } });

describe('payment-worker killed after prepay, before commit', () => {
  it('prepays again with identical parameters after restart: same prepay_id, no conflict, PAYABLE', async () => {
    await t.stack.kill('payment-worker');
    await t.stack.start('payment-worker', { WXPAY_CRASH_AT: 'payment-worker:after-prepay' });
    const mp = await t.newUser();
    const id = (await mp.placeOrder([{ sku: 'BEANS-250G', quantity: 2 }], crypto.randomUUID())).body.order.id;
    expect(await t.stack.process('payment-worker')!.exited()).toBe('SIGKILL');
    expect(t.stack.process('payment-worker')!.output()).toContain('CRASH POINT payment-worker:after-prepay');
    const before = (await t.sandbox.transaction(id))!;
    expect(before.calls.jsapi).toBe(1);
    expect((await mp.order(id)).body.status).toBe('PLACED');

    await t.stack.start('payment-worker');
    const params = await mp.paymentWhenReady(id);
    expect(params.status).toBe(200);
    const after = (await t.sandbox.transaction(id))!;
    expect(after.calls.jsapi).toBe(2);
    expect(after.prepay_ids).toEqual([before.prepay_id]);
    expect(after.conflicts).toHaveLength(0);
    expect(params.body.package).toBe(`prepay_id=${before.prepay_id}`);
    expect((await mp.pay(params.body)).errMsg).toBe('requestPayment:ok');
    await eventually(async () => (await mp.order(id)).body.status === 'PAID', { what: 'PAID' });
  });
});

describe('notify-gateway killed after publishing, before answering', () => {
  it('WeChat retries, the order is PAID once, the duplicate event is harmless', async () => {
    const mp = await t.newUser();
    const id = (await mp.placeOrder([{ sku: 'TEA-OOLONG', quantity: 3 }], crypto.randomUUID())).body.order.id;
    const params = (await mp.paymentWhenReady(id)).body;
    await t.stack.kill('notify-gateway');
    await t.stack.start('notify-gateway', { WXPAY_CRASH_AT: 'notify-gateway:after-publish' });
    expect((await mp.pay(params)).errMsg).toBe('requestPayment:ok');
    expect(await t.stack.process('notify-gateway')!.exited()).toBe('SIGKILL');
    await t.stack.start('notify-gateway');
    const ledger = await eventually(
      async () => {
        const l = (await t.sandbox.transaction(id))!;
        return l.notifications.some((n) => n.status === 204) ? l : undefined;
      },
      { what: 'a retry answered 204', timeoutMs: 30_000 },
    );
    expect(ledger.notifications[0]!.status).not.toBe(204);
    await eventually(async () => (await mp.order(id)).body.status === 'PAID', { what: 'PAID' });
    const confirmations = (
      await readTopic(
        testKafka(t.kafkaBrokers, testLogger()),
        prefixed(t.names.topicPrefix, TOPICS.paymentConfirmed.name),
      )
    ).filter((m) => m.key === id);
    expect(confirmations.length).toBeGreaterThanOrEqual(2);
    expect(
      new Set(
        confirmations.map(
          (m) => (JSON.parse(m.value!) as { payload: { transactionId: string } }).payload.transactionId,
        ),
      ).size,
    ).toBe(1);
    expect((await t.view.history(id)).filter((h) => h.status === 'PAID')).toHaveLength(1);
  });
});
