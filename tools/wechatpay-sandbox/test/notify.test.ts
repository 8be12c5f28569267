/** Payment notifications (§6) to a real local receiver: shape, crypto, retries (§6.4) and notify faults. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROBE_PREFIX } from '@wxpay-saga/wechatpay';
import { RETRY_SCHEDULE_MS, type RunningSandbox, type SandboxOptions } from '../src/index.js';
import {
  control,
  decode,
  eventually,
  ledger,
  merchantOf,
  paidOrder,
  sleep,
  start,
  startReceiver,
  v3,
  verifiesWith,
  type LedgerEntry,
  type Merchant,
  type Receiver,
} from './helpers.js';

let receiver: Receiver;
const running: RunningSandbox[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  receiver.received.length = 0;
  receiver.reply(() => 204);
});
afterAll(() => receiver.close());

async function sandbox(opts: SandboxOptions = {}): Promise<{ sb: RunningSandbox; m: Merchant }> {
  const sb = await start({ timeFactor: 0.001, ...opts });
  running.push(sb);
  return { sb, m: merchantOf(sb) };
}

const settled = (sb: RunningSandbox, no: string, n = 1) =>
  eventually(
    async () => {
      const e = await ledger(sb, no);
      return e.deliveries.length >= n && e.deliveries.every((d) => d.outcome !== 'pending') && e;
    },
    15_000,
    `deliveries of ${no} to settle`,
  );

const gaps = (e: LedgerEntry) =>
  e.notifications.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(e.notifications[i]!.at));

describe('§6.1/§6.2 delivery', () => {
  it('POSTs an encrypted, signed TRANSACTION.SUCCESS whose plaintext equals the query answer', async () => {
    const { sb, m } = await sandbox();
    const paid = await paidOrder(sb, m, { notify_url: receiver.url, attach: 'cart-7' });
    const entry = await settled(sb, paid.outTradeNo);
    expect(entry.deliveries[0]!.outcome).toBe('delivered');
    expect(receiver.received).toHaveLength(1);
    const r = receiver.received[0]!;
    const info = sb.merchant();
    expect(r.headers['content-type']).toContain('application/json');
    expect(r.headers['wechatpay-serial']).toBe(info.platformPublicKeyId);
    expect(r.headers['wechatpay-signature-type']).toBe('WECHATPAY2-SHA256-RSA2048');
    expect(verifiesWith(r.headers, r.body, info.platformPublicKey)).toBe(true);
    const { outer, plaintext } = decode(r, m.apiV3Key);
    expect(outer).toMatchObject({
      event_type: 'TRANSACTION.SUCCESS',
      resource_type: 'encrypt-resource',
      summary: '支付成功',
    });
    expect(outer.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(outer.create_time).toMatch(/\+08:00$/);
    expect(outer.resource).toMatchObject({
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      associated_data: 'transaction',
    });
    expect(outer.resource.nonce).toHaveLength(12);
    const q = await v3(sb, m, 'GET', `/v3/pay/transactions/out-trade-no/${paid.outTradeNo}?mchid=${m.mchid}`);
    expect(plaintext).toEqual(q.json());
    expect(plaintext).toMatchObject({
      trade_state: 'SUCCESS',
      attach: 'cart-7',
      payer: { openid: paid.openid },
    });
    expect(entry.notifications[0]).toMatchObject({
      notificationId: outer.id,
      attempt: 1,
      kind: 'initial',
      status: 204,
    });
  });

  it('a 200 with a FAIL body is success (status decides, C11); a 202 is not', async () => {
    const { sb, m } = await sandbox();
    receiver.reply((_r, i) => (i === 0 ? 202 : 200));
    const paid = await paidOrder(sb, m, { notify_url: receiver.url });
    const entry = await settled(sb, paid.outTradeNo);
    expect(entry.notifications.map((a) => a.status)).toEqual([202, 200]);
    expect(entry.deliveries[0]!.outcome).toBe('delivered');
  });

  it('both mode: notifications use the public key unless notifyKey is "certificate"', async () => {
    for (const notifyKey of ['publicKey', 'certificate'] as const) {
      const { sb, m } = await sandbox({ keyMode: 'both', notifyKey });
      const paid = await paidOrder(sb, m, { notify_url: receiver.url });
      await settled(sb, paid.outTradeNo);
      const r = receiver.received.at(-1)!;
      const info = sb.merchant();
      const [serial, pem] =
        notifyKey === 'publicKey'
          ? [info.platformPublicKeyId, info.platformPublicKey]
          : [info.platformCertificateSerial!, info.platformCertificate!];
      expect(r.headers['wechatpay-serial']).toBe(serial);
      expect(verifiesWith(r.headers, r.body, pem)).toBe(true);
    }
  });
});

describe('§6.4 retries', () => {
  it('retries non-2xx on the scaled schedule with the same body and id, re-signed each time', async () => {
    const { sb, m } = await sandbox({ timeFactor: 0.01 });
    receiver.reply((_r, i) => (i < 3 ? 500 : 204));
    const paid = await paidOrder(sb, m, { notify_url: receiver.url });
    const entry = await settled(sb, paid.outTradeNo);
    expect(entry.notifications.map((a) => [a.kind, a.status])).toEqual([
      ['initial', 500],
      ['retry', 500],
      ['retry', 500],
      ['retry', 204],
    ]);
    gaps(entry).forEach((g, i) => expect(g).toBeGreaterThanOrEqual(RETRY_SCHEDULE_MS[i]! * 0.01 - 2));
    const bodies = new Set(receiver.received.map((r) => r.body));
    expect(bodies.size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.headers['wechatpay-nonce'])).size).toBe(4);
  });

  it('gives up after the first send plus 15 retries (16 POSTs), then stays exhausted', async () => {
    const factor = 0.00002;
    const { sb, m } = await sandbox({ timeFactor: factor });
    receiver.reply(() => 503);
    const paid = await paidOrder(sb, m, { notify_url: receiver.url });
    const entry = await settled(sb, paid.outTradeNo);
    expect(entry.deliveries[0]).toMatchObject({ outcome: 'exhausted', retries: 15, attempts: 16 });
    expect(entry.notifications).toHaveLength(16);
    expect(entry.notifications.filter((a) => a.kind === 'retry')).toHaveLength(15);
    gaps(entry).forEach((g, i) => expect(g).toBeGreaterThanOrEqual(RETRY_SCHEDULE_MS[i]! * factor - 2));
    await sleep(200);
    expect(receiver.received).toHaveLength(16);
    const stats = (await control(sb, 'GET', '/__sandbox/stats')).json<{
      notifications: Record<string, number>;
    }>();
    expect(stats.notifications).toMatchObject({ exhausted: 1, attempts: 16 });
  });

  it('an answer slower than the deadline is a failure (status null), then retried', async () => {
    const { sb, m } = await sandbox({ notifyTimeoutMs: 200 });
    receiver.reply((_r, i) => (i === 0 ? { status: 204, delayMs: 500 } : 204));
    const paid = await paidOrder(sb, m, { notify_url: receiver.url });
    const entry = await settled(sb, paid.outTradeNo);
    expect(entry.notifications[0]).toMatchObject({ status: null, error: expect.stringContaining('200 ms') });
    expect(entry.notifications[0]!.durationMs).toBeGreaterThanOrEqual(190);
    expect(entry.notifications[1]).toMatchObject({ kind: 'retry', status: 204 });
  });

  it('a refused connection is recorded with status null and an error', async () => {
    const { sb, m } = await sandbox();
    const paid = await paidOrder(sb, m, { notify_url: 'http://127.0.0.1:9/nobody' });
    const first = await eventually(async () => (await ledger(sb, paid.outTradeNo)).notifications[0]);
    expect(first.status).toBeNull();
    expect(first.error).toMatch(/ECONNREFUSED/);
  });
});

describe('notify faults', () => {
  const addFault = async (sb: RunningSandbox, rule: Record<string, unknown>) => {
    const res = await control(sb, 'POST', '/__sandbox/faults', { endpoint: 'notify', count: 1, ...rule });
    expect(res.status).toBe(200);
  };
  const verifying = (sb: RunningSandbox) =>
    receiver.reply((r) => (verifiesWith(r.headers, r.body, sb.merchant().platformPublicKey) ? 204 : 401));

  it('drop: never delivered, no attempts; the next notification is normal', async () => {
    const { sb, m } = await sandbox();
    await addFault(sb, { kind: 'drop' });
    const dropped = await paidOrder(sb, m, { notify_url: receiver.url });
    const normal = await paidOrder(sb, m, { notify_url: receiver.url });
    await settled(sb, normal.outTradeNo);
    await sleep(100);
    const entry = await ledger(sb, dropped.outTradeNo);
    expect(entry.deliveries[0]).toMatchObject({ outcome: 'dropped', fault: 'drop', attempts: 0 });
    expect(entry.notifications).toEqual([]);
    expect(receiver.received).toHaveLength(1);
  });

  it('duplicate: two POSTs of the same notification id', async () => {
    const { sb, m } = await sandbox();
    await addFault(sb, { kind: 'duplicate' });
    const paid = await paidOrder(sb, m, { notify_url: receiver.url });
    const entry = await settled(sb, paid.outTradeNo);
    expect(entry.notifications.map((a) => a.kind)).toEqual(['initial', 'duplicate']);
    expect(receiver.received).toHaveLength(2);
    expect(decode(receiver.received[0]!, m.apiV3Key).outer.id).toBe(
      decode(receiver.received[1]!, m.apiV3Key).outer.id,
    );
  });

  it('delay: the first attempt waits ms', async () => {
    const { sb, m } = await sandbox();
    await addFault(sb, { kind: 'delay', ms: 400 });
    const before = Date.now();
    const paid = await paidOrder(sb, m, { notify_url: receiver.url });
    await settled(sb, paid.outTradeNo);
    expect(receiver.received[0]!.at - before).toBeGreaterThanOrEqual(400);
  });

  it('reorder: held until the next notification has been sent', async () => {
    const { sb, m } = await sandbox();
    await addFault(sb, { kind: 'reorder', ms: 10_000 });
    const first = await paidOrder(sb, m, { notify_url: receiver.url });
    await sleep(150);
    expect(receiver.received).toHaveLength(0);
    const second = await paidOrder(sb, m, { notify_url: receiver.url });
    await settled(sb, first.outTradeNo);
    const ids = receiver.received.map((r) => decode(r, m.apiV3Key).plaintext.out_trade_no);
    expect(ids).toEqual([second.outTradeNo, first.outTradeNo]);
  });

  it('reorder: released after ms when nothing else comes', async () => {
    const { sb, m } = await sandbox();
    await addFault(sb, { kind: 'reorder', ms: 300 });
    const before = Date.now();
    const paid = await paidOrder(sb, m, { notify_url: receiver.url });
    await settled(sb, paid.outTradeNo);
    expect(receiver.received[0]!.at - before).toBeGreaterThanOrEqual(300);
  });

  it('badSignature: the first POST fails verification; the scheduled retry is correct', async () => {
    const { sb, m } = await sandbox();
    verifying(sb);
    await addFault(sb, { kind: 'badSignature' });
    const paid = await paidOrder(sb, m, { notify_url: receiver.url });
    const entry = await settled(sb, paid.outTradeNo);
    expect(entry.notifications.map((a) => [a.kind, a.status])).toEqual([
      ['badSignature', 401],
      ['retry', 204],
    ]);
    expect(entry.deliveries[0]!.fault).toBe('badSignature');
  });

  it('probe: a WECHATPAY/SIGNTEST/ signature first (§5), then a correct one', async () => {
    const { sb, m } = await sandbox();
    verifying(sb);
    await addFault(sb, { kind: 'probe' });
    const paid = await paidOrder(sb, m, { notify_url: receiver.url });
    const entry = await settled(sb, paid.outTradeNo);
    expect(entry.notifications.map((a) => [a.kind, a.status])).toEqual([
      ['probe', 401],
      ['initial', 204],
    ]);
    expect(String(receiver.received[0]!.headers['wechatpay-signature'])).toMatch(
      new RegExp(`^${PROBE_PREFIX}`),
    );
  });
});
