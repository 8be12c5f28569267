/**
 * notify-gateway end to end (issue 4): duplicated, repeated and reordered notifications, forged ones,
 * and amount mismatches. Notifications are built per wechatpay-v3.md §6 with the sandbox's dev keys.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from '@wxpay-saga/testing';
import { responseSignMessage, signSha256Rsa } from '@wxpay-saga/wechatpay';
import {
  buildNotification,
  postNotification,
  successTransaction,
  wechatSide,
} from './support/notifications.js';
import { useStack } from './support/stack.js';

const t = useStack('notifications', { env: { RECONCILE_QUERY_LADDER_SECONDS: '3600' } });

async function payableOrder() {
  const mp = await t.newUser();
  const placed = await mp.placeOrder([{ sku: 'TEA-OOLONG', quantity: 1 }], crypto.randomUUID());
  const params = placed.body.payment ?? (await mp.paymentWhenReady(placed.body.order.id)).body;
  return { mp, id: placed.body.order.id, total: placed.body.order.total, params };
}

const paidHistory = async (id: string) => (await t.view.history(id)).filter((h) => h.status === 'PAID');

describe('duplicate, repeated and out-of-order notifications', () => {
  it('end in PAID once (one state transition) (§6.4: be idempotent)', async () => {
    const a = await payableOrder();
    const b = await payableOrder();
    await t.sandbox.addFault({ endpoint: 'notify', kind: 'reorder', count: 1 });
    await t.sandbox.addFault({ endpoint: 'notify', kind: 'duplicate', count: 2 });
    expect((await a.mp.pay(a.params)).errMsg).toBe('requestPayment:ok');
    expect((await b.mp.pay(b.params)).errMsg).toBe('requestPayment:ok');
    // WeChat may also resend the very same notification later: replay A's three more times.
    const side = wechatSide(t.keyDir);
    const ledgerA = await eventually(async () => {
      const l = (await t.sandbox.transaction(a.id))!;
      return l.trade_state === 'SUCCESS' ? l : undefined;
    });
    const replay = buildNotification({
      id: 'EV-replayed-1',
      transaction: successTransaction({
        appid: side.config.appid,
        mchid: side.config.mchid,
        outTradeNo: a.id,
        total: a.total,
        openid: a.mp.openid!,
        transactionId: ledgerA.transaction_id!,
      }),
      apiV3Key: side.config.apiV3Key,
      signingKey: side.platformKey,
      serial: side.platformKeyId,
    });
    for (let i = 0; i < 3; i++)
      expect((await postNotification(t.stack.urls.notifyGateway, replay)).status).toBe(204);
    for (const o of [a, b]) {
      await eventually(async () => (await o.mp.order(o.id)).body.status === 'PAID', { what: `${o.id} PAID` });
    }
    await new Promise((r) => setTimeout(r, 1000));
    for (const o of [a, b]) {
      expect(await paidHistory(o.id)).toHaveLength(1);
      expect((await o.mp.order(o.id)).body.transaction!.confirmedBy).toBe('NOTIFICATION');
    }
    await t.sandbox.clearFaults();
  });
});

describe('forged notifications', () => {
  it('are rejected with the right status and code, and leave the order unchanged', async () => {
    const o = await payableOrder();
    const side = wechatSide(t.keyDir);
    const tx = successTransaction({
      appid: side.config.appid,
      mchid: side.config.mchid,
      outTradeNo: o.id,
      total: o.total,
      openid: o.mp.openid!,
    });
    const genuine = {
      transaction: tx,
      apiV3Key: side.config.apiV3Key,
      signingKey: side.platformKey,
      serial: side.platformKeyId,
    };
    const strangerKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const cases: [string, ReturnType<typeof buildNotification>, number, string][] = [
      [
        'wrong key',
        buildNotification({ ...genuine, signingKey: strangerKey }),
        401,
        'NOTIFY_SIGNATURE_INVALID',
      ],
      [
        'stale timestamp (§5: ±300 s)',
        buildNotification({ ...genuine, timestamp: String(Math.floor(Date.now() / 1000) - 301) }),
        401,
        'NOTIFY_TIMESTAMP_SKEW',
      ],
      [
        'unknown serial',
        buildNotification({ ...genuine, serial: 'PUB_KEY_ID_0000000000000000000000000000000000' }),
        401,
        'NOTIFY_UNKNOWN_SERIAL',
      ],
      [
        'probe signature (§5)',
        buildNotification({ ...genuine, signature: 'WECHATPAY/SIGNTEST/' + 'A'.repeat(40) }),
        401,
        'NOTIFY_PROBE_SIGNATURE',
      ],
      [
        'tampered body after signing',
        buildNotification({ ...genuine, tamper: (b) => b.replace('"ciphertext":"', '"ciphertext":"A') }),
        401,
        'NOTIFY_SIGNATURE_INVALID',
      ],
      [
        'wrong APIv3 key (§6.2, tag checked)',
        buildNotification({ ...genuine, apiV3Key: 'x'.repeat(32) }),
        401,
        'NOTIFY_DECRYPT_FAILED',
      ],
      [
        'other mchid',
        buildNotification({ ...genuine, transaction: { ...tx, mchid: '1900009999' } }),
        400,
        'NOTIFY_MCHID_MISMATCH',
      ],
      [
        'other appid',
        buildNotification({ ...genuine, transaction: { ...tx, appid: 'wx0000000000000000' } }),
        400,
        'NOTIFY_APPID_MISMATCH',
      ],
    ];
    for (const [name, n, status, code] of cases) {
      const r = await postNotification(t.stack.urls.notifyGateway, n);
      expect(r.status, name).toBe(status);
      expect(JSON.parse(r.body), name).toEqual({ code: 'FAIL', message: expect.stringContaining(code) });
    }
    // Correctly signed, but not JSON: malformed is 400 (§6.4: any 4xx makes WeChat resend).
    const ts = String(Math.floor(Date.now() / 1000));
    const body = '{"id": ';
    const malformed = await postNotification(t.stack.urls.notifyGateway, {
      headers: {
        'content-type': 'application/json',
        'wechatpay-timestamp': ts,
        'wechatpay-nonce': 'n0nce',
        'wechatpay-serial': side.platformKeyId,
        'wechatpay-signature': signSha256Rsa(responseSignMessage(ts, 'n0nce', body), side.platformKey),
      },
      body,
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toContain('NOTIFY_BODY_MALFORMED');
    const order = (await o.mp.order(o.id)).body;
    expect(order.status).toBe('PAYABLE');
    expect(order.transaction).toBeNull();
    const metrics = await (await fetch(`${t.stack.urls.notifyGateway}/metrics`)).text();
    expect(metrics).toMatch(/notify_rejected_total\{[^}]*code="NOTIFY_SIGNATURE_INVALID"[^}]*\} 2/);
    expect(metrics).toMatch(/notify_rejected_total\{[^}]*code="NOTIFY_PROBE_SIGNATURE"[^}]*\} 1/);
  });

  it('a confirmed amount that differs from the order total is flagged, not silently accepted', async () => {
    const o = await payableOrder();
    const side = wechatSide(t.keyDir);
    const n = buildNotification({
      transaction: successTransaction({
        appid: side.config.appid,
        mchid: side.config.mchid,
        outTradeNo: o.id,
        total: 1,
        openid: o.mp.openid!,
      }),
      apiV3Key: side.config.apiV3Key,
      signingKey: side.platformKey,
      serial: side.platformKeyId,
    });
    expect((await postNotification(t.stack.urls.notifyGateway, n)).status).toBe(204);
    const order = await eventually(async () => {
      const r = (await o.mp.order(o.id)).body;
      return r.status === 'PAID' ? r : undefined;
    });
    expect(order.flags.amountMismatch).toBe(true);
    expect(order.transaction!.amount).toBe(1);
    expect(order.total).toBe(o.total);
  });
});
