/**
 * code2Session (wechatpay-v3.md §8) against a fake api.weixin.qq.com: request shape, errcode mapping, and the
 * secret / session_key never reaching an error or a log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLoginClient, LoginError } from '@wxpay-saga/wechatpay';
import { captureLogger, startFakeServer, type FakeServer } from './helpers.js';

const SECRET = 'app-secret-0123456789abcdef';
const SESSION_KEY = 'tiihtNczf5v6AKRyjwEUhQ==';
let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.seen.length = 0;
});

const login = (timeoutMs = 1000) => {
  const cap = captureLogger();
  return {
    cap,
    client: createLoginClient(
      { appid: 'wxd678efh567hg6787', secret: SECRET, baseUrl: `${server.url}/`, timeoutMs },
      { logger: cap.logger },
    ),
  };
};
const text =
  (body: string, status = 200) =>
  () => ({ status, body, sign: false as const, headers: { 'Content-Type': 'text/plain' } });

async function loginFailure(p: Promise<unknown>): Promise<LoginError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LoginError);
  const e = err as LoginError;
  expect(`${e.message} ${JSON.stringify(e)} ${String(e.stack)}`).not.toContain(SECRET);
  return e;
}

describe('§8 code2Session', () => {
  it('GET /sns/jscode2session with appid, secret, js_code, grant_type; JSON parsed whatever the Content-Type', async () => {
    server.reply(
      text(
        JSON.stringify({
          openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
          session_key: SESSION_KEY,
          unionid: 'o6_bmasdasdsad6_2sgVt7hMZOPfL',
        }),
      ),
    );
    const { client, cap } = login();
    await expect(client.code2Session('081abcDEF')).resolves.toEqual({
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      sessionKey: SESSION_KEY,
      unionid: 'o6_bmasdasdsad6_2sgVt7hMZOPfL',
    });
    const req = server.seen[0]!;
    expect(req.method).toBe('GET');
    const url = new URL(req.url, server.url);
    expect(url.pathname).toBe('/sns/jscode2session');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      appid: 'wxd678efh567hg6787',
      secret: SECRET,
      js_code: '081abcDEF',
      grant_type: 'authorization_code',
    });
    const logged = cap.text();
    expect(logged).toContain('/sns/jscode2session');
    for (const s of [SECRET, SESSION_KEY, 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', '081abcDEF'])
      expect(logged).not.toContain(s);
  });

  it('errcode 0 with openid is success; unionid is optional', async () => {
    server.reply(text(JSON.stringify({ errcode: 0, errmsg: 'ok', openid: 'o1', session_key: SESSION_KEY })));
    await expect(login().client.code2Session('c1')).resolves.toEqual({
      openid: 'o1',
      sessionKey: SESSION_KEY,
    });
  });

  it.each<[number, string, boolean]>([
    [40029, 'LOGIN_INVALID_CODE', false],
    [45011, 'LOGIN_RATE_LIMITED', true],
    [40226, 'LOGIN_CODE_BLOCKED', false],
    [-1, 'LOGIN_SYSTEM_BUSY', true],
    [40013, 'LOGIN_MISCONFIGURED', false],
    [40125, 'LOGIN_MISCONFIGURED', false],
    [41002, 'LOGIN_MISCONFIGURED', false],
    [41004, 'LOGIN_MISCONFIGURED', false],
    [99999, 'LOGIN_FAILED', false],
  ])('errcode %i → %s (retriable %s)', async (errcode, code, retriable) => {
    server.reply(text(JSON.stringify({ errcode, errmsg: `something, rid: 668f2aa4 secret=${SECRET}` })));
    const { client, cap } = login();
    const err = await loginFailure(client.code2Session('c1'));
    expect(err).toMatchObject({ code, errcode, retriable });
    expect(cap.text()).not.toContain(SECRET);
  });

  it('a reply without session_key, a non-JSON body and a 5xx are LOGIN_FAILED', async () => {
    server.reply(text(JSON.stringify({ openid: 'o1' })));
    expect(await loginFailure(login().client.code2Session('c1'))).toMatchObject({
      code: 'LOGIN_FAILED',
      errcode: null,
      retriable: false,
    });
    server.reply(text('<html>oops</html>', 502));
    expect(await loginFailure(login().client.code2Session('c1'))).toMatchObject({
      code: 'LOGIN_FAILED',
      retriable: true,
    });
  });

  it('an empty or malformed code is rejected without a request', async () => {
    for (const code of ['', 'a b', 'x'.repeat(129), 'bad\ncode']) {
      expect(await loginFailure(login().client.code2Session(code))).toMatchObject({
        code: 'LOGIN_INVALID_CODE',
        errcode: null,
      });
    }
    expect(server.seen).toHaveLength(0);
  });

  it('no answer → TIMEOUT; reset → NETWORK_ERROR; neither leaks the URL with the secret', async () => {
    server.reply(() => ({ status: 0, fault: 'hang' }));
    const t = login(200);
    expect(await loginFailure(t.client.code2Session('c1'))).toMatchObject({
      code: 'TIMEOUT',
      retriable: true,
    });
    server.reply(() => ({ status: 0, fault: 'reset' }));
    const r = login();
    expect(await loginFailure(r.client.code2Session('c1'))).toMatchObject({
      code: 'NETWORK_ERROR',
      retriable: true,
    });
    expect(t.cap.text() + r.cap.text()).not.toContain(SECRET);
  });
});
