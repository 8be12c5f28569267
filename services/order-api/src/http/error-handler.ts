import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isRetriable } from '@wxpay-saga/messaging';
import { ApiError, type ErrorBody } from './errors.js';

/** Maps every failure to `{code, message, details?}` with the status declared for its code. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({
      code: 'NOT_FOUND',
      message: `no route ${req.method} ${req.url.split('?')[0]}`,
    } satisfies ErrorBody);
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ApiError) {
      if (err.headers) void reply.headers(err.headers);
      return reply
        .code(err.status)
        .send({ code: err.code, message: err.message, details: err.details } satisfies ErrorBody);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request';
      const fields = err.validation.map((v) => ({
        field: [where, ...fieldPath(v.instancePath)].join('.'),
        message: v.message ?? 'invalid',
      }));
      const message = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
      return reply
        .code(400)
        .send({ code: 'VALIDATION_FAILED', message, details: fields } satisfies ErrorBody);
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // fastify's own client errors: malformed JSON, wrong content type, body too large…
      return reply
        .code(err.statusCode)
        .send({ code: 'VALIDATION_FAILED', message: err.message } satisfies ErrorBody);
    }
    const code = (err as { code?: unknown }).code;
    if (code === 'BROKER_UNAVAILABLE') {
      return reply.code(503).send({
        code: 'BROKER_UNAVAILABLE',
        message: 'the order could not be recorded; retry with the same Idempotency-Key',
      } satisfies ErrorBody);
    }
    // A dependency that is down (Redis, WeChat login): the same test the consumers use for "retry later".
    if (code === 'REDIS_UNAVAILABLE' || isRetriable(err)) {
      return reply.code(503).send({
        code: 'DEPENDENCY_UNAVAILABLE',
        message: 'storage temporarily unavailable',
      } satisfies ErrorBody);
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ code: 'INTERNAL', message: 'internal error' } satisfies ErrorBody);
  });
}

const fieldPath = (pointer: string): string[] => pointer.split('/').filter(Boolean);
