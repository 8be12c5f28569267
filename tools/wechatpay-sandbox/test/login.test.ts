/** wx.login codes and code2Session (§8): single use, 5-minute life, errcodes, 100 per user per minute. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index.js';
import { control, httpCall, merchantOf, newUser, start, type Merchant } from './helpers.js';

let offset = 0;
let sb: RunningSandbox;
let m: Merchant;

beforeAll(async () => {
  sb = await start({ now: () => Date.now() + offset });
  m = merchantOf(sb);
});
afterAll(() => sb.close());

function code2Session(params: Record<string, string | undefined>, method = 'GET') {
  const q = new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return httpCall(`${sb.url}/sns/jscode2session?${q.toString()}`, method, {});
}
const params = (code: string | undefined, over: Record<string, string | undefined> = {}) => ({
  appid: m.appid,
  secret: m.appSecret,
  js_code: code,
  grant_type: 'authorization_code',
  ...over,
});

describe('/__sandbox/login', () => {
  it('issues a new user with an openid like o + 27 base64url chars, or a code for a given openid', async () => {
    const a = await newUser(sb);
    expect(a.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(a.code).toHaveLength(32);
    const again = await newUser(sb, { openid: a.openid });
    expect(again.openid).toBe(a.openid);
    expect(again.code).not.toBe(a.code);
  });

  it('rejects an appid no merchant is bound to, and a malformed openid', async () => {
    expect((await control(sb, 'POST', '/__sandbox/login', { appid: 'wx0000000000000000' })).status).toBe(400);
    expect((await control(sb, 'POST', '/__sandbox/login', { openid: 'has spaces' })).status).toBe(400);
  });
});

describe('§8 GET /sns/jscode2session', () => {
  it('success: {openid, session_key}; the code works once, then 40029 "invalid code, rid: …"', async () => {
    const { code, openid } = await newUser(sb);
    const ok = await code2Session(params(code));
    expect(ok.status).toBe(200);
    const body = ok.json<{ openid: string; session_key: string }>();
    expect(body.openid).toBe(openid);
    expect(Buffer.from(body.session_key, 'base64')).toHaveLength(16);
    const reused = await code2Session(params(code));
    expect(reused.json()).toEqual({
      errcode: 40029,
      errmsg: expect.stringMatching(/^invalid code, rid: [0-9a-f-]+$/),
    });
  });

  it('unknown code → 40029; expired after 5 minutes → 40029', async () => {
    expect((await code2Session(params('0'.repeat(32)))).json().errcode).toBe(40029);
    const { code } = await newUser(sb);
    offset += 5 * 60_000 + 1000;
    expect((await code2Session(params(code))).json().errcode).toBe(40029);
    const fresh = await newUser(sb);
    offset += 4 * 60_000;
    expect((await code2Session(params(fresh.code))).json()).toHaveProperty('session_key');
  });

  it.each([
    [{ appid: 'wx0000000000000000' }, 40013],
    [{ secret: 'wrong' }, 40125],
    [{ appid: undefined }, 41002],
    [{ secret: undefined }, 41004],
    [{ js_code: undefined }, 41008],
  ])('%j → errcode %i (the code is not consumed)', async (over, errcode) => {
    const { code } = await newUser(sb);
    const res = await code2Session(params(code, over));
    expect([res.status, res.json().errcode]).toEqual([200, errcode]);
    expect((await code2Session(params(code))).json()).toHaveProperty('openid');
  });

  it('a POST is answered 41002 appid missing (§8)', async () => {
    const { code } = await newUser(sb);
    expect((await code2Session(params(code), 'POST')).json().errcode).toBe(41002);
  });

  it('more than 100 per user per minute → 45011; the next minute works again', async () => {
    const { openid } = await newUser(sb);
    const codes = await Promise.all(Array.from({ length: 102 }, () => newUser(sb, { openid })));
    for (const { code } of codes.slice(0, 100))
      expect((await code2Session(params(code))).json().openid).toBe(openid);
    const limited = await code2Session(params(codes[100]!.code));
    expect(limited.json().errcode).toBe(45011);
    offset += 61_000;
    expect((await code2Session(params(codes[100]!.code))).json().openid).toBe(openid);
  });

  it('counts calls in stats', async () => {
    const stats = (await control(sb, 'GET', '/__sandbox/stats')).json<{ requests: Record<string, number> }>();
    expect(stats.requests.jscode2session).toBeGreaterThan(100);
    expect(stats.requests.login).toBeGreaterThan(100);
  });
});
