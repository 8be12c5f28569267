import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OrderStore } from '@wxpay-saga/order-store';
import { toView, type OrderView } from '@wxpay-saga/orders';
import { ErrorResponse, OrderIdParam, OrderViewSchema, RequestPaymentParams } from '../http/schemas.js';
import { requireSession, userOf } from '../sessions/auth.js';
import type { SessionStore } from '../sessions/store.js';
import { cancelOrder, ownedOrder, paymentFor, syncOrder, viewOf, type OrderActionDeps } from './actions.js';
import { createOrder, type CreateOrderDeps } from './create.js';

const CreateOrderBody = z
  .object({
    items: z
      .array(z.object({ sku: z.string().min(1).max(64), quantity: z.number().int().min(1).max(99) }).strict())
      .min(1)
      .max(20),
  })
  .strict();

const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'must be 1-255 printable ASCII characters')
    .describe('unique per intended order; retries reuse it'),
});

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  422: ErrorResponse,
  503: ErrorResponse,
};

export const orderRoutes =
  (
    deps: CreateOrderDeps & OrderActionDeps & { sessions: SessionStore; store: OrderStore },
  ): FastifyPluginAsyncZod =>
  async (app) => {
    app.addHook('preHandler', requireSession(deps.sessions));

    app.post(
      '/v1/orders',
      {
        schema: {
          tags: ['orders'],
          summary:
            'Place an order (idempotent); answers with the wx.requestPayment parameters when ready in time',
          security: [{ bearer: [] }],
          headers: IdempotencyHeaders,
          body: CreateOrderBody,
          response: {
            201: z.object({ order: OrderViewSchema, payment: RequestPaymentParams.nullable() }),
            ...errors,
          },
        },
      },
      async (req, reply) => {
        const result = await createOrder(deps, {
          openid: userOf(req),
          idempotencyKey: req.headers['idempotency-key'],
          body: req.body,
          requestId: req.id,
        });
        return reply.code(result.statusCode).send(result.body);
      },
    );

    app.get(
      '/v1/orders',
      {
        schema: {
          tags: ['orders'],
          summary: 'Your orders, newest first (cursor-paginated)',
          security: [{ bearer: [] }],
          querystring: ListQuery,
          response: {
            200: z.object({ orders: z.array(OrderViewSchema), nextCursor: z.string().nullable() }),
            ...errors,
          },
        },
      },
      async (req) => {
        const cursor = decodeCursor(req.query.cursor);
        const rows = await deps.store.listForUser(userOf(req), req.query.limit, cursor);
        const orders = (await Promise.all(rows.map(async (r) => deps.store.get(r.id)))).flatMap((f) => {
          const v = f && toView(f);
          return v ? [v] : [];
        });
        const last = rows.at(-1);
        return { orders, nextCursor: rows.length === req.query.limit && last ? encodeCursor(last) : null };
      },
    );

    app.get(
      '/v1/orders/:id',
      {
        schema: {
          tags: ['orders'],
          summary: 'One of your orders',
          security: [{ bearer: [] }],
          params: OrderIdParam,
          response: { 200: OrderViewSchema, ...errors },
        },
      },
      async (req) => viewOf(await ownedOrder(deps.store, userOf(req), req.params.id)),
    );

    app.get(
      '/v1/orders/:id/payment',
      {
        schema: {
          tags: ['orders'],
          summary: 'The signed wx.requestPayment parameters (202 while not ready, 409 once not payable)',
          security: [{ bearer: [] }],
          params: OrderIdParam,
          response: {
            200: RequestPaymentParams,
            202: z.object({ code: z.literal('PAYMENT_NOT_READY'), message: z.string() }),
            ...errors,
          },
        },
      },
      async (req, reply) => {
        const answer = await paymentFor(deps, await ownedOrder(deps.store, userOf(req), req.params.id));
        if (answer.kind === 'ready') return reply.code(200).send(answer.params);
        return reply
          .code(202)
          .header('retry-after', String(answer.retryAfterSeconds))
          .send({
            code: 'PAYMENT_NOT_READY' as const,
            message: 'payment parameters are being prepared; retry shortly',
          });
      },
    );

    app.post(
      '/v1/orders/:id/sync',
      {
        schema: {
          tags: ['orders'],
          summary: 'Ask the server to check the payment with WeChat now',
          security: [{ bearer: [] }],
          params: OrderIdParam,
          response: { 200: OrderViewSchema, ...errors },
        },
      },
      async (req) => syncOrder(deps, await ownedOrder(deps.store, userOf(req), req.params.id), req.id),
    );

    app.post(
      '/v1/orders/:id/cancel',
      {
        schema: {
          tags: ['orders'],
          summary: 'Cancel an unpaid order (closed at WeChat by the reconciler)',
          security: [{ bearer: [] }],
          params: OrderIdParam,
          response: { 202: OrderViewSchema, ...errors },
        },
      },
      async (req, reply) => {
        const view: OrderView = await cancelOrder(
          deps,
          await ownedOrder(deps.store, userOf(req), req.params.id),
          req.id,
        );
        return reply.code(202).send(view);
      },
    );
  };

const encodeCursor = (c: { score: number; id: string }) =>
  Buffer.from(`${c.score}:${c.id}`).toString('base64url');
function decodeCursor(raw: string | undefined): { score: number; id: string } | undefined {
  if (!raw) return undefined;
  const [score, id] = Buffer.from(raw, 'base64url').toString().split(':');
  if (!id || !Number.isFinite(Number(score))) return undefined;
  return { score: Number(score), id };
}
