/**
 * Fastify plumbing shared by every route: the raw-body parser (signatures are over raw bytes), JSON
 * replies, the one error handler, 404/405, and how an API fault is acted out on the socket.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { Logger } from '@wxpay-saga/observability';
import { API_ERRORS, ApiError, codeForStatus, isApiErrorCode, type ApiErrorCode } from './errors.js';
import type { FaultRule } from './faults.js';
import { rid } from './ids.js';
import { SandboxClosedError, type Timers } from './timers.js';

/** Keeps the body as the exact string received, for every content type (parsing happens per route). */
export function installRawBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
}

export const rawBody = (req: FastifyRequest): string => (typeof req.body === 'string' ? req.body : '');

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(body));
}

/** Parses a JSON object body; anything else is a 400 with `code` (PARAM_ERROR for v3, SANDBOX_BAD_REQUEST for control). */
export function parseJsonObject(raw: string, code: ApiErrorCode = 'PARAM_ERROR'): Record<string, unknown> {
  let value: unknown;
  try {
    value = raw === '' ? undefined : JSON.parse(raw);
  } catch {
    throw new ApiError(code, '请求体不是合法的JSON', {
      field: '/',
      issue: 'body is not valid JSON',
      location: 'body',
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(code, '请求体必须是JSON对象', {
      field: '/',
      issue: 'body must be a JSON object',
      location: 'body',
    });
  }
  return value as Record<string, unknown>;
}

export function installErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((err, req, reply) => {
    if (reply.sent || reply.raw.headersSent) return;
    if (err instanceof ApiError) return sendJson(reply, err.status, err.body());
    if (err instanceof SandboxClosedError)
      return sendJson(reply, 503, { code: 'SERVICE_UNAVAILABLE', message: 'sandbox closing' });
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendJson(reply, status, { code: 'INVALID_REQUEST', message: (err as Error).message });
    }
    logger.error({ err, route: req.routeOptions.url }, 'sandbox handler failed');
    return sendJson(reply, 500, { code: 'SYSTEM_ERROR', message: API_ERRORS.SYSTEM_ERROR.message });
  });
  app.setNotFoundHandler((_req, reply) =>
    sendJson(reply, 404, { code: 'NOT_FOUND', message: API_ERRORS.NOT_FOUND.message }),
  );
}

type Method = 'GET' | 'POST' | 'DELETE';
const ALL_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/** Registers the given methods on `url`, and every other method as 405 (fastify alone would say 404). */
export function defineRoute(
  app: FastifyInstance,
  url: string,
  handlers: Partial<Record<Method, RouteHandlerMethod>>,
): void {
  for (const [method, handler] of Object.entries(handlers)) app.route({ method, url, handler });
  const others = ALL_METHODS.filter((m) => !(m in handlers));
  app.route({
    method: [...others],
    url,
    handler: (_req, reply) =>
      sendJson(reply, 405, { code: 'METHOD_NOT_ALLOWED', message: API_ERRORS.METHOD_NOT_ALLOWED.message }),
  });
}

/** How an injected `error` answers: a v3 error body, or the code2Session errcode shape. */
export type FaultErrorShape = 'v3' | 'login';

/**
 * Acts out an API fault. Returns true when the exchange is over (hang, reset, error) and false when the
 * request should now be processed normally (latency).
 */
export async function actOutFault(
  rule: FaultRule,
  req: FastifyRequest,
  reply: FastifyReply,
  timers: Timers,
  shape: FaultErrorShape,
): Promise<boolean> {
  const socket = req.raw.socket;
  switch (rule.kind) {
    case 'latency':
      await timers.sleep(rule.ms ?? 1000);
      return false;
    case 'hang':
      // Never answer; the socket stays open until the client gives up or the sandbox closes
      // (fastify's forceCloseConnections destroys it then).
      reply.hijack();
      if (!socket.destroyed) await new Promise<void>((resolve) => socket.once('close', () => resolve()));
      return true;
    case 'reset':
      reply.hijack();
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
      return true;
    default:
      sendFaultError(rule, reply, shape);
      return true;
  }
}

function sendFaultError(rule: FaultRule, reply: FastifyReply, shape: FaultErrorShape): void {
  if (shape === 'login') {
    const errcode = rule.code !== undefined && /^-?\d+$/.test(rule.code) ? Number(rule.code) : -1;
    const errmsg = errcode === -1 ? 'system error' : `injected error ${errcode}`;
    sendJson(reply, rule.status ?? 200, { errcode, errmsg: `${errmsg}, rid: ${rid()}` });
    return;
  }
  const code = rule.code ?? codeForStatus(rule.status ?? 500);
  const known = isApiErrorCode(code) ? API_ERRORS[code] : undefined;
  sendJson(reply, rule.status ?? known?.status ?? 500, { code, message: known?.message ?? 'injected fault' });
}
