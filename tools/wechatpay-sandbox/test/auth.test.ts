/** Request verification (§4, §3.4, §11): every way a merchant signature can be wrong, and a few that are right. */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_SCHEME, nonce, requestSignMessage, signSha256Rsa, unixSeconds } from '@wxpay-saga/wechatpay';
import type { RunningSandbox } from '../src/index.js';
import { control, jsapiBody, merchantOf, newUser, start, v3, type Merchant } from './helpers.js';

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

interface SignErrorBody {
  code: string;
  message: string;
  detail: {
    field: string;
    location: string;
    detail: { issue: string };
    sign_information: Record<string, unknown>;
  };
}

async function expectSignError(res: Awaited<ReturnType<typeof v3>>, issue: RegExp): Promise<SignErrorBody> {
  expect(res.status).toBe(401);
  const body = res.json<SignErrorBody>();
  expect(body.code).toBe('SIGN_ERROR');
  expect(body.detail).toMatchObject({ field: 'signature', location: 'authorization' });
  expect(body.detail.detail.issue).toMatch(issue);
  expect(res.headers.get('request-id')).toBeTruthy();
  return body;
}

describe('§4 Authorization verification', () => {
  it('a correctly signed request passes (baseline for every negative below)', async () => {
    expect((await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid))).status).toBe(200);
  });

  it('signature by another key → 401 SIGN_ERROR with the §3.4 sign_information', async () => {
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const path = `/v3/pay/transactions/out-trade-no/abc123?mchid=${m.mchid}`;
    const body = await expectSignError(
      await v3(sb, m, 'GET', path, undefined, { privateKey: other }),
      /sign not match/,
    );
    expect(body.message).toBe('错误的签名,验签失败');
    const info = body.detail.sign_information;
    expect(info.method).toBe('GET');
    expect(info.url).toBe(path);
    expect(info.truncated_sign_message as string).toMatch(
      new RegExp(`^GET\\n${path.replace(/[?]/g, '\\?')}\\n\\d{10}\\n\\w{32}\\n\\n$`),
    );
    expect(info.sign_message_length).toBe((info.truncated_sign_message as string).length);
  });

  it('unknown serial_no → 401 SIGN_ERROR', async () => {
    await expectSignError(
      await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid), { serialNo: 'ABCDEF0123456789' }),
      /serial_no/,
    );
  });

  it('a lowercase serial_no is accepted (some clients send getSN() lowercase)', async () => {
    const res = await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid), { serialNo: m.serialNo.toLowerCase() });
    expect(res.status).toBe(200);
  });

  it('mchid in the header that does not own the certificate → 401 SIGN_ERROR', async () => {
    await expectSignError(
      await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid), { mchid: '1900000999' }),
      /does not own/,
    );
  });

  it('timestamp outside ±300 s → 401; just inside → accepted', async () => {
    const old = unixSeconds(Date.now() - 301_000);
    await expectSignError(
      await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid), { timestamp: old }),
      /timestamp/,
    );
    const future = unixSeconds(Date.now() + 301_000);
    await expectSignError(
      await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid), { timestamp: future }),
      /timestamp/,
    );
    const edge = unixSeconds(Date.now() - 290_000);
    expect((await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid), { timestamp: edge })).status).toBe(200);
  });

  it('tampered body (signed one thing, sent another) → 401', async () => {
    const body = jsapiBody(m, openid);
    const signed = JSON.stringify({ ...body, amount: { total: 1, currency: 'CNY' } });
    await expectSignError(await v3(sb, m, 'POST', JSAPI, body, { signedBody: signed }), /sign not match/);
  });

  it('a re-serialized body (same JSON, different bytes) fails: the signature is over raw bytes (§0.3)', async () => {
    const body = jsapiBody(m, openid);
    const sent = JSON.stringify(body, null, 1);
    await expectSignError(
      await v3(sb, m, 'POST', JSAPI, sent, { signedBody: JSON.stringify(body) }),
      /sign not match/,
    );
    expect((await v3(sb, m, 'POST', JSAPI, sent)).status).toBe(200);
  });

  it('the raw query is signed as sent: percent-encoding must not be normalised', async () => {
    const path = `/v3/pay/transactions/out-trade-no/A%7CB123?mchid=${m.mchid}`;
    expect((await v3(sb, m, 'GET', path)).status).toBe(404); // verified, then not found
    const ts = unixSeconds();
    const n = nonce();
    const sig = signSha256Rsa(requestSignMessage('GET', path.replace('%7C', '|'), ts, n, ''), m.privateKey);
    const auth = `${AUTH_SCHEME} mchid="${m.mchid}",nonce_str="${n}",timestamp="${ts}",serial_no="${m.serialNo}",signature="${sig}"`;
    await expectSignError(await v3(sb, m, 'GET', path, undefined, { authorization: auth }), /sign not match/);
  });

  it('the five pairs may come in any order (§4)', async () => {
    const body = JSON.stringify(jsapiBody(m, openid));
    const ts = unixSeconds();
    const n = nonce();
    const sig = signSha256Rsa(requestSignMessage('POST', JSAPI, ts, n, body), m.privateKey);
    const auth = `${AUTH_SCHEME} signature="${sig}",serial_no="${m.serialNo}",timestamp="${ts}",nonce_str="${n}",mchid="${m.mchid}"`;
    expect((await v3(sb, m, 'POST', JSAPI, body, { authorization: auth })).status).toBe(200);
  });

  it.each([
    ['missing', null],
    ['wrong scheme', 'WECHATPAY2-SHA256-RSA4096 mchid="1"'],
    ['missing pairs', `${AUTH_SCHEME} mchid="1900000109",nonce_str="x"`],
    ['garbage', `${AUTH_SCHEME} this is not it`],
  ])('malformed Authorization (%s) → 401 "Http头Authorization值格式错误…"', async (_name, authorization) => {
    const res = await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid), { authorization });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({
      code: 'SIGN_ERROR',
      message: expect.stringContaining('Http头Authorization值格式错误'),
    });
  });

  it.each(['Accept', 'User-Agent'])(
    'missing %s → 400 INVALID_REQUEST "Http头缺少Accept或User-Agent"',
    async (header) => {
      const res = await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid), { headers: { [header]: undefined } });
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({ code: 'INVALID_REQUEST', message: 'Http头缺少Accept或User-Agent' });
    },
  );

  it('Accept: */* is enough (the Go SDK sends it)', async () => {
    expect(
      (await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid), { headers: { Accept: '*/*' } })).status,
    ).toBe(200);
  });

  it('counts sign errors in /__sandbox/stats', async () => {
    const before = (await control(sb, 'GET', '/__sandbox/stats')).json<{ signErrors: number }>().signErrors;
    await v3(sb, m, 'POST', JSAPI, jsapiBody(m, openid), { serialNo: 'FFFF' });
    const after = (await control(sb, 'GET', '/__sandbox/stats')).json<{ signErrors: number }>().signErrors;
    expect(after).toBe(before + 1);
  });
});
