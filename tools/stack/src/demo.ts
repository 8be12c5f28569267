/**
 * `npm run demo`: with the stack up (`npm start`), walks the flow as a mini program lives it — login,
 * order, pay, sync — and prints a timeline of what happened where.
 */
import crypto from 'node:crypto';
import { paySignMessage, verifySha256Rsa } from '@wxpay-saga/wechatpay';
import { MiniProgram } from './mini-program.js';
import { findRunningStack } from './running.js';
import { sandboxClient } from './sandbox-client.js';

const t0 = Date.now();
const line = (where: string, what: string) =>
  process.stdout.write(`${String(Date.now() - t0).padStart(6)} ms  ${where.padEnd(16)} ${what}\n`);

try {
  const { urls } = findRunningStack();
  const sandbox = sandboxClient(urls.sandbox);
  const mp = new MiniProgram(urls.orderApi, sandbox);
  process.stdout.write(`wxpay-saga demo against ${urls.orderApi} (WeChat: sandbox ${urls.sandbox})\n\n`);

  await mp.login();
  line('mini program', `wx.login() → code; POST /v1/sessions → session token (openid stays server-side)`);
  const products = (await mp.products()).body as {
    products: { sku: string; name: string; unitPrice: number }[];
  };
  line('order-api', `GET /v1/products → ${products.products.length} products`);

  const placed = await mp.placeOrder(
    [
      { sku: 'COFFEE-LATTE', quantity: 1 },
      { sku: 'CAKE-CHEESE', quantity: 1 },
    ],
    crypto.randomUUID(),
  );
  if (placed.status !== 201)
    throw new Error(`POST /v1/orders → ${placed.status} ${JSON.stringify(placed.body)}`);
  const order = placed.body.order as { id: string; total: number; status: string };
  line(
    'order-api',
    `POST /v1/orders → 201 order ${order.id}, ¥${(order.total / 100).toFixed(2)}, ${order.status} (OrderPlaced on Kafka)`,
  );
  let params = placed.body.payment;
  if (!params) {
    const r = await mp.paymentWhenReady(order.id);
    if (r.status !== 200) throw new Error(`GET /payment → ${r.status}`);
    params = r.body;
  }
  line(
    'payment-worker',
    `prepaid at WeChat (JSAPI) → ${params.package}; signed wx.requestPayment parameters cached`,
  );

  const merchant = await sandbox.merchant();
  const ok = verifySha256Rsa(
    paySignMessage(merchant.appid, params.timeStamp, params.nonceStr, params.package),
    params.paySign,
    crypto.createPublicKey(merchant.publicKey),
  );
  line(
    'mini program',
    `paySign verified with the merchant public key: ${ok}; timeStamp ${params.timeStamp} (${params.timeStamp.length} digits)`,
  );

  const paid = await mp.pay(params);
  line('WeChat (sandbox)', `wx.requestPayment → ${paid.errMsg}; notification sent to notify-gateway`);

  const synced = await mp.sync(order.id);
  line('order-api', `POST /v1/orders/${order.id}/sync → ${synced.body.status} (the reconciler asked WeChat)`);

  const final = (await mp.order(order.id)).body;
  const tx = await sandbox.transaction(order.id);
  line(
    'order-api',
    `GET /v1/orders/${order.id} → ${final.status}, transaction ${final.transaction?.transactionId ?? '-'} confirmed by ${final.transaction?.confirmedBy ?? '-'}`,
  );
  line(
    'WeChat (sandbox)',
    `ledger: ${tx?.trade_state}, transaction ${tx?.transaction_id}, notification attempts: ${(tx?.notifications ?? []).map((n: { status: number | null }) => n.status ?? 'x').join(', ')}`,
  );
  process.stdout.write(
    `\n${final.status === 'PAID' ? 'PAID — everyone agrees.' : `not paid yet: ${final.status}`}\n`,
  );
  process.exit(final.status === 'PAID' ? 0 : 1);
} catch (err) {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
