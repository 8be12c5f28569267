/**
 * `npm run bench`: speed figures, reported with numbers (never as timed tests).
 * - micro: the cryptography every order pays for (paySign, notification verify + decrypt) and the reducer;
 * - end to end (when `npm start` is running): order placement latency and time to PAYABLE and PAID,
 *   for a bounded number of orders on loopback.
 * Writes bench/results/latest.md.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { OrderPlaced, PaymentPrepared, newEvent } from '@wxpay-saga/contracts';
import { applyEvent, emptyFacts } from '@wxpay-saga/orders';
import { MiniProgram, findRunningStack, sandboxClient } from '@wxpay-saga/stack';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  paySignMessage,
  responseSignMessage,
  signSha256Rsa,
  verifySha256Rsa,
} from '@wxpay-saga/wechatpay';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const lines: string[] = [
  `# Benchmarks (${new Date().toISOString()}, node ${process.version}, ${process.arch}, ${os.cpus().length} cores)`,
  '',
];
const out = (l: string) => {
  lines.push(l);
  process.stdout.write(l + '\n');
};

function rate(name: string, ms: number, fn: () => void): void {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) {
    fn();
    n++;
  }
  out(`| ${name} | ${Math.round(n / (ms / 1000)).toLocaleString('en')} /s |`);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

function micro(): void {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const msg = paySignMessage(
    'wx8888888888888888',
    '1414561699',
    '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
    'prepay_id=wx201410272009395522657a690389285100',
  );
  const sig = signSha256Rsa(msg, privateKey);
  const key = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
  const plain = JSON.stringify({
    appid: 'wx',
    mchid: '1900000109',
    out_trade_no: 'x'.repeat(32),
    transaction_id: '4'.repeat(28),
    trade_state: 'SUCCESS',
    amount: { total: 100 },
  });
  const ct = aesGcmEncrypt(plain, key, 'fdasflkja484', 'transaction');
  const body = JSON.stringify({ resource: { ciphertext: ct } });
  const nsig = signSha256Rsa(responseSignMessage('1704081606', 'n', body), privateKey);
  const placed = newEvent(OrderPlaced, {
    orderId: 'benchorder000000000000000000001',
    correlationId: 'c',
    causationId: null,
    payload: {
      payer: { openid: 'o' },
      items: [{ sku: 'A', name: 'a', quantity: 1, unitPrice: 1, lineTotal: 1 }],
      total: 1,
      currency: 'CNY',
      description: 'd',
      placedAt: new Date().toISOString(),
      expiresAt: new Date().toISOString(),
      idempotencyKeyHash: 'a'.repeat(64),
      requestFingerprint: 'b'.repeat(64),
    },
  });
  const prepared = newEvent(PaymentPrepared, {
    orderId: placed.orderId,
    correlationId: 'c',
    causationId: null,
    payload: { prepayId: 'wx1', preparedAt: placed.occurredAt, paramsExpireAt: placed.occurredAt },
  });
  out('## Micro (one core)');
  out('');
  out('| operation | rate |');
  out('|---|---|');
  rate('paySign (RSA-2048 SHA256 sign)', 1500, () => signSha256Rsa(msg, privateKey));
  rate('paySign verify', 1000, () => verifySha256Rsa(msg, sig, publicKey));
  rate('notification verify (RSA) + AES-256-GCM decrypt', 1000, () => {
    verifySha256Rsa(responseSignMessage('1704081606', 'n', body), nsig, publicKey);
    aesGcmDecrypt(ct, key, 'fdasflkja484', 'transaction');
  });
  rate('order reducer: apply 2 events', 1000, () =>
    applyEvent(applyEvent(emptyFacts(placed.orderId), placed), prepared),
  );
  out('');
}

async function endToEnd(): Promise<void> {
  let running;
  try {
    running = findRunningStack();
  } catch {
    out('## End to end: skipped (no stack running; start it with `npm start`)');
    return;
  }
  const sandbox = sandboxClient(running.urls.sandbox);
  const users = await Promise.all(
    Array.from({ length: CONCURRENCY }, () => new MiniProgram(running.urls.orderApi, sandbox).login()),
  );
  const place: number[] = [];
  const payable: number[] = [];
  const paid: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    users.map(async (mp) => {
      while (next < ORDERS) {
        next++;
        const t0 = performance.now();
        const r = await mp.placeOrder([{ sku: 'TEST-1FEN', quantity: 1 }], crypto.randomUUID());
        place.push(performance.now() - t0);
        const params = r.body.payment ?? (await mp.paymentWhenReady(r.body.order.id)).body;
        payable.push(performance.now() - t0);
        const t1 = performance.now();
        await mp.pay(params);
        let status = (await mp.sync(r.body.order.id)).body.status;
        while (status !== 'PAID') status = (await mp.order(r.body.order.id)).body.status;
        paid.push(performance.now() - t1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  out(`## End to end (${ORDERS} orders, ${CONCURRENCY} concurrent mini programs, loopback, one machine)`);
  out('');
  out('| measure | p50 | p95 | p99 |');
  out('|---|---|---|---|');
  const row = (name: string, xs: number[]) =>
    out(
      `| ${name} | ${pct(xs, 50).toFixed(0)} ms | ${pct(xs, 95).toFixed(0)} ms | ${pct(xs, 99).toFixed(0)} ms |`,
    );
  row('POST /v1/orders (incl. waiting for the parameters)', place);
  row('order → wx.requestPayment parameters in hand', payable);
  row('requestPayment → sync → PAID', paid);
  out('');
  out(`Throughput: ${(ORDERS / seconds).toFixed(1)} orders/s placed, paid and confirmed end to end.`);
}

micro();
await endToEnd();
fs.mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
fs.writeFileSync(new URL('./results/latest.md', import.meta.url), lines.join('\n') + '\n');
