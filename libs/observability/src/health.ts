import type { FastifyInstance } from 'fastify';
import { fastify } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';

/** A readiness check resolves when its dependency is usable and rejects (with a reason) when not. */
export type ReadinessCheck = () => Promise<void>;

export interface HealthOptions {
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  readonly registry: Registry;
  /** A check that takes longer than this counts as failed. */
  readonly checkTimeoutMs?: number;
}

export interface ReadinessReport {
  readonly status: 'ready' | 'not_ready';
  readonly checks: Record<string, { ok: boolean; error?: string }>;
}

export async function runChecks(checks: HealthOptions['checks'], timeoutMs = 2000): Promise<ReadinessReport> {
  type Result = { ok: boolean; error?: string };
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, Result]> => {
      try {
        await withTimeout(check(), timeoutMs, `${name} check timed out after ${timeoutMs} ms`);
        return [name, { ok: true }];
      } catch (err) {
        return [name, { ok: false, error: err instanceof Error ? err.message : String(err) }];
      }
    }),
  );
  const report: Record<string, Result> = Object.fromEntries(entries);
  return { status: entries.every(([, r]) => r.ok) ? 'ready' : 'not_ready', checks: report };
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** `/healthz` (the process is alive), `/readyz` (its dependencies answer) and `/metrics`. */
export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const report = await runChecks(options.checks, options.checkTimeoutMs);
    return reply.code(report.status === 'ready' ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_req, reply) => {
    return reply.header('content-type', options.registry.contentType).send(await options.registry.metrics());
  });
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** For workers without an HTTP API: a loopback server with only the health and metrics routes. */
export async function startOpsServer(
  options: HealthOptions & { host: string; port: number; logger: Logger },
): Promise<OpsServer> {
  const app = fastify({ logger: false });
  registerHealthRoutes(app, options);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.logger.info({ port }, 'ops server listening');
  return { port, close: () => app.close() };
}
