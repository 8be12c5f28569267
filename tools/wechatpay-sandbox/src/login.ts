/**
 * Mini-program login (§8): `/__sandbox/login` plays `wx.login` (issues a code for a user), and the real
 * path `GET /sns/jscode2session` plays code2Session. Codes live 5 minutes and work once; more than 100
 * calls per user per minute get 45011.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Sandbox } from './context.js';
import { ApiError, LOGIN_ERRORS } from './errors.js';
import { actOutFault, defineRoute, parseJsonObject, rawBody, sendJson } from './http.js';
import { OPENID_RE, loginCode, openid as newOpenid, rid, sessionKey } from './ids.js';

export const CODE_TTL_MS = 5 * 60_000;
const RATE_WINDOW_MS = 60_000;
export const RATE_LIMIT_PER_MINUTE = 100;

type LoginError = (typeof LOGIN_ERRORS)[keyof typeof LOGIN_ERRORS];

/** The open API answers HTTP 200 with an errcode body; errmsg carries a request id like the live one. */
function loginError(reply: FastifyReply, e: LoginError): FastifyReply {
  return sendJson(reply, 200, { errcode: e.errcode, errmsg: `${e.errmsg}, rid: ${rid()}` });
}

function issueCode(sb: Sandbox, body: Record<string, unknown>): { code: string; openid: string } {
  const appid = body.appid ?? sb.merchants.default.appid;
  if (typeof appid !== 'string' || !sb.merchants.byAppid(appid)) {
    throw new ApiError(
      'SANDBOX_BAD_REQUEST',
      `appid ${JSON.stringify(appid)} is not bound to any sandbox merchant`,
    );
  }
  const given = body.openid;
  if (given !== undefined && (typeof given !== 'string' || !OPENID_RE.test(given))) {
    throw new ApiError('SANDBOX_BAD_REQUEST', 'openid must be 1-128 characters of [A-Za-z0-9_-]');
  }
  const now = sb.now();
  for (const [code, rec] of sb.state.codes)
    if (rec.used || now - rec.issuedMs > CODE_TTL_MS) sb.state.codes.delete(code);
  const openid = given ?? newOpenid();
  sb.state.addUser(appid, openid);
  const code = loginCode();
  sb.state.codes.set(code, { code, appid, openid, issuedMs: now, used: false });
  sb.state.changed();
  return { code, openid };
}

function code2Session(sb: Sandbox, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const q = req.query as Record<string, unknown>;
  const param = (name: string): string | undefined => {
    const v = q[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const [appid, secret, jsCode] = [param('appid'), param('secret'), param('js_code')];
  if (!appid) return loginError(reply, LOGIN_ERRORS.APPID_MISSING);
  if (!secret) return loginError(reply, LOGIN_ERRORS.SECRET_MISSING);
  if (!jsCode) return loginError(reply, LOGIN_ERRORS.CODE_MISSING);
  const merchant = sb.merchants.byAppid(appid);
  if (!merchant) return loginError(reply, LOGIN_ERRORS.INVALID_APPID);
  if (secret !== merchant.appSecret) return loginError(reply, LOGIN_ERRORS.INVALID_SECRET);
  const now = sb.now();
  const rec = sb.state.codes.get(jsCode);
  if (!rec || rec.used || rec.appid !== appid || now - rec.issuedMs > CODE_TTL_MS)
    return loginError(reply, LOGIN_ERRORS.INVALID_CODE);
  const recent = (sb.state.loginCalls.get(rec.openid) ?? []).filter((t) => now - t < RATE_WINDOW_MS);
  sb.state.loginCalls.set(rec.openid, recent);
  // The code stays usable: a rate-limited call consumed nothing.
  if (recent.length >= RATE_LIMIT_PER_MINUTE) return loginError(reply, LOGIN_ERRORS.RATE_LIMITED);
  recent.push(now);
  rec.used = true;
  sb.state.changed();
  return sendJson(reply, 200, { session_key: sessionKey(), openid: rec.openid });
}

export function registerLoginRoutes(app: FastifyInstance, sb: Sandbox): void {
  defineRoute(app, '/__sandbox/login', {
    POST: async (req, reply) => {
      sb.state.stats.requests.login += 1;
      return sendJson(
        reply,
        200,
        issueCode(sb, rawBody(req) === '' ? {} : parseJsonObject(rawBody(req), 'SANDBOX_BAD_REQUEST')),
      );
    },
  });
  defineRoute(app, '/sns/jscode2session', {
    GET: async (req, reply) => {
      sb.state.stats.requests.jscode2session += 1;
      sb.state.changed();
      const rule = sb.faults.take('jscode2session');
      if (rule) {
        sb.state.stats.faultsApplied += 1;
        if (await actOutFault(rule, req, reply, sb.timers, 'login')) return reply;
      }
      return code2Session(sb, req, reply);
    },
    // §8: a POST (parameters in a body) was answered "41002 appid missing".
    POST: async (_req, reply) => loginError(reply, LOGIN_ERRORS.APPID_MISSING),
  });
}
