/** Prepay, query and close against a running sandbox (§2.1–§2.4, §3.4, §3.5, §11). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index.js';
import {
  control,
  jsapiBody,
  ledger,
  merchantOf,
  newUser,
  paidOrder,
  payParams,
  prepay,
  requestPayment,
  start,
  v3,
  type Merchant,
} from './helpers.js';

let sb: RunningSandbox;
let m: Merchant;
let openid: string;
const JSAPI = '/v3/pay/transactions/jsapi';

beforeAll(async () => {
  sb = await start();
  m = merchantOf(sb);
  openid = (await newUser(sb)).openid;
});
afterAll(() => sb.close());

const query = (no: string, mchid = m.mchid) =>
  v3(sb, m, 'GET', `/v3/pay/transactions/out-trade-no/${no}?mchid=${mchid}`);
const close = (no: string, body: unknown = { mchid: m.mchid }) =>
  v3(sb, m, 'POST', `/v3/pay/transactions/out-trade-no/${no}/close`, body);

describe('§2.1 JSAPI prepay', () => {
  it('answers 200 {prepay_id} like wx + 14-digit time + hex, with Request-ID', async () => {
    const res = await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid));
    expect(res.status).toBe(200);
    const { prepay_id } = res.json<{ prepay_id: string }>();
    expect(prepay_id).toMatch(/^wx\d{14}[0-9a-f]{20}$/);
    expect(prepay_id.length).toBeLessThanOrEqual(64);
    expect(res.headers.get('request-id')).toMatch(/^[0-9A-F]{32}$/);
  });

  it.each([
    ['/description', { description: '' }],
    ['/description', { description: 'x'.repeat(128) }],
    ['/description', { description: '表情😀' }],
    ['/attach', { attach: '😀' }],
    ['/attach', { attach: 'a'.repeat(129) }],
    ['/out_trade_no', { out_trade_no: 'abc' }],
    ['/out_trade_no', { out_trade_no: 'has space 123' }],
    ['/out_trade_no', { out_trade_no: 'x'.repeat(33) }],
    ['/amount/total', { amount: { total: 0 } }],
    ['/amount/total', { amount: { total: 1.5 } }],
    ['/amount/total', { amount: { total: '100' } }],
    ['/amount/currency', { amount: { total: 1, currency: 'USD' } }],
    ['/payer/openid', { payer: {} }],
    ['/payer', { payer: undefined }],
    ['/notify_url', { notify_url: 'http://merchant.example.com/notify' }],
    ['/notify_url', { notify_url: 'https://merchant.example.com/notify?x=1' }],
    ['/notify_url', { notify_url: `https://e.com/${'a'.repeat(250)}` }],
    ['/time_expire', { time_expire: '2030-01-01 10:00:00' }],
    ['/appid', { appid: undefined }],
    ['/mchid', { mchid: 12345 }],
  ])('§3.4 PARAM_ERROR names %s', async (field, extra) => {
    const res = await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid, extra));
    expect(res.status).toBe(400);
    const body = res.json<{ code: string; detail: { field: string; location: string } }>();
    expect(body.code).toBe('PARAM_ERROR');
    expect(body.detail.field).toBe(field);
    expect(body.detail.location).toBe('body');
  });

  it('accepts the pipe and star of the current out_trade_no charset', async () => {
    const res = await v3(
      sb,
      m,
      'POST',
      JSAPI,
      jsapiBody(m, openid, { out_trade_no: `a|b*c-d_${Date.now()}` }),
    );
    expect(res.status).toBe(200);
  });

  it('rejects a body that is not JSON', async () => {
    const res = await v3(sb, m, 'POST', JSAPI, '{"appid":');
    expect(res.status).toBe(400);
    expect(res.json().code).toBe('PARAM_ERROR');
  });

  it('unknown mchid → MCH_NOT_EXISTS; appid not bound → APPID_MCHID_NOT_MATCH; unknown openid → 500 OPENID_MISMATCH (§3.5)', async () => {
    expect((await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid, { mchid: '1999999999' }))).json().code).toBe(
      'MCH_NOT_EXISTS',
    );
    const bad = await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid, { appid: 'wx0000000000000000' }));
    expect([bad.status, bad.json().code]).toEqual([400, 'APPID_MCHID_NOT_MATCH']);
    const mismatch = await v3(sb, m, 'POST', JSAPI, jsapiBody(m, 'oNeverIssuedByTheSandbox00000'));
    expect([mismatch.status, mismatch.json().code]).toEqual([500, 'OPENID_MISMATCH']);
  });

  it('same out_trade_no and identical parameters → the same prepay_id and a counted call', async () => {
    const body = jsapiBody(m, openid);
    const a = await v3(sb, m, 'POST', JSAPI, body);
    const b = await v3(sb, m, 'POST', JSAPI, body);
    expect(b.json().prepay_id).toBe(a.json().prepay_id);
    expect((await ledger(sb, body.out_trade_no as string)).calls.jsapi).toBe(2);
  });

  it('different parameters → 400 INVALID_REQUEST "201 商户订单号重复", recorded as a conflict', async () => {
    const body = jsapiBody(m, openid);
    await v3(sb, m, 'POST', JSAPI, body);
    const res = await v3(sb, m, 'POST', JSAPI, { ...body, amount: { total: 101, currency: 'CNY' } });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_REQUEST', message: '201 商户订单号重复' });
    const entry = await ledger(sb, body.out_trade_no as string);
    expect(entry.conflicts).toHaveLength(1);
    expect(entry.conflicts[0]!.fields).toEqual(['amount']);
    expect(
      (await control(sb, 'GET', '/__sandbox/stats')).json<{ conflicts: number }>().conflicts,
    ).toBeGreaterThanOrEqual(1);
  });

  it('closed order → ORDER_CLOSED; paid order → ORDER_PAID', async () => {
    const { body, outTradeNo } = await prepay(sb, m, openid);
    expect((await close(outTradeNo)).status).toBe(204);
    expect((await v3(sb, m, 'POST', JSAPI, body)).json().code).toBe('ORDER_CLOSED');
    const paid = await paidOrder(sb, m);
    const again = await v3(sb, m, 'POST', JSAPI, paid.body);
    expect([again.status, again.json().code]).toEqual([400, 'ORDER_PAID']);
  });
});

describe('§2.1 time_expire', () => {
  it('strict: earlier than now+1 min is raised to +1 min; beyond +90 days lowered; absent = 7 days', async () => {
    const soon = await prepay(sb, m, openid, { time_expire: new Date(Date.now() + 5_000).toISOString() });
    const far = await prepay(sb, m, openid, { time_expire: '2099-01-01T00:00:00+08:00' });
    const none = await prepay(sb, m, openid);
    const expiry = async (no: string) => Date.parse((await ledger(sb, no)).time_expire as string);
    const created = async (no: string) => Date.parse((await ledger(sb, no)).created_at as string);
    expect((await expiry(soon.outTradeNo)) - (await created(soon.outTradeNo))).toBe(60_000);
    expect((await expiry(far.outTradeNo)) - (await created(far.outTradeNo))).toBe(90 * 86_400_000);
    expect((await expiry(none.outTradeNo)) - (await created(none.outTradeNo))).toBe(7 * 86_400_000);
  });

  it('relaxed: the requested time is kept, and once past it re-ordering is refused and payment fails', async () => {
    const relaxed = await start({ strictTimeExpire: false });
    try {
      const rm = merchantOf(relaxed);
      const user = await newUser(relaxed);
      const order = await prepay(relaxed, rm, user.openid, {
        time_expire: new Date(Date.now() + 300).toISOString(),
      });
      await new Promise((r) => setTimeout(r, 1200));
      const again = await v3(relaxed, rm, 'POST', JSAPI, order.body);
      expect([again.status, again.json().code]).toEqual([400, 'ORDER_CLOSED']);
      expect(await requestPayment(relaxed, user.openid, payParams(rm, order.prepayId))).toBe(
        'requestPayment:fail order expired',
      );
      // WeChat does not auto-close: query still says NOTPAY until the merchant closes it.
      const q = await v3(
        relaxed,
        rm,
        'GET',
        `/v3/pay/transactions/out-trade-no/${order.outTradeNo}?mchid=${rm.mchid}`,
      );
      expect(q.json().trade_state).toBe('NOTPAY');
    } finally {
      await relaxed.close();
    }
  });
});

describe('§2.2/§2.3 query', () => {
  it('NOTPAY shape has no transaction_id, payer, success_time, and no payer_total', async () => {
    const { outTradeNo } = await prepay(sb, m, openid, { attach: 'kept' });
    const res = await query(outTradeNo);
    expect(res.status).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      trade_state: 'NOTPAY',
      trade_state_desc: '订单未支付',
      out_trade_no: outTradeNo,
      mchid: m.mchid,
      appid: m.appid,
    });
    for (const absent of ['transaction_id', 'payer', 'success_time', 'attach'])
      expect(body).not.toHaveProperty(absent);
    expect(body.amount).toEqual({ payer_currency: 'CNY', total: 100 });
    expect((await ledger(sb, outTradeNo)).calls.query).toBe(1);
  });

  it('SUCCESS shape by out_trade_no and by transaction id', async () => {
    const paid = await paidOrder(sb, m, { attach: 'a1' });
    const a = (await query(paid.outTradeNo)).json<Record<string, unknown>>();
    expect(a).toMatchObject({
      trade_state: 'SUCCESS',
      trade_type: 'JSAPI',
      attach: 'a1',
      payer: { openid: paid.openid },
    });
    expect(a.transaction_id).toMatch(/^4200\d{24}$/);
    expect(a.success_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(a.amount).toEqual({ total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' });
    const b = await v3(
      sb,
      m,
      'GET',
      `/v3/pay/transactions/id/${a.transaction_id as string}?mchid=${m.mchid}`,
    );
    expect(b.json()).toEqual(a);
  });

  it('unknown → 404 ORDER_NOT_EXIST; missing mchid → 400 PARAM_ERROR naming the query parameter', async () => {
    const unknown = await query('NoSuchOrder123');
    expect([unknown.status, unknown.json().code]).toEqual([404, 'ORDER_NOT_EXIST']);
    const byId = await v3(
      sb,
      m,
      'GET',
      `/v3/pay/transactions/id/4200000000000000000000000000?mchid=${m.mchid}`,
    );
    expect(byId.status).toBe(404);
    const missing = await v3(sb, m, 'GET', '/v3/pay/transactions/out-trade-no/whatever123');
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({
      code: 'PARAM_ERROR',
      detail: { field: 'mchid', location: 'query' },
    });
  });
});

describe('§2.4 close', () => {
  it('204 with an empty body; again → ORDER_CLOSED; unknown → ORDER_NOT_EXIST; query shows CLOSED', async () => {
    const { outTradeNo } = await prepay(sb, m, openid);
    const first = await close(outTradeNo);
    expect([first.status, first.text]).toEqual([204, '']);
    expect((await close(outTradeNo)).json().code).toBe('ORDER_CLOSED');
    expect((await close('NoSuchOrder123')).status).toBe(404);
    expect((await query(outTradeNo)).json().trade_state).toBe('CLOSED');
    const entry = await ledger(sb, outTradeNo);
    expect(entry.closed_at).toMatch(/\+08:00$/);
    expect(entry.calls.close).toBe(2);
  });

  it('missing mchid in the body → PARAM_ERROR /mchid', async () => {
    const res = await close('whatever123', {});
    expect(res.json()).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/mchid' } });
  });

  it('closing a paid order: 400 ORDER_PAID by default, 204 (no state change) with closePaidBehavior "succeed"', async () => {
    const paid = await paidOrder(sb, m);
    const res = await close(paid.outTradeNo);
    expect([res.status, res.json().code]).toEqual([400, 'ORDER_PAID']);
    const lenient = await start({ closePaidBehavior: 'succeed' });
    try {
      const lm = merchantOf(lenient);
      const p = await paidOrder(lenient, lm);
      const r = await v3(lenient, lm, 'POST', `/v3/pay/transactions/out-trade-no/${p.outTradeNo}/close`, {
        mchid: lm.mchid,
      });
      expect(r.status).toBe(204);
      expect((await ledger(lenient, p.outTradeNo)).trade_state).toBe('SUCCESS');
    } finally {
      await lenient.close();
    }
  });
});

describe('routing', () => {
  it('unknown route → 404; wrong method → 405', async () => {
    expect((await v3(sb, m, 'GET', '/v3/no/such/thing')).status).toBe(404);
    const wrong = await v3(sb, m, 'GET', JSAPI);
    expect([wrong.status, wrong.json().code]).toEqual([405, 'METHOD_NOT_ALLOWED']);
    expect((await control(sb, 'PUT', '/__sandbox/stats')).status).toBe(405);
  });
});

describe('§2.1 notify_url in the default (strict) setting', () => {
  it('requires a public https URL: loopback and http are refused unless allowLoopbackNotify', async () => {
    const strict = await start({ allowLoopbackNotify: false });
    try {
      const sm = merchantOf(strict);
      const user = await newUser(strict);
      for (const url of [
        'http://127.0.0.1:8080/notify',
        'https://127.0.0.1/notify',
        'https://localhost/notify',
        'http://merchant.example.com/n',
      ]) {
        const res = await v3(strict, sm, 'POST', JSAPI, jsapiBody(sm, user.openid, { notify_url: url }));
        expect(res.json()).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/notify_url' } });
      }
      const ok = await v3(
        strict,
        sm,
        'POST',
        JSAPI,
        jsapiBody(sm, user.openid, { notify_url: 'https://merchant.example.com/n' }),
      );
      expect(ok.status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('accepts plain http only for the hosts in allowHttpNotifyHosts (compose service names)', async () => {
    const sb2 = await start({ allowLoopbackNotify: false, allowHttpNotifyHosts: ['Notify-Gateway'] });
    try {
      const sm = merchantOf(sb2);
      const user = await newUser(sb2);
      const prepay = (url: string) =>
        v3(sb2, sm, 'POST', JSAPI, jsapiBody(sm, user.openid, { notify_url: url }));
      const ok = await prepay('http://notify-gateway:8081/wechatpay/notify/transaction');
      expect(ok.status).toBe(200);
      for (const url of [
        'http://payment-worker:8082/n',
        'http://notify-gateway.evil.example/n',
        'http://127.0.0.1:8081/n',
        'http://notify-gateway:8081/n?x=1',
      ]) {
        const res = await prepay(url);
        expect(res.json()).toMatchObject({ code: 'PARAM_ERROR', detail: { field: '/notify_url' } });
      }
    } finally {
      await sb2.close();
    }
  });
});
