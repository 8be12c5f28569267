/**
 * payment-worker against a failing WeChat (issue 4): retriable prepay errors (§3.5: 5xx, 429,
 * timeouts) back off and recover to PAYABLE; permanent ones end FAILED with WeChat's code, not retried.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from '@wxpay-saga/testing';
import { useStack } from './support/stack.js';

const t = useStack('prepay-faults', {
  env: { PAYMENT_WAIT_MS: '0', WECHATPAY_TIMEOUT_MS: '800', WECHATPAY_MAX_RETRIES: '1' },
});

const jsapiRequests = async () => (await t.sandbox.stats()).requests.jsapi ?? 0;

describe('prepay failures', () => {
  it('500 twice, 429, then a hang: the worker backs off and the order becomes PAYABLE', async () => {
    await t.sandbox.clearFaults();
    await t.sandbox.addFault({
      endpoint: 'jsapi',
      kind: 'error',
      status: 500,
      code: 'SYSTEM_ERROR',
      count: 2,
    });
    await t.sandbox.addFault({
      endpoint: 'jsapi',
      kind: 'error',
      status: 429,
      code: 'FREQUENCY_LIMITED',
      count: 1,
    });
    await t.sandbox.addFault({ endpoint: 'jsapi', kind: 'hang', count: 1 });
    const before = await jsapiRequests();
    const mp = await t.newUser();
    const placed = await mp.placeOrder([{ sku: 'COFFEE-AMERICANO', quantity: 1 }], crypto.randomUUID());
    expect(placed.status).toBe(201);
    expect(placed.body.payment).toBeNull();
    const id = placed.body.order.id;
    const pending = await mp.payment(id);
    expect([200, 202]).toContain(pending.status);
    const ready = await mp.paymentWhenReady(id, 40_000);
    expect(ready.status).toBe(200);
    expect((await mp.order(id)).body.status).toBe('PAYABLE');
    expect((await jsapiRequests()) - before).toBeGreaterThanOrEqual(5);
    const ledger = (await t.sandbox.transaction(id))!;
    expect(ledger.conflicts ?? []).toHaveLength(0);
    expect((await mp.pay(ready.body)).errMsg).toBe('requestPayment:ok');
  });

  it.each([
    [400, 'PARAM_ERROR'],
    [500, 'OPENID_MISMATCH'],
    [400, 'APPID_MCHID_NOT_MATCH'],
  ])('a permanent %i %s ends FAILED with the code and is not retried', async (status, code) => {
    await t.sandbox.clearFaults();
    await t.sandbox.addFault({ endpoint: 'jsapi', kind: 'error', status, code, count: 1 });
    const before = await jsapiRequests();
    const mp = await t.newUser();
    const id = (await mp.placeOrder([{ sku: 'COFFEE-AMERICANO', quantity: 1 }], crypto.randomUUID())).body
      .order.id;
    const failed = await eventually(
      async () => {
        const o = (await mp.order(id)).body;
        return o.status === 'FAILED' ? o : undefined;
      },
      { what: 'FAILED', timeoutMs: 20_000 },
    );
    expect(failed.failure!.code).toBe(code);
    const p = await mp.payment(id);
    expect(p.status).toBe(409);
    expect(p.body.code).toBe('ORDER_NOT_PAYABLE');
    await new Promise((r) => setTimeout(r, 2000));
    expect((await jsapiRequests()) - before).toBe(1);
  });
});
