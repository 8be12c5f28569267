import { fastify, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { CodecError, PaymentConfirmed, RefundNotified } from '@wxpay-saga/contracts';
import type { EventProducer } from '@wxpay-saga/messaging';
import {
  Counter,
  crashPoint,
  registerHealthRoutes,
  type Logger,
  type ReadinessCheck,
  type Registry,
} from '@wxpay-saga/observability';
import { NotificationError, type NotificationVerifier } from '@wxpay-saga/wechatpay';
import { paymentConfirmedFrom, refundNotifiedFrom } from './events.js';

export interface GatewayDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly verifier: NotificationVerifier;
  readonly producer: EventProducer;
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  readonly now: () => number;
}

/**
 * WeChat decides on the HTTP status alone (§6.4): 204 means "handled, stop sending", anything else
 * means "send again later". So we answer 204 only after Kafka acknowledged the event; every rejection
 * carries `{"code":"FAIL","message":…}` and is logged and counted with its reason.
 */
export function buildGateway(deps: GatewayDeps): FastifyInstance {
  const app = fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- pino's Logger type differs from FastifyBaseLogger; one instance type keeps the shared helpers typed
    loggerInstance: deps.logger as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: 64 * 1024,
  });
  // Signatures cover the raw bytes: keep the body as the exact string received.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const rejected = new Counter({
    name: 'notify_rejected_total',
    help: 'Notifications answered with 4xx/5xx, by reason',
    labelNames: ['kind', 'code'],
    registers: [deps.registry],
  });
  const accepted = new Counter({
    name: 'notify_accepted_total',
    help: 'Notifications published and answered 204',
    labelNames: ['kind'],
    registers: [deps.registry],
  });

  const reject = (reply: FastifyReply, kind: string, status: number, code: string, message: string) => {
    rejected.inc({ kind, code });
    deps.logger.warn({ kind, status, code, reason: message }, 'notification rejected');
    return reply.code(status).send({ code: 'FAIL', message: `${code}: ${message}` });
  };

  const handle =
    (kind: 'transaction' | 'refund') =>
    async (
      req: { headers: Record<string, string | string[] | undefined>; body: unknown },
      reply: FastifyReply,
    ) => {
      const raw = typeof req.body === 'string' ? req.body : '';
      let publish: () => Promise<void>;
      try {
        if (kind === 'transaction') {
          const n = deps.verifier.verifyTransaction(req.headers, raw);
          if (n.transaction.trade_state !== 'SUCCESS') {
            deps.logger.info(
              { tradeState: n.transaction.trade_state },
              'ignoring a non-SUCCESS transaction notification',
            );
            return reply.code(204).send();
          }
          const event = paymentConfirmedFrom(n, deps.now());
          publish = () => deps.producer.publish(PaymentConfirmed, event);
        } else {
          const event = refundNotifiedFrom(deps.verifier.verifyRefund(req.headers, raw));
          publish = () => deps.producer.publish(RefundNotified, event);
        }
      } catch (err) {
        if (err instanceof NotificationError)
          return reject(reply, kind, err.httpStatus, err.code, err.message);
        if (err instanceof CodecError)
          return reject(reply, kind, 400, 'NOTIFY_RESOURCE_INVALID', err.message);
        throw err;
      }
      try {
        await publish();
      } catch (err) {
        return reject(
          reply,
          kind,
          503,
          'BROKER_UNAVAILABLE',
          err instanceof Error ? err.message : 'publish failed',
        );
      }
      crashPoint('notify-gateway:after-publish');
      accepted.inc({ kind });
      return reply.code(204).send();
    };

  app.post('/wechatpay/notify/transaction', handle('transaction'));
  app.post('/wechatpay/notify/refund', handle('refund'));
  registerHealthRoutes(app, { checks: deps.checks, registry: deps.registry });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ code: 'FAIL', message: 'not found' }));
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 500;
    if (status >= 500) deps.logger.error({ err }, 'notification handling failed');
    return reply.code(status).send({ code: 'FAIL', message: status >= 500 ? 'internal error' : err.message });
  });
  return app;
}
