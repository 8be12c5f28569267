import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LoginClient } from '@wxpay-saga/wechatpay';
import { ApiError, type ApiErrorCode } from '../http/errors.js';
import { ErrorResponse } from '../http/schemas.js';
import type { SessionStore } from './store.js';

const LOGIN_ERRORS: Record<string, ApiErrorCode> = {
  LOGIN_INVALID_CODE: 'LOGIN_INVALID_CODE',
  LOGIN_CODE_BLOCKED: 'LOGIN_CODE_BLOCKED',
  LOGIN_RATE_LIMITED: 'LOGIN_RATE_LIMITED',
};

/** Step 1 of the flow: the mini program's wx.login() code becomes our session; the openid stays server-side. */
export const sessionRoutes =
  (deps: { login: LoginClient; sessions: SessionStore }): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/sessions',
      {
        schema: {
          tags: ['sessions'],
          summary: 'Exchange a wx.login() code for a session token',
          body: z.object({ code: z.string().min(1).max(128).describe('the code from wx.login()') }),
          response: {
            201: z.object({ token: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int() }),
            400: ErrorResponse,
            401: ErrorResponse,
            403: ErrorResponse,
            429: ErrorResponse,
            503: ErrorResponse,
          },
        },
      },
      async (req, reply) => {
        let openid: string;
        try {
          ({ openid } = await deps.login.code2Session(req.body.code));
        } catch (err) {
          const code = (err as { code?: string }).code ?? '';
          const mapped = LOGIN_ERRORS[code];
          if (mapped) throw new ApiError(mapped, messageFor(mapped));
          req.log.warn({ code }, 'code2Session failed');
          throw new ApiError(
            'LOGIN_UNAVAILABLE',
            'WeChat login is temporarily unavailable; call wx.login() again and retry',
          );
        }
        const session = await deps.sessions.create(openid);
        return reply
          .code(201)
          .send({ token: session.token, tokenType: 'Bearer' as const, expiresIn: session.expiresIn });
      },
    );
  };

function messageFor(code: ApiErrorCode): string {
  if (code === 'LOGIN_INVALID_CODE')
    return 'the login code is invalid, used or expired; call wx.login() again';
  if (code === 'LOGIN_CODE_BLOCKED') return 'WeChat blocked this login (high-risk user)';
  return 'too many logins for this user; retry later';
}
