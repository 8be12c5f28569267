/**
 * Harness for the integration tests: a real sandbox over HTTP, our clients built through the env contract
 * (`env()` → `parseConfig(wechatpayEnv)` → `loadWechatPayConfig`), the control API, and a local notification
 * receiver that answers the way a merchant must (§6.4: 204 when verified, 4xx with a FAIL body otherwise).
 */
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@wxpay-saga/config';
import { createLogger } from '@wxpay-saga/observability';
import {
  createLoginClient,
  createNotificationVerifier,
  createWechatPayClient,
  loadWechatPayConfig,
  NotificationError,
  wechatpayEnv,
  type LoginClient,
  type NotificationVerifier,
  type VerifiedRefundNotification,
  type VerifiedTransactionNotification,
  type WechatPayClient,
  type WechatPayConfig,
} from '@wxpay-saga/wechatpay';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '@wxpay-saga/wechatpay-sandbox';

const quiet = () => createLogger({ service: 'wechatpay-it', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let keyDir: string | undefined;
/** One key dir per test file: generating the sandbox keys costs about a second. */
export const fileKeyDir = () => (keyDir ??= mkdtempSync(join(tmpdir(), 'wechatpay-it-keys-')));

export function startTestSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({
    port: 0,
    keyDir: fileKeyDir(),
    allowLoopbackNotify: true,
    timeFactor: 0.01,
    logger: quiet(),
    ...opts,
  });
}

/** Env → config the way a service does it; `drop` removes variables, `over` sets them. */
export function configFrom(
  sb: RunningSandbox,
  over: Record<string, string> = {},
  drop: readonly string[] = [],
): WechatPayConfig {
  const env: Record<string, string | undefined> = {
    ...sb.env(),
    WECHATPAY_TIMEOUT_MS: '1000',
    WECHATPAY_MAX_RETRIES: '0',
    ...over,
  };
  for (const k of drop) delete env[k];
  return loadWechatPayConfig(parseConfig(wechatpayEnv, env));
}

export interface Clients {
  readonly config: WechatPayConfig;
  readonly pay: WechatPayClient;
  readonly login: LoginClient;
}

export function clientsFor(config: WechatPayConfig): Clients {
  const logger = quiet();
  return {
    config,
    pay: createWechatPayClient(config, { logger }),
    login: createLoginClient(
      {
        appid: config.appid,
        secret: config.appSecret,
        baseUrl: config.loginBaseUrl,
        timeoutMs: config.timeoutMs,
      },
      { logger },
    ),
  };
}

export async function control<T = Record<string, unknown>>(
  sb: RunningSandbox,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${sb.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

export interface Received {
  readonly path: string;
  readonly status: number;
  readonly code?: string;
  readonly transaction?: VerifiedTransactionNotification;
  readonly refund?: VerifiedRefundNotification;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

/** POST /pay → verifyTransaction, POST /refund → verifyRefund; the raw body is what gets verified. */
export async function startReceiver(verifier: NotificationVerifier): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      try {
        const verified =
          path === '/refund'
            ? { refund: verifier.verifyRefund(req.headers, raw) }
            : { transaction: verifier.verifyTransaction(req.headers, raw) };
        received.push({ path, status: 204, ...verified });
        res.writeHead(204).end();
      } catch (err) {
        const e = err as NotificationError;
        const status = err instanceof NotificationError ? e.httpStatus : 500;
        received.push({ path, status, code: err instanceof NotificationError ? e.code : 'UNEXPECTED' });
        res
          .writeHead(status, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ code: 'FAIL', message: '失败' }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function verifierFor(config: WechatPayConfig): NotificationVerifier {
  return createNotificationVerifier({
    apiV3Key: config.apiV3Key,
    verifierKeys: config.verifierKeys,
    mchid: config.mchid,
    appid: config.appid,
  });
}

export async function eventually<T>(
  fn: () => T | undefined,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let seq = 0;
/** Unique, valid out_trade_no / out_refund_no (§2.1: 6-32 of [0-9A-Za-z_-|*]). */
export const uniqueNo = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${(seq++).toString(36)}`;
