/**
 * §8 code2Session: GET {base}/sns/jscode2session?appid&secret&js_code&grant_type=authorization_code.
 * The URL carries the app secret, so it is never logged and never put in an error; neither is session_key.
 */
import type { Logger } from '@wxpay-saga/observability';
import { z } from 'zod';
import { classifyFetchFailure, LoginError, type LoginErrorCode } from './errors.js';

export interface LoginSession {
  openid: string;
  sessionKey: string;
  unionid?: string;
}
export interface LoginClient {
  code2Session(code: string): Promise<LoginSession>;
}
export interface LoginClientConfig {
  appid: string;
  secret: string;
  baseUrl: string;
  timeoutMs: number;
}

const PATH = '/sns/jscode2session';

/** §8 documented and observed errcodes; retriable only where waiting helps (busy, per-minute quota). */
const BY_ERRCODE: ReadonlyMap<number, { code: LoginErrorCode; retriable: boolean; what: string }> = new Map([
  [40029, { code: 'LOGIN_INVALID_CODE', retriable: false, what: 'js_code invalid, expired or already used' }],
  [40163, { code: 'LOGIN_INVALID_CODE', retriable: false, what: 'js_code already used' }],
  [41008, { code: 'LOGIN_INVALID_CODE', retriable: false, what: 'js_code missing' }],
  [45011, { code: 'LOGIN_RATE_LIMITED', retriable: true, what: 'per-user minute quota reached' }],
  [40226, { code: 'LOGIN_CODE_BLOCKED', retriable: false, what: 'high-risk user, login blocked' }],
  [-1, { code: 'LOGIN_SYSTEM_BUSY', retriable: true, what: 'WeChat system busy' }],
  [40013, { code: 'LOGIN_MISCONFIGURED', retriable: false, what: 'invalid appid' }],
  [40125, { code: 'LOGIN_MISCONFIGURED', retriable: false, what: 'invalid app secret' }],
  [41002, { code: 'LOGIN_MISCONFIGURED', retriable: false, what: 'appid missing' }],
  [41004, { code: 'LOGIN_MISCONFIGURED', retriable: false, what: 'app secret missing' }],
]);

const ReplySchema = z.looseObject({
  openid: z.string().optional(),
  session_key: z.string().optional(),
  unionid: z.string().optional(),
  errcode: z.number().int().optional(),
  errmsg: z.string().optional(),
});

export function createLoginClient(cfg: LoginClientConfig, deps: { logger: Logger }): LoginClient {
  const base = cfg.baseUrl.replace(/\/+$/, '');
  return {
    async code2Session(code) {
      // wx.login codes are short opaque tokens; anything else is rejected before the secret leaves the process.
      if (!/^[\x21-\x7e]{1,128}$/.test(code))
        throw new LoginError(
          'LOGIN_INVALID_CODE',
          'code2Session: js_code is empty or malformed',
          null,
          false,
        );
      const query = new URLSearchParams({
        appid: cfg.appid,
        secret: cfg.secret,
        js_code: code,
        grant_type: 'authorization_code',
      });
      const started = performance.now();
      const log = (status: number | null, outcome: string) =>
        deps.logger.debug(
          {
            wechat: {
              method: 'GET',
              path: PATH,
              status,
              durationMs: Math.round(performance.now() - started),
              outcome,
            },
          },
          'code2Session',
        );
      let status: number;
      let text: string;
      try {
        const res = await fetch(`${base}${PATH}?${query.toString()}`, {
          headers: { Accept: 'application/json' },
          signal: AbortSignal.timeout(cfg.timeoutMs),
        });
        status = res.status;
        text = await res.text();
      } catch (err) {
        // Never pass `err` on: undici errors can carry the request URL, and the URL holds the secret.
        const { code: failure, detail } = classifyFetchFailure(err);
        log(null, failure);
        throw new LoginError(
          failure,
          `code2Session: ${failure === 'TIMEOUT' ? `no answer within ${cfg.timeoutMs} ms` : `network error (${detail})`}`,
          null,
          true,
        );
      }
      const session = interpret(status, text);
      log(status, 'errcode' in session ? `errcode ${session.errcode}` : 'ok');
      if ('errcode' in session) throw session.error;
      return session;
    },
  };
}

type Interpreted = LoginSession | { errcode: number | null; error: LoginError };

/** §8: the body is JSON whatever the Content-Type says (it may be text/plain). */
function interpret(status: number, text: string): Interpreted {
  const fail = (code: LoginErrorCode, message: string, errcode: number | null, retriable: boolean) => ({
    errcode,
    error: new LoginError(code, `code2Session: ${message}`, errcode, retriable),
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail('LOGIN_FAILED', `HTTP ${status}, body is not JSON`, null, status >= 500);
  }
  const reply = ReplySchema.safeParse(json);
  if (!reply.success) return fail('LOGIN_FAILED', `HTTP ${status}, unexpected reply shape`, null, false);
  const r = reply.data;
  if (r.errcode !== undefined && r.errcode !== 0) {
    const known = BY_ERRCODE.get(r.errcode);
    // errmsg is not echoed: it only repeats the errcode plus a rid, and nothing in it is needed to act.
    return known
      ? fail(known.code, `errcode ${r.errcode} (${known.what})`, r.errcode, known.retriable)
      : fail('LOGIN_FAILED', `errcode ${r.errcode}`, r.errcode, false);
  }
  if (status < 200 || status > 299)
    return fail('LOGIN_FAILED', `HTTP ${status}`, null, status >= 500 || status === 429);
  if (!r.openid || !r.session_key)
    return fail('LOGIN_FAILED', 'reply without openid or session_key', null, false);
  return { openid: r.openid, sessionKey: r.session_key, ...(r.unionid ? { unionid: r.unionid } : {}) };
}
