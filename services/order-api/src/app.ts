import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import {
  Counter,
  Histogram,
  registerHealthRoutes,
  type Logger,
  type ReadinessCheck,
  type Registry,
} from '@wxpay-saga/observability';
import { installErrorHandler } from './http/error-handler.js';
import { catalogRoutes } from './orders/catalog-routes.js';
import type { OrderActionDeps } from './orders/actions.js';
import type { CreateOrderDeps } from './orders/create.js';
import { orderRoutes } from './orders/routes.js';
import { sessionRoutes } from './sessions/routes.js';
import type { SessionStore } from './sessions/store.js';
import type { LoginClient } from '@wxpay-saga/wechatpay';
import type { OrderStore } from '@wxpay-saga/order-store';

export interface AppDeps extends CreateOrderDeps, OrderActionDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly sessions: SessionStore;
  readonly store: OrderStore;
  readonly login: LoginClient;
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
}

/** Builds the API without listening; tests call `inject()` or listen on port 0. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- pino's Logger type differs from FastifyBaseLogger; one instance type keeps the shared helpers typed
    loggerInstance: deps.logger as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: 64 * 1024,
    genReqId: () => crypto.randomUUID(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  instrument(app, deps.registry);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'wxpay-saga order API',
        version: '1.0.0',
        description: 'Mini-program orders paid with WeChat Pay (JSAPI)',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerHealthRoutes(app, { checks: deps.checks, registry: deps.registry });
  await app.register(sessionRoutes({ login: deps.login, sessions: deps.sessions }));
  await app.register(catalogRoutes(deps.catalog));
  await app.register(orderRoutes(deps));
  return app;
}

function instrument(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'http_errors_total',
    help: 'HTTP 4xx/5xx answers by code',
    labelNames: ['status', 'route'],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    duration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (reply.statusCode >= 400) errors.inc({ status: String(reply.statusCode), route });
    req.log.info(
      { method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
}
