/**
 * What every merchant API route shares: count the call, act out a fault (before any state changes), check
 * the headers and the Authorization signature (§4), and sign every 2xx response (§5).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { checkRequiredHeaders, verifyRequest } from './auth.js';
import type { Sandbox } from './context.js';
import { ApiError } from './errors.js';
import type { FaultEndpoint } from './faults.js';
import { actOutFault, rawBody } from './http.js';
import type { Merchant } from './merchants.js';
import { pickSigningKey, signatureHeaders } from './signing.js';
import type { Endpoint } from './state.js';

export type V3Handler = (req: FastifyRequest, reply: FastifyReply, merchant: Merchant) => Promise<unknown>;

/** Refund query shares the `refund` fault endpoint with refund create. */
const FAULT_ENDPOINT: Partial<Record<Endpoint, FaultEndpoint>> = {
  jsapi: 'jsapi',
  query: 'query',
  close: 'close',
  refund: 'refund',
  refundQuery: 'refund',
};

export function v3Route(sb: Sandbox, endpoint: Endpoint, handler: V3Handler): RouteHandlerMethod {
  return async (req, reply) => {
    sb.state.stats.requests[endpoint] += 1;
    sb.state.changed();
    const faultEndpoint = FAULT_ENDPOINT[endpoint];
    const rule = faultEndpoint ? sb.faults.take(faultEndpoint) : undefined;
    if (rule) {
      sb.state.stats.faultsApplied += 1;
      sb.logger.debug({ endpoint, fault: rule.kind, rule: rule.id }, 'fault injected');
      if (await actOutFault(rule, req, reply, sb.timers, 'v3')) return reply;
    }
    checkRequiredHeaders(req.headers);
    const merchant = authenticate(sb, req);
    await handler(req, reply, merchant);
    return reply;
  };
}

function authenticate(sb: Sandbox, req: FastifyRequest): Merchant {
  try {
    return verifyRequest(
      {
        method: req.raw.method ?? req.method,
        url: req.raw.url ?? req.url,
        headers: req.headers,
        body: rawBody(req),
      },
      { merchants: sb.merchants, nowMs: sb.now(), maxSkewSeconds: sb.settings.maxSkewSeconds },
    );
  } catch (err) {
    if (err instanceof ApiError && err.code === 'SIGN_ERROR') {
      sb.state.stats.signErrors += 1;
      sb.state.changed();
    }
    throw err;
  }
}

/**
 * Signs the exact bytes sent (an empty body for 204: `ts\nnonce\n\n`). Error responses stay unsigned:
 * whether the live server signs them is UNCONFIRMED (§5) and clients must not depend on it.
 */
export function signResponses(scope: FastifyInstance, sb: Sandbox): void {
  scope.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode < 200 || reply.statusCode > 299) return payload;
    const body =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
    const requested = req.headers['wechatpay-serial'];
    const signer = pickSigningKey(
      sb.platform,
      sb.settings.keyMode,
      typeof requested === 'string' ? requested : undefined,
    );
    reply.headers(signatureHeaders(signer, body, sb.now()));
    return payload;
  });
}
