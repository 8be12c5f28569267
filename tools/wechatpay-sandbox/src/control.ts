/**
 * The control API under `/__sandbox/` (no Authorization): the ledger tests assert on, stats, the public
 * key material, fault rules and reset. login and requestPayment live in login.ts and pay.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Sandbox } from './context.js';
import { ApiError } from './errors.js';
import { parseFaultRule } from './faults.js';
import { defineRoute, parseJsonObject, rawBody, sendJson } from './http.js';
import { publicInfo, type Merchant } from './merchants.js';
import type { OrderRecord } from './state.js';
import { ledgerView } from './views.js';

const queryParam = (req: FastifyRequest, name: string): string | undefined => {
  const v = (req.query as Record<string, unknown>)[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

function merchantFor(sb: Sandbox, req: FastifyRequest): Merchant {
  const mchid = queryParam(req, 'mchid');
  const merchant = mchid === undefined ? sb.merchants.default : sb.merchants.byMchid(mchid);
  if (!merchant) throw new ApiError('SANDBOX_NOT_FOUND', `no merchant ${mchid}`);
  return merchant;
}

function ledger(sb: Sandbox, order: OrderRecord): Record<string, unknown> {
  const refunds = order.refunds.flatMap((no) => sb.state.refund(order.mchid, no) ?? []);
  return ledgerView(order, refunds);
}

function registerLedgerRoutes(app: FastifyInstance, sb: Sandbox): void {
  defineRoute(app, '/__sandbox/transactions', {
    GET: async (req, reply) => {
      const mchid = queryParam(req, 'mchid');
      const orders = sb.state.allOrders().filter((o) => mchid === undefined || o.mchid === mchid);
      return sendJson(reply, 200, { transactions: orders.map((o) => ledger(sb, o)) });
    },
  });
  defineRoute(app, '/__sandbox/transactions/:out_trade_no', {
    GET: async (req, reply) => {
      const { out_trade_no } = req.params as { out_trade_no: string };
      const order = sb.state.order(merchantFor(sb, req).mchid, out_trade_no);
      if (!order) throw new ApiError('SANDBOX_NOT_FOUND', `no order ${out_trade_no}`);
      return sendJson(reply, 200, ledger(sb, order));
    },
  });
  defineRoute(app, '/__sandbox/stats', {
    GET: async (_req, reply) =>
      sendJson(reply, 200, {
        ...sb.state.stats,
        orders: sb.state.allOrders().length,
        refunds: sb.state.allRefunds().length,
        faults: sb.faults.list().length,
      }),
  });
  defineRoute(app, '/__sandbox/merchant', {
    GET: async (req, reply) =>
      sendJson(reply, 200, publicInfo(merchantFor(sb, req), sb.platform, sb.settings.keyMode)),
  });
  defineRoute(app, '/__sandbox/health', {
    GET: async (_req, reply) => sendJson(reply, 200, { status: 'ok' }),
  });
}

function registerFaultRoutes(app: FastifyInstance, sb: Sandbox): void {
  defineRoute(app, '/__sandbox/faults', {
    POST: async (req, reply) => {
      const parsed = parseFaultRule(parseJsonObject(rawBody(req), 'SANDBOX_BAD_REQUEST'));
      if (!parsed.ok) throw new ApiError('SANDBOX_BAD_REQUEST', parsed.message);
      const rule = sb.faults.add(parsed.rule);
      sb.logger.info({ fault: rule.kind, endpoint: rule.endpoint, id: rule.id }, 'fault rule added');
      return sendJson(reply, 200, { id: rule.id });
    },
    GET: async (_req, reply) => sendJson(reply, 200, { faults: sb.faults.list() }),
    DELETE: async (_req, reply) => {
      const deleted = sb.faults.list().length;
      sb.faults.clear();
      return sendJson(reply, 200, { deleted });
    },
  });
  defineRoute(app, '/__sandbox/faults/:id', {
    DELETE: async (req, reply) => {
      const { id } = req.params as { id: string };
      if (!sb.faults.remove(id)) throw new ApiError('SANDBOX_NOT_FOUND', `no fault rule ${id}`);
      return sendJson(reply, 200, { deleted: 1 });
    },
  });
  defineRoute(app, '/__sandbox/reset', {
    POST: async (_req, reply) => {
      sb.notifier.reset();
      sb.faults.clear();
      sb.state.reset();
      sb.state.changed();
      return sendJson(reply, 200, { reset: true });
    },
  });
}

export function registerControlRoutes(app: FastifyInstance, sb: Sandbox): void {
  registerLedgerRoutes(app, sb);
  registerFaultRoutes(app, sb);
}
