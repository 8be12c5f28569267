/**
 * The transport against a fake server that plays WeChat Pay: every 2xx is verified before it is trusted (§5),
 * errors become coded WechatPayErrors (§3), retries happen only where the §3 table allows, and nothing
 * sensitive reaches an error or a log.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WechatPayError, type WechatPayConfig } from '@wxpay-saga/wechatpay';
import { createClientInternal } from '../src/client.js';
import { backoffDelay } from '../src/retry.js';
import { APIV3_KEY, NOTPAY, OPENID, REFUND, testConfig } from './client-fixtures.js';
import { captureLogger, GO_SERIAL, startFakeServer, type FakeReply, type FakeServer } from './helpers.js';
import { officialMerchantKey } from './vectors-keys.js';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.seen.length = 0;
});

const NO = NOTPAY.out_trade_no;
const client = (over: Partial<WechatPayConfig> = {}, logger = captureLogger().logger) =>
  createClientInternal(testConfig(server.url, over), { logger, retry: { baseDelayMs: 5, maxDelayMs: 20 } });

async function failure(p: Promise<unknown>): Promise<WechatPayError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WechatPayError);
  return err as WechatPayError;
}

describe('§5 every 2xx response is verified before it is trusted', () => {
  it('a correctly signed query is parsed (serial matched case-insensitively)', async () => {
    server.reply(() => ({
      status: 200,
      body: JSON.stringify(NOTPAY),
      sign: { serial: GO_SERIAL.toLowerCase() },
    }));
    await expect(client().queryByOutTradeNo(NO)).resolves.toMatchObject({
      trade_state: 'NOTPAY',
      out_trade_no: NO,
    });
  });

  it.each([
    ['unsigned', { sign: false as const }, 'RESPONSE_SIGNATURE_INVALID'],
    ['signed with another key', { sign: { key: officialMerchantKey } }, 'RESPONSE_SIGNATURE_INVALID'],
    [
      'signed by an unknown serial',
      { sign: { serial: 'PUB_KEY_ID_0000000000000024101100397200000006' } },
      'RESPONSE_UNKNOWN_SERIAL',
    ],
    ['timestamp 301 s old', { skew: -301 }, 'RESPONSE_TIMESTAMP_SKEW'],
    ['timestamp 301 s ahead', { skew: 301 }, 'RESPONSE_TIMESTAMP_SKEW'],
    ['a probe signature', { sign: { signature: 'WECHATPAY/SIGNTEST/abc' } }, 'RESPONSE_PROBE_SIGNATURE'],
  ])('%s → %s', async (_label, reply: { sign?: FakeReply['sign']; skew?: number }, code) => {
    // The timestamp is taken when the server answers, so a slow collection phase cannot shrink the skew.
    const sign = () =>
      reply.skew === undefined
        ? reply.sign
        : { timestamp: String(Math.floor(Date.now() / 1000) + reply.skew) };
    server.reply(() => ({ status: 200, body: JSON.stringify(NOTPAY), sign: sign() }));
    const err = await failure(client({ maxRetries: 2 }).queryByOutTradeNo(NO));
    expect(err).toMatchObject({ code, retriable: false, httpStatus: 200 });
    expect(server.seen).toHaveLength(1); // verification failures are not retried
  });

  it('a body changed after signing fails even though it is valid JSON', async () => {
    const signedFor = JSON.stringify({ ...NOTPAY, trade_state: 'NOTPAY' });
    const sent = JSON.stringify({ ...NOTPAY, trade_state: 'SUCCESS' });
    const headers = (await import('./helpers.js')).signedHeaders(signedFor);
    server.reply(() => ({ status: 200, body: sent, sign: false, headers }));
    expect((await failure(client().queryByOutTradeNo(NO))).code).toBe('RESPONSE_SIGNATURE_INVALID');
  });

  it('204 close verifies over ts\\nnonce\\n\\n; a 204 signed over other bytes is rejected', async () => {
    server.reply(() => ({ status: 204 }));
    await expect(client().closeOrder(NO)).resolves.toBeUndefined();
    expect(server.seen[0]).toMatchObject({
      method: 'POST',
      url: `/v3/pay/transactions/out-trade-no/${NO}/close`,
      body: '{"mchid":"1900007291"}',
    });
    const headers = (await import('./helpers.js')).signedHeaders('{}');
    server.reply(() => ({ status: 204, sign: false, headers }));
    expect((await failure(client().closeOrder(NO))).code).toBe('RESPONSE_SIGNATURE_INVALID');
  });

  it.each([
    ['not JSON', 'prepay_id=wx1'],
    ['no prepay_id', '{"code_url":"weixin://x"}'],
    ['prepay_id with spaces', '{"prepay_id":"wx 1"}'],
  ])('prepay answer %s → RESPONSE_MALFORMED', async (_label, body) => {
    server.reply(() => ({ status: 200, body }));
    const err = await failure(
      client().prepayJsapi({
        outTradeNo: 'order_0001',
        description: 'x',
        amountTotal: 1,
        payerOpenid: OPENID,
        notifyUrl: 'https://e.com/n',
      }),
    );
    expect(err).toMatchObject({ code: 'RESPONSE_MALFORMED', retriable: false });
  });

  it('query and refund bodies are checked by zod → RESPONSE_MALFORMED naming fields, not values', async () => {
    server.reply(() => ({
      status: 200,
      body: JSON.stringify({ ...NOTPAY, trade_state: 'PAID_MAYBE', payer: { openid: OPENID } }),
    }));
    const err = await failure(client().queryByOutTradeNo(NO));
    expect(err.code).toBe('RESPONSE_MALFORMED');
    expect(err.message).toContain('trade_state');
    expect(err.message).not.toContain(OPENID);
    server.reply(() => ({ status: 200, body: JSON.stringify({ ...REFUND, status: undefined }) }));
    expect((await failure(client().queryRefund('refund_0001'))).code).toBe('RESPONSE_MALFORMED');
    server.reply(() => ({ status: 200, body: JSON.stringify(REFUND) }));
    await expect(client().queryRefund('refund_0001')).resolves.toMatchObject({
      status: 'PROCESSING',
      amount: { refund: 100 },
    });
  });
});

describe('§3 errors: coded, normalised, retriable per table, never leaking', () => {
  it('500 SYSTEMERROR (old spelling) → SYSTEM_ERROR, retriable, with Request-ID', async () => {
    server.reply(() => ({ status: 500, body: '{"code":"SYSTEMERROR","message":"系统繁忙,请稍后重试"}' }));
    const err = await failure(client().queryByOutTradeNo(NO));
    expect(err).toMatchObject({ code: 'SYSTEM_ERROR', httpStatus: 500, retriable: true, requestId: 'req-1' });
  });

  it('404 ORDERNOTEXIST → ORDER_NOT_EXIST, not retried', async () => {
    server.reply(() => ({ status: 404, body: '{"code":"ORDERNOTEXIST","message":"订单不存在"}' }));
    const err = await failure(client({ maxRetries: 2 }).queryByOutTradeNo(NO));
    expect(err).toMatchObject({ code: 'ORDER_NOT_EXIST', httpStatus: 404, retriable: false });
    expect(server.seen).toHaveLength(1);
  });

  it('500 OPENID_MISMATCH → not retriable and not retried despite the 500', async () => {
    server.reply(() => ({ status: 500, body: '{"code":"OPENID_MISMATCH","message":"openid和appid不匹配"}' }));
    const err = await failure(
      client({ maxRetries: 2 }).prepayJsapi({
        outTradeNo: 'order_0001',
        description: 'x',
        amountTotal: 1,
        payerOpenid: OPENID,
        notifyUrl: 'https://e.com/n',
      }),
    );
    expect(err).toMatchObject({ code: 'OPENID_MISMATCH', httpStatus: 500, retriable: false });
    expect(server.seen).toHaveLength(1);
  });

  it('a non-JSON 502 → HTTP_ERROR, retriable', async () => {
    server.reply(() => ({ status: 502, body: '<html>bad gateway</html>', sign: false }));
    expect(await failure(client().queryByOutTradeNo(NO))).toMatchObject({
      code: 'HTTP_ERROR',
      httpStatus: 502,
      retriable: true,
    });
  });

  it('PARAM_ERROR detail.value (which can echo an openid) stays out of the message; the field name is kept', async () => {
    server.reply(() => ({
      status: 400,
      body: JSON.stringify({
        code: 'PARAM_ERROR',
        message: '参数错误',
        detail: { field: '/payer/openid', value: OPENID, issue: 'bad', location: 'body' },
      }),
    }));
    const err = await failure(
      client().prepayJsapi({
        outTradeNo: 'order_0001',
        description: 'x',
        amountTotal: 1,
        payerOpenid: OPENID,
        notifyUrl: 'https://e.com/n',
      }),
    );
    expect(err.code).toBe('PARAM_ERROR');
    expect(err.message).toContain('/payer/openid');
    const everything = `${err.message} ${JSON.stringify(err)} ${String(err.stack)}`;
    expect(everything).not.toContain(OPENID);
    expect(everything).not.toContain('WECHATPAY2-SHA256-RSA2048');
    expect(everything).not.toContain('order_0001","notify_url'); // no request body
    expect(err).not.toHaveProperty('errRaw');
  });

  it('no answer → TIMEOUT (retriable) after timeoutMs', async () => {
    server.reply(() => ({ status: 0, fault: 'hang' }));
    const started = Date.now();
    const err = await failure(client({ timeoutMs: 300 }).queryByOutTradeNo(NO));
    expect(err).toMatchObject({ code: 'TIMEOUT', httpStatus: null, retriable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('connection reset → NETWORK_ERROR (retriable)', async () => {
    server.reply(() => ({ status: 0, fault: 'reset' }));
    expect(await failure(client().queryByOutTradeNo(NO))).toMatchObject({
      code: 'NETWORK_ERROR',
      httpStatus: null,
      retriable: true,
    });
  });

  it('connection refused (no status at all) → NETWORK_ERROR', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = createClientInternal(testConfig(`http://127.0.0.1:${port}`), {
      logger: captureLogger().logger,
    });
    const err = await failure(refused.queryByOutTradeNo(NO));
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', httpStatus: null });
    expect(err.message).toContain('ECONNREFUSED');
  });
});

describe('bounded retries with back-off, only where safe', () => {
  it('a single 500 on a query is retried transparently, with a fresh signature', async () => {
    let n = 0;
    server.reply(() =>
      n++ === 0
        ? { status: 500, body: '{"code":"SYSTEM_ERROR","message":"busy"}' }
        : { status: 200, body: JSON.stringify(NOTPAY) },
    );
    await expect(client({ maxRetries: 2 }).queryByOutTradeNo(NO)).resolves.toMatchObject({
      trade_state: 'NOTPAY',
    });
    expect(server.seen).toHaveLength(2);
    expect(server.seen[0]?.headers.authorization).not.toBe(server.seen[1]?.headers.authorization);
  });

  it('429 FREQUENCY_LIMITED is retried maxRetries times, then surfaced as retriable', async () => {
    server.reply(() => ({
      status: 429,
      body: '{"code":"FREQUENCY_LIMITED","message":"请降低请求接口频率"}',
    }));
    expect(await failure(client({ maxRetries: 2 }).queryRefund('refund_0001'))).toMatchObject({
      code: 'FREQUENCY_LIMITED',
      httpStatus: 429,
      retriable: true,
    });
    expect(server.seen).toHaveLength(3);
  });

  it('prepay and refund retries resend identical bodies (same out_trade_no / out_refund_no)', async () => {
    let n = 0;
    server.reply((r) => {
      if (n++ % 2 === 0) return { status: 0, fault: 'reset' };
      return {
        status: 200,
        body: r.url.includes('refund') ? JSON.stringify(REFUND) : '{"prepay_id":"wx77"}',
      };
    });
    const c = client({ maxRetries: 1 });
    await c.prepayJsapi({
      outTradeNo: 'order_0001',
      description: 'x',
      amountTotal: 1,
      payerOpenid: OPENID,
      notifyUrl: 'https://e.com/n',
    });
    await c.createRefund({
      outTradeNo: NO,
      outRefundNo: 'refund_0001',
      amount: { refund: 100, total: 100, currency: 'CNY' },
    });
    expect(server.seen).toHaveLength(4);
    expect(server.seen[0]?.body).toBe(server.seen[1]?.body);
    expect(server.seen[2]?.body).toBe(server.seen[3]?.body);
    expect(JSON.parse(server.seen[2]!.body)).toEqual({
      out_trade_no: NO,
      out_refund_no: 'refund_0001',
      amount: { refund: 100, total: 100, currency: 'CNY' },
    });
  });

  it('a close whose first answer was lost surfaces ORDER_CLOSED from the retry (the caller decides)', async () => {
    let n = 0;
    server.reply(() =>
      n++ === 0
        ? { status: 0, fault: 'reset' }
        : { status: 400, body: '{"code":"ORDER_CLOSED","message":"订单已关闭"}' },
    );
    expect(await failure(client({ maxRetries: 2 }).closeOrder(NO))).toMatchObject({
      code: 'ORDER_CLOSED',
      retriable: false,
    });
    expect(server.seen).toHaveLength(2);
  });

  it('back-off doubles, is capped, and is jittered within [step/2, step]', () => {
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, policy, () => 1))).toEqual([100, 200, 400, 800, 1000]);
  });
});

describe('construction', () => {
  it('a client without any verifier key is refused up front', () => {
    expect(() =>
      createClientInternal(testConfig(server.url, { verifierKeys: {} }), { logger: captureLogger().logger }),
    ).toThrow(/verifier key/);
  });
});

describe('logging', () => {
  it('one debug line per call with method, path, status, Request-ID; no secrets or personal data', async () => {
    const cap = captureLogger();
    server.reply((r) =>
      r.url.includes('jsapi')
        ? { status: 200, body: '{"prepay_id":"wx88"}' }
        : { status: 404, body: '{"code":"ORDER_NOT_EXIST","message":"x"}' },
    );
    const c = createClientInternal(testConfig(server.url), { logger: cap.logger });
    await c.prepayJsapi({
      outTradeNo: 'order_0001',
      description: 'x',
      amountTotal: 1,
      payerOpenid: OPENID,
      notifyUrl: 'https://e.com/n',
    });
    await c.queryByOutTradeNo(NO).catch(() => undefined);
    const calls = cap.lines
      .map((l) => JSON.parse(l) as { msg: string; wechatpay?: Record<string, unknown> })
      .filter((l) => l.msg === 'wechatpay call');
    expect(calls.map((l) => l.wechatpay)).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/v3/pay/transactions/jsapi',
        status: 200,
        requestId: 'req-1',
      }),
      expect.objectContaining({
        method: 'GET',
        path: `/v3/pay/transactions/out-trade-no/${NO}`,
        status: 404,
        code: 'ORDER_NOT_EXIST',
      }),
    ]);
    const text = cap.text();
    for (const secret of [OPENID, 'mchid=', 'WECHATPAY2-SHA256', 'PRIVATE KEY', APIV3_KEY, 'paySign', 'wx88'])
      expect(text).not.toContain(secret);
  });
});
