/**
 * Test helpers: a merchant that signs with the crypto primitives (we test the sandbox, not the client),
 * a mini-program user, and a real HTTP receiver for notifications. No mocks of the sandbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  aesGcmDecrypt,
  buildAuthorization,
  nonce,
  paySignMessage,
  requestSignMessage,
  responseSignMessage,
  signSha256Rsa,
  unixSeconds,
  verifySha256Rsa,
} from '@wxpay-saga/wechatpay';
import { createLogger } from '@wxpay-saga/observability';
import { afterAll } from 'vitest';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../src/index.js';

export const quietLogger = () =>
  createLogger({ service: 'sandbox-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

const createdDirs: string[] = [];
// Registered on the importing test file (helpers is loaded once per file).
afterAll(() => {
  for (const dir of createdDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp dir, removed after the test file. */
export function tempDir(prefix = 'wxpay-sandbox-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  createdDirs.push(dir);
  return dir;
}

/** One key dir for a whole test file: generation costs ~1 s, and reuse is what ensureDevKeys promises. */
export const fileKeyDir = (() => {
  let dir: string | undefined;
  return () => (dir ??= tempDir('wxpay-sandbox-keys-'));
})();

export async function start(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({
    port: 0,
    keyDir: fileKeyDir(),
    allowLoopbackNotify: true,
    logger: quietLogger(),
    ...opts,
  });
}

export interface Merchant {
  readonly mchid: string;
  readonly appid: string;
  readonly serialNo: string;
  readonly privateKey: crypto.KeyObject;
  readonly apiV3Key: string;
  readonly appSecret: string;
}

export function merchantOf(sb: RunningSandbox): Merchant {
  const env = sb.env();
  return {
    mchid: env.WECHATPAY_MCHID!,
    appid: env.WECHATPAY_APPID!,
    serialNo: env.WECHATPAY_SERIAL_NO!,
    privateKey: crypto.createPrivateKey(fs.readFileSync(env.WECHATPAY_PRIVATE_KEY_PATH!, 'utf8')),
    apiV3Key: env.WECHATPAY_APIV3_KEY!,
    appSecret: env.WECHATPAY_APP_SECRET!,
  };
}

export interface CallOptions {
  readonly privateKey?: crypto.KeyObject;
  readonly serialNo?: string;
  readonly mchid?: string;
  readonly timestamp?: string;
  /** Replace the Authorization header altogether (or null to omit it). */
  readonly authorization?: string | null;
  /** Sign this string but send the real body (a tampered request). */
  readonly signedBody?: string;
  readonly headers?: Record<string, string | undefined>;
  readonly signal?: AbortSignal;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

/** A merchant API call signed per §4 over exactly the bytes sent. */
export async function v3(
  sb: RunningSandbox,
  m: Merchant,
  method: string,
  pathAndQuery: string,
  body?: unknown,
  o: CallOptions = {},
): Promise<Answer> {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = o.timestamp ?? unixSeconds();
  const nonceStr = nonce(32);
  const signature = signSha256Rsa(
    requestSignMessage(method, pathAndQuery, timestamp, nonceStr, o.signedBody ?? text),
    o.privateKey ?? m.privateKey,
  );
  const authorization =
    o.authorization === undefined
      ? buildAuthorization({
          mchid: o.mchid ?? m.mchid,
          nonce_str: nonceStr,
          timestamp,
          serial_no: o.serialNo ?? m.serialNo,
          signature,
        })
      : o.authorization;
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'sandbox-test/1.0' };
  if (text !== '') headers['Content-Type'] = 'application/json';
  if (authorization !== null) headers.Authorization = authorization;
  for (const [k, v] of Object.entries(o.headers ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  return httpCall(sb.url + pathAndQuery, method, headers, text, o.signal);
}

/**
 * node:http rather than fetch: fetch adds `accept` and `user-agent` when they are missing, which would hide
 * the §1 header check, and keeps pooled connections that a `reset` fault would then break for later tests.
 */
export function httpCall(
  url: string,
  method: string,
  headers: Record<string, string>,
  body = '',
  signal?: AbortSignal,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        headers: body === '' ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        agent: false,
        signal,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve({ status: res.statusCode ?? 0, headers: h, text, json: <T>() => JSON.parse(text) as T });
        });
      },
    );
    req.on('error', reject);
    req.end(body === '' ? undefined : body);
  });
}

export async function control(
  sb: RunningSandbox,
  method: string,
  p: string,
  body?: unknown,
): Promise<Answer> {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return httpCall(sb.url + p, method, text === '' ? {} : { 'Content-Type': 'application/json' }, text);
}

/** §5: TIMESTAMP\nNONCE\nBODY\n verified with the given public key (PEM). */
export function verifiesWith(
  headers: Headers | http.IncomingHttpHeaders,
  body: string,
  publicKeyPem: string,
): boolean {
  const get = (k: string) =>
    (headers instanceof Headers ? headers.get(k) : (headers[k.toLowerCase()] as string | undefined)) ?? '';
  return verifySha256Rsa(
    responseSignMessage(get('Wechatpay-Timestamp'), get('Wechatpay-Nonce'), body),
    get('Wechatpay-Signature'),
    publicKeyPem,
  );
}

export async function newUser(
  sb: RunningSandbox,
  body: Record<string, unknown> = {},
): Promise<{ code: string; openid: string }> {
  return (await control(sb, 'POST', '/__sandbox/login', body)).json();
}

