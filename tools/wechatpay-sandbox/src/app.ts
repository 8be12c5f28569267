/**
 * The composition of the fastify app: one function, no listening (startSandbox listens; tests of the
 * app alone could use `inject`). The merchant API lives in an encapsulated scope whose onSend hook signs
 * every 2xx response; the control API and the login path are outside it.
 */
import { fastify, type FastifyInstance } from 'fastify';
import { registerCertificateRoutes } from './certificates.js';
import type { Sandbox, SandboxDeps } from './context.js';
import { registerControlRoutes } from './control.js';
import { installErrorHandlers, installRawBody } from './http.js';
import { requestId } from './ids.js';
import { registerLoginRoutes } from './login.js';
import { registerPayRoutes } from './pay.js';
import { registerRefundRoutes } from './refunds.js';
import type { SandboxState } from './state.js';
import { registerTransactionRoutes } from './transactions.js';
import { signResponses } from './v3.js';

export function buildSandboxApp(state: SandboxState, deps: SandboxDeps): FastifyInstance {
  const sb: Sandbox = { ...deps, state };
  const app = fastify({
    logger: false,
    // A `hang` fault keeps sockets open on purpose; close() must not wait for them.
    forceCloseConnections: true,
    genReqId: () => requestId(),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
  });
  installRawBody(app);
  installErrorHandlers(app, deps.logger);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('Request-ID', req.id);
  });
  // The route pattern, never the raw URL: jscode2session carries the app secret and js_code in its query.
  app.addHook('onResponse', async (req, reply) => {
    deps.logger.debug(
      { method: req.method, route: req.routeOptions.url, status: reply.statusCode, requestId: req.id },
      'request',
    );
  });
  void app.register(async (scope) => {
    signResponses(scope, sb);
    registerTransactionRoutes(scope, sb);
    registerRefundRoutes(scope, sb);
    registerCertificateRoutes(scope, sb);
  });
  registerLoginRoutes(app, sb);
  registerPayRoutes(app, sb);
  registerControlRoutes(app, sb);
  return app;
}
