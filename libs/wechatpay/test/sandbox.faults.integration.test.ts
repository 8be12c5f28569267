/**
 * Injected faults observed through the client as the right coded errors (§3), transparent retries where
 * they are safe, response-signature failures with wrong verifier keys (§5), code2Session errors (§8), and
 * notification faults rejected by our verifier then redelivered correctly (§5, §6.4).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@wxpay-saga/observability';
import { createWechatPayClient, LoginError, WechatPayError } from '@wxpay-saga/wechatpay';
import type { RunningSandbox } from '@wxpay-saga/wechatpay-sandbox';
import {
  clientsFor,
  configFrom,
  control,
  eventually,
  startReceiver,
  startTestSandbox,
  uniqueNo,
  verifierFor,
  type Clients,
  type Receiver,
} from './sandbox-harness.js';
import { responseSamplePublicKey } from './vectors-keys.js';

let sb: RunningSandbox;
let c: Clients;
let receiver: Receiver;
let openid: string;
let knownNo: string;

beforeAll(async () => {
  sb = await startTestSandbox({ keyMode: 'publicKey' });
  c = clientsFor(configFrom(sb)); // timeout 1000 ms, no retries
  receiver = await startReceiver(verifierFor(c.config));
  ({ openid } = await control<{ openid: string }>(sb, 'POST', '/__sandbox/login', {}));
  knownNo = uniqueNo('known');
  await c.pay.prepayJsapi({
    outTradeNo: knownNo,
    description: 'fault target',
    amountTotal: 1,
    payerOpenid: openid,
    notifyUrl: `${receiver.url}/pay`,
  });
});
afterAll(async () => {
  await receiver?.close();
  await sb?.close();
});
afterEach(async () => {
  await control(sb, 'DELETE', '/__sandbox/faults');
});

const fault = (rule: Record<string, unknown>) => control(sb, 'POST', '/__sandbox/faults', rule);
const stats = () => control<{ requests: Record<string, number> }>(sb, 'GET', '/__sandbox/stats');

async function payError(p: Promise<unknown>): Promise<WechatPayError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WechatPayError);
  return err as WechatPayError;
}

describe('API faults → coded errors', () => {
  it('500 → SYSTEM_ERROR, retriable', async () => {
    await fault({ endpoint: 'query', kind: 'error', status: 500 });
    expect(await payError(c.pay.queryByOutTradeNo(knownNo))).toMatchObject({
      code: 'SYSTEM_ERROR',
      httpStatus: 500,
      retriable: true,
    });
  });

  it('429 → FREQUENCY_LIMITED, retriable', async () => {
    await fault({ endpoint: 'refund', kind: 'error', status: 429 });
    expect(await payError(c.pay.queryRefund('rf_none_1'))).toMatchObject({
      code: 'FREQUENCY_LIMITED',
      httpStatus: 429,
      retriable: true,
    });
  });

  it('500 BANK_ERROR on close → retriable; 500 OPENID_MISMATCH → not retriable', async () => {
    await fault({ endpoint: 'close', kind: 'error', status: 500, code: 'BANK_ERROR', count: 1 });
    expect(await payError(c.pay.closeOrder(knownNo))).toMatchObject({ code: 'BANK_ERROR', retriable: true });
    // A real OPENID_MISMATCH from the sandbox: an openid that never logged in to this mini program.
    const before = (await stats()).requests['jsapi'] ?? 0;
    const retrying = clientsFor(configFrom(sb, { WECHATPAY_MAX_RETRIES: '2' }));
    const err = await payError(
      retrying.pay.prepayJsapi({
        outTradeNo: uniqueNo('om'),
        description: 'x',
        amountTotal: 1,
        payerOpenid: 'o_never_logged_in',
        notifyUrl: `${receiver.url}/pay`,
      }),
    );
    expect(err).toMatchObject({ code: 'OPENID_MISMATCH', httpStatus: 500, retriable: false });
    expect(err.message).not.toContain('o_never_logged_in');
    expect((await stats()).requests['jsapi']).toBe(before + 1); // not retried despite the 500
  });

  it('hang → TIMEOUT after timeoutMs', async () => {
    await fault({ endpoint: 'query', kind: 'hang' });
    const started = Date.now();
    expect(await payError(c.pay.queryByOutTradeNo(knownNo))).toMatchObject({
      code: 'TIMEOUT',
      httpStatus: null,
      retriable: true,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('reset → NETWORK_ERROR', async () => {
    await fault({ endpoint: 'jsapi', kind: 'reset' });
    const err = await payError(
      c.pay.prepayJsapi({
        outTradeNo: uniqueNo('rs'),
        description: 'x',
        amountTotal: 1,
        payerOpenid: openid,
        notifyUrl: `${receiver.url}/pay`,
      }),
    );
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', httpStatus: null, retriable: true });
  });

  it('latency within the timeout → success', async () => {
    await fault({ endpoint: 'query', kind: 'latency', ms: 300 });
    const started = Date.now();
    await expect(c.pay.queryByOutTradeNo(knownNo)).resolves.toMatchObject({ trade_state: 'NOTPAY' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });
});

describe('transparent retries (bounded, only where safe)', () => {
  const retrying = () => clientsFor(configFrom(sb, { WECHATPAY_MAX_RETRIES: '2' }));

  it('a count:1 500 on a query is retried transparently', async () => {
    await fault({ endpoint: 'query', kind: 'error', status: 500, count: 1 });
    const before = (await stats()).requests['query'] ?? 0;
    await expect(retrying().pay.queryByOutTradeNo(knownNo)).resolves.toMatchObject({ out_trade_no: knownNo });
    expect((await stats()).requests['query']).toBe(before + 2);
  });

  it('a reset prepay is retried with identical parameters and creates exactly one order', async () => {
    await fault({ endpoint: 'jsapi', kind: 'reset', count: 1 });
    const outTradeNo = uniqueNo('rp');
    const result = await retrying().pay.prepayJsapi({
      outTradeNo,
      description: 'retry me',
      amountTotal: 3,
      payerOpenid: openid,
      notifyUrl: `${receiver.url}/pay`,
    });
    const ledger = await control<{ prepay_id: string; calls: { jsapi: number }; conflicts: unknown[] }>(
      sb,
      'GET',
      `/__sandbox/transactions/${outTradeNo}`,
    );
    expect(ledger).toMatchObject({ prepay_id: result.prepayId, calls: { jsapi: 1 }, conflicts: [] });
  });

  it('429 is retried maxRetries times, then surfaced', async () => {
    await fault({ endpoint: 'query', kind: 'error', status: 429 });
    const before = (await stats()).requests['query'] ?? 0;
    expect(await payError(retrying().pay.queryByOutTradeNo(knownNo))).toMatchObject({
      code: 'FREQUENCY_LIMITED',
      retriable: true,
    });
    expect((await stats()).requests['query']).toBe(before + 3);
  });
});

describe('§5 response signatures with the wrong verifier keys', () => {
  it('right key id, wrong key → RESPONSE_SIGNATURE_INVALID', async () => {
    const config = configFrom(sb);
    const [id] = Object.keys(config.verifierKeys);
    const wrong = clientsFor({ ...config, verifierKeys: { [id!]: responseSamplePublicKey } });
    expect(await payError(wrong.pay.queryByOutTradeNo(knownNo))).toMatchObject({
      code: 'RESPONSE_SIGNATURE_INVALID',
      httpStatus: 200,
      retriable: false,
    });
  });

  it('only an unrelated key id → RESPONSE_UNKNOWN_SERIAL', async () => {
    const config = configFrom(sb);
    const other = clientsFor({
      ...config,
      verifierKeys: { PUB_KEY_ID_0000000000000024101100397200000006: responseSamplePublicKey },
    });
    expect(await payError(other.pay.queryByOutTradeNo(knownNo))).toMatchObject({
      code: 'RESPONSE_UNKNOWN_SERIAL',
      retriable: false,
    });
  });
});

describe('§4 request signatures: a client clock 400 s ahead', () => {
  it('is refused with 401 SIGN_ERROR (not retriable), the request timestamp being outside the window', async () => {
    const config = configFrom(sb, { WECHATPAY_MAX_RETRIES: '2' });
    const skewed = createWechatPayClient(config, {
      logger: createLogger({ service: 'it', level: 'silent' }),
      now: () => Date.now() + 400_000,
    });
    expect(await payError(skewed.queryByOutTradeNo(knownNo))).toMatchObject({
      code: 'SIGN_ERROR',
      httpStatus: 401,
      retriable: false,
    });
  });
});

describe('§8 code2Session faults and errors', () => {
  async function loginError(p: Promise<unknown>): Promise<LoginError> {
    const err = await p.then(
      (v) => ({ resolved: v }),
      (e: unknown) => e,
    );
    expect(err, JSON.stringify(err)).toBeInstanceOf(LoginError);
    expect((err as Error).message).not.toContain(c.config.appSecret);
    return err as LoginError;
  }
  const code = async () => (await control<{ code: string }>(sb, 'POST', '/__sandbox/login', {})).code;

  it('a code works once; reuse and garbage → LOGIN_INVALID_CODE', async () => {
    const k = await code();
    await expect(c.login.code2Session(k)).resolves.toMatchObject({ openid: expect.any(String) });
    expect(await loginError(c.login.code2Session(k))).toMatchObject({
      code: 'LOGIN_INVALID_CODE',
      errcode: 40029,
      retriable: false,
    });
    expect(await loginError(c.login.code2Session('not-a-real-code'))).toMatchObject({
      code: 'LOGIN_INVALID_CODE',
    });
  });

  it('injected -1 → LOGIN_SYSTEM_BUSY (retriable); 45011 → LOGIN_RATE_LIMITED (retriable)', async () => {
    await fault({ endpoint: 'jscode2session', kind: 'error', code: '-1', count: 1 });
    expect(await loginError(c.login.code2Session(await code()))).toMatchObject({
      code: 'LOGIN_SYSTEM_BUSY',
      errcode: -1,
      retriable: true,
    });
    await fault({ endpoint: 'jscode2session', kind: 'error', code: '45011', count: 1 });
    expect(await loginError(c.login.code2Session(await code()))).toMatchObject({
      code: 'LOGIN_RATE_LIMITED',
      errcode: 45011,
      retriable: true,
    });
  });

  it('a wrong secret → LOGIN_MISCONFIGURED without echoing it; hang → TIMEOUT', async () => {
    const bad = clientsFor(configFrom(sb, { WECHATPAY_APP_SECRET: 'definitely-the-wrong-secret' }));
    const err = await loginError(bad.login.code2Session(await code()));
    expect(err).toMatchObject({ code: 'LOGIN_MISCONFIGURED', errcode: 40125 });
    expect(err.message).not.toContain('definitely-the-wrong-secret');
    await fault({ endpoint: 'jscode2session', kind: 'hang', count: 1 });
    expect(await loginError(c.login.code2Session(await code()))).toMatchObject({
      code: 'TIMEOUT',
      retriable: true,
    });
  });
});

describe('§5/§6.4 notification faults: rejected by our verifier, then redelivered correctly', () => {
  it.each([
    ['badSignature', 'NOTIFY_SIGNATURE_INVALID'],
    ['probe', 'NOTIFY_PROBE_SIGNATURE'],
  ])('%s → %s (401), then a verified delivery', async (kind, code) => {
    await fault({ endpoint: 'notify', kind, count: 1 });
    const outTradeNo = uniqueNo(kind.slice(0, 4));
    const { requestPayment } = await c.pay.prepayJsapi({
      outTradeNo,
      description: 'notify fault',
      amountTotal: 2,
      payerOpenid: openid,
      notifyUrl: `${receiver.url}/pay`,
    });
    expect(
      (
        await control<{ errMsg: string }>(sb, 'POST', '/__sandbox/requestPayment', {
          openid,
          ...requestPayment,
        })
      ).errMsg,
    ).toBe('requestPayment:ok');
    const ok = await eventually(
      () => receiver.received.find((r) => r.transaction?.transaction.out_trade_no === outTradeNo),
      8000,
      'verified redelivery',
    );
    expect(ok.status).toBe(204);
    const start = receiver.received.indexOf(ok);
    const rejected = receiver.received.slice(0, start).filter((r) => r.code === code);
    expect(
      rejected.length,
      JSON.stringify(
        receiver.received.map((r) => ({
          path: r.path,
          status: r.status,
          code: r.code,
          no: r.transaction?.transaction.out_trade_no,
        })),
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(rejected[0]).toMatchObject({ status: 401 });
    const ledger = await control<{ notifications: Array<{ kind: string; status: number }> }>(
      sb,
      'GET',
      `/__sandbox/transactions/${outTradeNo}`,
    );
    expect(ledger.notifications.some((n) => n.status === 401)).toBe(true);
    expect(ledger.notifications.some((n) => n.status === 204)).toBe(true);
  });
});