export function jsapiBody(
  m: Merchant,
  openid: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    appid: m.appid,
    mchid: m.mchid,
    description: 'Image形象店-深圳腾大-QQ公仔',
    out_trade_no: `T${crypto.randomBytes(8).toString('hex')}`,
    // Loopback with nothing listening: refused at once, no DNS or traffic leaves the machine.
    notify_url: 'https://127.0.0.1:9/wxpay/notify',
    amount: { total: 100, currency: 'CNY' },
    payer: { openid },
    ...extra,
  };
}

/** A prepay that must succeed; returns the body sent and the prepay_id. */
export async function prepay(
  sb: RunningSandbox,
  m: Merchant,
  openid: string,
  extra: Record<string, unknown> = {},
) {
  const body = jsapiBody(m, openid, extra);
  const res = await v3(sb, m, 'POST', '/v3/pay/transactions/jsapi', body);
  if (res.status !== 200) throw new Error(`prepay failed: ${res.status} ${res.text}`);
  return {
    body,
    outTradeNo: body.out_trade_no as string,
    prepayId: res.json<{ prepay_id: string }>().prepay_id,
  };
}

/** What the merchant backend hands the mini program for wx.requestPayment (§7). */
export function payParams(
  m: Merchant,
  prepayId: string,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  const timeStamp = unixSeconds();
  const nonceStr = nonce(32);
  const pkg = `prepay_id=${prepayId}`;
  return {
    timeStamp,
    nonceStr,
    package: pkg,
    signType: 'RSA',
    paySign: signSha256Rsa(paySignMessage(m.appid, timeStamp, nonceStr, pkg), m.privateKey),
    ...over,
  };
}

export async function requestPayment(
  sb: RunningSandbox,
  openid: string,
  params: Record<string, unknown>,
): Promise<string> {
  const res = await control(sb, 'POST', '/__sandbox/requestPayment', { openid, ...params });
  return res.json<{ errMsg: string }>().errMsg;
}

export interface Received {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

export type ReceiverReply = number | { status: number; delayMs?: number };

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  reply(fn: (r: Received, index: number) => ReceiverReply): void;
  close(): Promise<void>;
}

/** A real local merchant notify endpoint (default: 204 to everything). */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  let decide: (r: Received, index: number) => ReceiverReply = () => 204;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const r = { headers: req.headers, body, at: Date.now() };
      received.push(r);
      const d = decide(r, received.length - 1);
      const { status, delayMs } = typeof d === 'number' ? { status: d, delayMs: 0 } : d;
      setTimeout(() => {
        if (res.destroyed) return;
        res.statusCode = status;
        res.end(status >= 300 ? JSON.stringify({ code: 'FAIL', message: '失败' }) : undefined);
      }, delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wxpay/notify`,
    received,
    reply: (fn) => (decide = fn),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined),
  };
}

export interface DecodedNotification {
  readonly outer: Record<string, unknown> & {
    id: string;
    event_type: string;
    resource: Record<string, string>;
  };
  readonly plaintext: Record<string, unknown>;
}

export function decode(r: Received, apiV3Key: string): DecodedNotification {
  const outer = JSON.parse(r.body) as DecodedNotification['outer'];
  const res = outer.resource;
  const plaintext = JSON.parse(
    aesGcmDecrypt(res.ciphertext!, apiV3Key, res.nonce!, res.associated_data!),
  ) as Record<string, unknown>;
  return { outer, plaintext };
}

/** Polls until `probe` returns a value other than undefined/false. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await sleep(20);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface LedgerEntry {
  trade_state: string;
  transaction_id: string | null;
  prepay_id: string;
  prepay_ids: string[];
  calls: { jsapi: number; query: number; close: number };
  conflicts: Array<{ at: string; fields: string[] }>;
  refunds: Array<Record<string, unknown>>;
  deliveries: Array<{
    notificationId: string;
    event_type: string;
    outcome: string;
    fault?: string;
    retries: number;
    attempts: number;
  }>;
  notifications: Array<{
    notificationId: string;
    attempt: number;
    at: string;
    kind: string;
    status: number | null;
    error?: string;
    durationMs: number;
  }>;
  [k: string]: unknown;
}

export async function ledger(sb: RunningSandbox, outTradeNo: string): Promise<LedgerEntry> {
  const res = await control(sb, 'GET', `/__sandbox/transactions/${outTradeNo}`);
  if (res.status !== 200) throw new Error(`ledger ${outTradeNo}: ${res.status} ${res.text}`);
  return res.json<LedgerEntry>();
}

/** login → prepay → requestPayment:ok; returns the ids. */
export async function paidOrder(sb: RunningSandbox, m: Merchant, extra: Record<string, unknown> = {}) {
  const { openid } = await newUser(sb);
  const order = await prepay(sb, m, openid, extra);
  const errMsg = await requestPayment(sb, openid, payParams(m, order.prepayId));
  if (errMsg !== 'requestPayment:ok') throw new Error(`payment failed: ${errMsg}`);
  return { ...order, openid };
}

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Child {
  readonly child: ChildProcess;
  output(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited(): Promise<number | string>;
}

/** Runs an entry point the way the root npm scripts do (`node --conditions=source --import tsx`, cwd = repo). */
export async function runTs(entry: string, env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    child,
    output: () => out,
    exited: () => exit,
    waitFor: (re, timeoutMs = 30_000) =>
      eventually(() => re.exec(out) ?? undefined, timeoutMs, `${re} from ${entry}; output so far:\n${out}`),
  };
}
