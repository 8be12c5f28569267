/** Domestic refunds (§2.5, §2.6, §3.6) and the refund notification (§6.3). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index.js';
import {
  decode,
  eventually,
  ledger,
  merchantOf,
  newUser,
  paidOrder,
  prepay,
  start,
  startReceiver,
  v3,
  verifiesWith,
  type Merchant,
  type Receiver,
} from './helpers.js';

let sb: RunningSandbox;
let m: Merchant;
let receiver: Receiver;
const REFUNDS = '/v3/refund/domestic/refunds';

beforeAll(async () => {
  sb = await start({ timeFactor: 0.01 });
  m = merchantOf(sb);
  receiver = await startReceiver();
});
afterAll(async () => {
  await sb.close();
  await receiver.close();
});

const refundBody = (outTradeNo: string, refund: number, extra: Record<string, unknown> = {}) => ({
  out_trade_no: outTradeNo,
  out_refund_no: `R${Date.now()}${Math.floor(Math.random() * 1e6)}`,
  reason: '商品已售完',
  amount: { refund, total: 100, currency: 'CNY' },
  ...extra,
});

describe('§2.5 create → PROCESSING → SUCCESS', () => {
  it('accepts, settles after the scaled delay, flips the order to REFUND and notifies (§6.3)', async () => {
    const paid = await paidOrder(sb, m);
    const body = refundBody(paid.outTradeNo, 100, { notify_url: receiver.url });
    const res = await v3(sb, m, 'POST', REFUNDS, body);
    expect(res.status).toBe(200);
    const created = res.json<Record<string, unknown>>();
    expect(created).toMatchObject({
      out_refund_no: body.out_refund_no,
      out_trade_no: paid.outTradeNo,
      status: 'PROCESSING',
      channel: 'ORIGINAL',
    });
    expect(created).not.toHaveProperty('success_time');
    expect(created.refund_id).toMatch(/^50\d{27}$/);
    expect(created.amount).toMatchObject({ total: 100, refund: 100, payer_refund: 100, currency: 'CNY' });

    const done = await eventually(
      async () => {
        const q = await v3(sb, m, 'GET', `${REFUNDS}/${body.out_refund_no}`);
        return q.json().status === 'SUCCESS' && q;
      },
      5000,
      'refund SUCCESS',
    );
    expect(done.json()).toMatchObject({
      refund_id: created.refund_id,
      success_time: expect.stringMatching(/\+08:00$/),
    });
    const order = await v3(
      sb,
      m,
      'GET',
      `/v3/pay/transactions/out-trade-no/${paid.outTradeNo}?mchid=${m.mchid}`,
    );
    expect(order.json().trade_state).toBe('REFUND');

    const r = await eventually(
      () => receiver.received.find((x) => x.body.includes('REFUND.SUCCESS')),
      5000,
      'refund notification',
    );
    expect(verifiesWith(r.headers, r.body, sb.merchant().platformPublicKey)).toBe(true);
    const { outer, plaintext } = decode(r, m.apiV3Key);
    expect(outer).toMatchObject({
      event_type: 'REFUND.SUCCESS',
      summary: '退款成功',
      resource: { original_type: 'refund', associated_data: 'refund' },
    });
    expect(plaintext).toMatchObject({
      refund_status: 'SUCCESS',
      out_refund_no: body.out_refund_no,
      out_trade_no: paid.outTradeNo,
      mchid: m.mchid,
    });
    expect(plaintext).not.toHaveProperty('status');

    const entry = await eventually(async () => {
      const e = await ledger(sb, paid.outTradeNo);
      return e.deliveries.some((d) => d.event_type === 'REFUND.SUCCESS' && d.outcome === 'delivered') && e;
    });
    expect(entry.refunds).toHaveLength(1);
  });

  it('is idempotent on out_refund_no (§2.5: 只退一笔), and works by transaction_id', async () => {
    const paid = await paidOrder(sb, m);
    const txn = (await ledger(sb, paid.outTradeNo)).transaction_id!;
    const body = { ...refundBody(paid.outTradeNo, 30), out_trade_no: undefined, transaction_id: txn };
    const a = (await v3(sb, m, 'POST', REFUNDS, body)).json();
    const b = (await v3(sb, m, 'POST', REFUNDS, body)).json();
    expect(b.refund_id).toBe(a.refund_id);
    expect((await ledger(sb, paid.outTradeNo)).refunds).toHaveLength(1);
  });

  it('partial refunds add up to the total; one fen more → 400 INVALID_REQUEST', async () => {
    const paid = await paidOrder(sb, m);
    expect((await v3(sb, m, 'POST', REFUNDS, refundBody(paid.outTradeNo, 60))).status).toBe(200);
    expect((await v3(sb, m, 'POST', REFUNDS, refundBody(paid.outTradeNo, 40))).status).toBe(200);
    const over = await v3(sb, m, 'POST', REFUNDS, refundBody(paid.outTradeNo, 1));
    expect([over.status, over.json().code]).toEqual([400, 'INVALID_REQUEST']);
  });

  it('amount.total must be the order total → INVALID_REQUEST', async () => {
    const paid = await paidOrder(sb, m);
    const res = await v3(
      sb,
      m,
      'POST',
      REFUNDS,
      refundBody(paid.outTradeNo, 10, { amount: { refund: 10, total: 99, currency: 'CNY' } }),
    );
    expect(res.json()).toMatchObject({ code: 'INVALID_REQUEST', detail: { field: '/amount/total' } });
  });
});

describe('§3.6 refund errors', () => {
  it('an unpaid or unknown order → 404 RESOURCE_NOT_EXISTS', async () => {
    const { openid } = await newUser(sb);
    const unpaid = await prepay(sb, m, openid);
    const a = await v3(sb, m, 'POST', REFUNDS, refundBody(unpaid.outTradeNo, 10));
    expect([a.status, a.json().code]).toEqual([404, 'RESOURCE_NOT_EXISTS']);
    expect((await v3(sb, m, 'POST', REFUNDS, refundBody('NoSuchOrder1', 10))).status).toBe(404);
  });

  it.each([
    ['/amount/currency', { amount: { refund: 1, total: 100 } }],
    ['/out_trade_no', { out_trade_no: undefined }],
    ['/out_refund_no', { out_refund_no: 'bad no!' }],
    ['/amount/refund', { amount: { refund: 0, total: 100, currency: 'CNY' } }],
    ['/notify_url', { notify_url: 'ftp://x/y' }],
  ])('PARAM_ERROR names %s', async (field, extra) => {
    const res = await v3(sb, m, 'POST', REFUNDS, refundBody('AnyOrder123', 1, extra));
    expect(res.json()).toMatchObject({ code: 'PARAM_ERROR', detail: { field } });
  });

  it('query of an unknown out_refund_no → 404 RESOURCE_NOT_EXISTS', async () => {
    const res = await v3(sb, m, 'GET', `${REFUNDS}/NoSuchRefund`);
    expect([res.status, res.json().code]).toEqual([404, 'RESOURCE_NOT_EXISTS']);
  });
});
