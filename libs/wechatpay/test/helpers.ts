/**
 * Test helpers: a logger whose output can be searched for leaks, a minimal fake WeChat Pay server that signs
 * its answers like §5 says (so transport behaviour is tested without the sandbox), and a builder for signed,
 * encrypted notifications (§6) made with the Go test platform key (§10.3).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type Logger } from '@wxpay-saga/observability';
import { aesGcmEncrypt, responseSignMessage, signSha256Rsa } from '@wxpay-saga/wechatpay';
import { goPlatformKey } from './vectors-keys.js';

export const GO_SERIAL = 'D7CE59D1F522D701';

export function captureLogger(): { logger: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'wechatpay-test',
    level: 'debug',
    destination: { write: (s: string) => lines.push(s) },
  });
  return { logger, lines, text: () => lines.join('') };
}

export interface SignOptions {
  readonly key?: string;
  readonly serial?: string;
  readonly timestamp?: string;
  readonly nonce?: string;
  /** Replace the computed signature (probe, garbage). */
  readonly signature?: string;
}

export function signedHeaders(body: string, o: SignOptions = {}): Record<string, string> {
  const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = o.nonce ?? crypto.randomBytes(16).toString('hex');
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Serial': o.serial ?? GO_SERIAL,
    'Wechatpay-Signature':
      o.signature ?? signSha256Rsa(responseSignMessage(timestamp, nonce, body), o.key ?? goPlatformKey),
    'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
  };
}

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeReply {
  readonly status: number;
  readonly body?: string;
  /** false = unsigned; otherwise signing options. */
  readonly sign?: SignOptions | false;
  readonly headers?: Record<string, string>;
  /** 'hang' never answers; 'reset' destroys the socket. */
  readonly fault?: 'hang' | 'reset';
}

export interface FakeServer {
  readonly url: string;
  readonly seen: SeenRequest[];
  reply(fn: (req: SeenRequest) => FakeReply): void;
  close(): Promise<void>;
}

export async function startFakeServer(): Promise<FakeServer> {
  const seen: SeenRequest[] = [];
  let handler: (req: SeenRequest) => FakeReply = () => ({
    status: 404,
    body: '{"code":"NOT_FOUND","message":"no handler"}',
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(r);
      const reply = handler(r);
      if (reply.fault === 'hang') return;
      if (reply.fault === 'reset') return req.socket.destroy();
      const body = reply.body ?? '';
      const sig = reply.sign === false ? {} : signedHeaders(body, reply.sign ?? {});
      res.writeHead(reply.status, {
        'Content-Type': 'application/json',
        'Request-ID': `req-${seen.length}`,
        ...sig,
        ...reply.headers,
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    reply: (fn) => {
      handler = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface NotificationParts {
  readonly plaintext: string;
  readonly apiV3Key: string;
  readonly eventType?: string;
  readonly originalType?: string;
  readonly aad?: string;
  readonly algorithm?: string;
  /** Rewrites the envelope before it is serialised and signed. */
  readonly mutate?: (envelope: Record<string, unknown>) => void;
}

/** A notification body encrypted per §6.2 and its signed headers (§5). */
export function buildNotification(
  p: NotificationParts,
  sign: SignOptions = {},
): { body: string; headers: Record<string, string> } {
  const nonce = crypto.randomBytes(6).toString('hex'); // 12 characters, as WeChat sends
  const aad = p.aad ?? 'transaction';
  const envelope: Record<string, unknown> = {
    id: crypto.randomUUID(),
    create_time: '2024-01-01T12:00:06+08:00',
    resource_type: 'encrypt-resource',
    event_type: p.eventType ?? 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: p.originalType ?? 'transaction',
      algorithm: p.algorithm ?? 'AEAD_AES_256_GCM',
      ciphertext: aesGcmEncrypt(p.plaintext, p.apiV3Key, nonce, aad),
      associated_data: aad,
      nonce,
    },
  };
  p.mutate?.(envelope);
  const body = JSON.stringify(envelope);
  return { body, headers: signedHeaders(body, sign) };
}
