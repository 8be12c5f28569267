/** API fault injection (`/__sandbox/faults`): latency, hang, reset, error, and the rule lifecycle. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index.js';
import {
  control,
  httpCall,
  jsapiBody,
  merchantOf,
  newUser,
  prepay,
  start,
  v3,
  type Merchant,
} from './helpers.js';

let sb: RunningSandbox;
let m: Merchant;
let openid: string;
let outTradeNo: string;

beforeAll(async () => {
  sb = await start();
  m = merchantOf(sb);
  openid = (await newUser(sb)).openid;
  outTradeNo = (await prepay(sb, m, openid)).outTradeNo;
});
afterEach(async () => {
  await control(sb, 'DELETE', '/__sandbox/faults');
});
afterAll(() => sb.close());

const query = (o: { signal?: AbortSignal } = {}) =>
  v3(sb, m, 'GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${m.mchid}`, undefined, o);
const addFault = async (rule: Record<string, unknown>): Promise<string> => {
  const res = await control(sb, 'POST', '/__sandbox/faults', rule);
  expect(res.status).toBe(200);
  return res.json<{ id: string }>().id;
};

describe('rule validation and lifecycle', () => {
  it.each([
    [{ endpoint: 'pay', kind: 'error' }, /endpoint/],
    [
      { endpoint: 'jsapi', kind: 'drop' },
      /kind for endpoint jsapi must be one of latency, hang, reset, error/,
    ],
    [{ endpoint: 'notify', kind: 'hang' }, /kind for endpoint notify must be one of drop/],
    [{ endpoint: 'query', kind: 'error', rate: 2 }, /rate/],
    [{ endpoint: 'query', kind: 'error', count: 0 }, /count/],
    [{ endpoint: 'query', kind: 'latency', ms: -1 }, /ms/],
    [{ endpoint: 'query', kind: 'error', colour: 'red' }, /colour|unrecognized/i],
    ['not json', /JSON/],
  ])('400 for %j', async (rule, message) => {
    const res = await control(sb, 'POST', '/__sandbox/faults', rule);
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(message);
  });

  it('lists, deletes one (404 for unknown), deletes all', async () => {
    const a = await addFault({ endpoint: 'query', kind: 'latency', ms: 1 });
    await addFault({ endpoint: 'close', kind: 'error' });
    expect((await control(sb, 'GET', '/__sandbox/faults')).json<{ faults: unknown[] }>().faults).toHaveLength(
      2,
    );
    expect((await control(sb, 'DELETE', `/__sandbox/faults/${a}`)).status).toBe(200);
    expect((await control(sb, 'DELETE', `/__sandbox/faults/${a}`)).status).toBe(404);
    expect((await control(sb, 'DELETE', '/__sandbox/faults')).json()).toEqual({ deleted: 1 });
    expect((await control(sb, 'GET', '/__sandbox/faults')).json<{ faults: unknown[] }>().faults).toHaveLength(
      0,
    );
  });

  it('count: applies to the next N calls, then the rule expires', async () => {
    await addFault({ endpoint: 'query', kind: 'error', count: 2 });
    expect((await query()).status).toBe(500);
    expect((await query()).status).toBe(500);
    expect((await query()).status).toBe(200);
    expect((await control(sb, 'GET', '/__sandbox/faults')).json<{ faults: unknown[] }>().faults).toHaveLength(
      0,
    );
  });

  it('rate 0 never fires', async () => {
    await addFault({ endpoint: 'query', kind: 'error', rate: 0 });
    for (let i = 0; i < 5; i++) expect((await query()).status).toBe(200);
  });
});

describe('API fault kinds', () => {
  it('latency: answers normally after ms', async () => {
    await addFault({ endpoint: 'query', kind: 'latency', ms: 300 });
    const t = Date.now();
    const res = await query();
    expect(res.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
  });

  it('hang: no answer; the client gives up after 300 ms; the sandbox keeps serving', async () => {
    await addFault({ endpoint: 'query', kind: 'hang', count: 1 });
    const t = Date.now();
    await expect(query({ signal: AbortSignal.timeout(300) })).rejects.toThrow(/abort/i);
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    expect((await query()).status).toBe(200);
  });

  it('reset: the socket is destroyed without a response', async () => {
    await addFault({ endpoint: 'query', kind: 'reset', count: 1 });
    await expect(query()).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE/) });
  });

  it.each([
    [{}, 500, 'SYSTEM_ERROR'],
    [{ status: 429 }, 429, 'FREQUENCY_LIMITED'],
    [{ status: 503 }, 503, 'SERVICE_UNAVAILABLE'],
    [{ code: 'BANK_ERROR' }, 500, 'BANK_ERROR'],
    [{ status: 500, code: 'OPENID_MISMATCH' }, 500, 'OPENID_MISMATCH'],
  ])('error %j → %i %s', async (extra, status, code) => {
    await addFault({ endpoint: 'query', kind: 'error', ...extra });
    const res = await query();
    expect([res.status, res.json().code]).toEqual([status, code]);
    expect(res.headers.get('request-id')).toBeTruthy();
  });

  it('applied before any state change: a faulted prepay creates no order', async () => {
    await addFault({ endpoint: 'jsapi', kind: 'error', count: 1 });
    const body = jsapiBody(m, openid);
    expect((await v3(sb, m, 'POST', '/v3/pay/transactions/jsapi', body)).status).toBe(500);
    expect((await control(sb, 'GET', `/__sandbox/transactions/${body.out_trade_no as string}`)).status).toBe(
      404,
    );
    expect((await v3(sb, m, 'POST', '/v3/pay/transactions/jsapi', body)).status).toBe(200);
  });

  it('applies only to its endpoint, and the refund rule covers refund query too', async () => {
    await addFault({ endpoint: 'refund', kind: 'error', status: 503 });
    expect((await query()).status).toBe(200);
    expect((await v3(sb, m, 'GET', '/v3/refund/domestic/refunds/R123')).status).toBe(503);
  });

  it('close() does not wait for a hanging request', async () => {
    const other = await start();
    const om = merchantOf(other);
    await control(other, 'POST', '/__sandbox/faults', { endpoint: 'close', kind: 'hang' });
    const pending = v3(other, om, 'POST', '/v3/pay/transactions/out-trade-no/X123456/close', {
      mchid: om.mchid,
    }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    const t = Date.now();
    await other.close();
    expect(Date.now() - t).toBeLessThan(2000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('jscode2session error: HTTP 200 with an errcode body (default -1, or the given code)', async () => {
    const { code } = await newUser(sb);
    const q = `/sns/jscode2session?appid=${m.appid}&secret=${m.appSecret}&js_code=${code}&grant_type=authorization_code`;
    await addFault({ endpoint: 'jscode2session', kind: 'error', count: 1 });
    const a = await httpCall(sb.url + q, 'GET', {});
    expect([a.status, a.json().errcode]).toEqual([200, -1]);
    await addFault({ endpoint: 'jscode2session', kind: 'error', code: '45011', count: 1 });
    expect((await httpCall(sb.url + q, 'GET', {})).json().errcode).toBe(45011);
    // The faults consumed nothing: the code still works.
    expect((await httpCall(sb.url + q, 'GET', {})).json()).toHaveProperty('openid');
  });

  it('counts applied faults in stats', async () => {
    const before = (await control(sb, 'GET', '/__sandbox/stats')).json<{ faultsApplied: number }>()
      .faultsApplied;
    await addFault({ endpoint: 'query', kind: 'error', count: 1 });
    await query();
    expect(
      (await control(sb, 'GET', '/__sandbox/stats')).json<{ faultsApplied: number }>().faultsApplied,
    ).toBe(before + 1);
  });
});
