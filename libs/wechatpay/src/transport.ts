/**
 * Our transport for wechatpay-node-v3, plugged in with `pay.createHttp()` (its only seam, wechatpay-node-v3.md
 * §3). The library signs the path+query and the JSON body, then hands us the production URL; we:
 * - rewrite the production origin to `baseUrl` (the signature covers only path+query, so it stays valid);
 * - send exactly `JSON.stringify(params)`, the bytes the library signed (its getSignature stringifies the
 *   same object the same way);
 * - apply a per-call timeout (the library has none, §5 of the library notes);
 * - verify EVERY 2xx response signature over the raw body before anything parses it;
 * - throw a WechatPayError for non-2xx and network failures instead of returning `{status, error, errRaw}`,
 *   so the library's errRaw (request body, Authorization) never reaches a caller or a log.
 */
import type { IPayRequest, Output } from 'wechatpay-node-v3/dist/define.js';
import type { Logger } from '@wxpay-saga/observability';
import { PROD_BASE_URL } from './crypto.js';
import { classifyFetchFailure, normaliseCode, WechatPayError } from './errors.js';
import {
  checkSignature,
  readSignatureHeaders,
  type SignatureFailure,
  type VerifierKeySet,
} from './signature.js';

export interface TransportOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly keys: VerifierKeySet;
  /** Sent as `Wechatpay-Serial` so the server signs with a key we hold (§2.8, Go SDK behaviour). */
  readonly requestSerial: string | undefined;
  readonly logger: Logger;
  readonly now: () => number;
}

/** A 2xx response whose signature has not been checked yet. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly requestId: string | undefined;
  readonly path: string;
}

const RESPONSE_CODES: Record<SignatureFailure, string> = {
  HEADER_MISSING: 'RESPONSE_SIGNATURE_INVALID',
  UNSUPPORTED_ALGORITHM: 'RESPONSE_SIGNATURE_INVALID',
  TIMESTAMP_SKEW: 'RESPONSE_TIMESTAMP_SKEW',
  UNKNOWN_SERIAL: 'RESPONSE_UNKNOWN_SERIAL',
  PROBE_SIGNATURE: 'RESPONSE_PROBE_SIGNATURE',
  SIGNATURE_INVALID: 'RESPONSE_SIGNATURE_INVALID',
};

export class FetchPayRequest implements IPayRequest {
  constructor(private readonly o: TransportOptions) {}

  // The library passes the same `params` object it signed; JSON.stringify of it is the signed body line.
  post(url: string, params: Record<string, unknown>, headers: Record<string, unknown>): Promise<Output> {
    return this.call('POST', url, headers, JSON.stringify(params));
  }

  get(url: string, headers: Record<string, unknown>): Promise<Output> {
    return this.call('GET', url, headers, undefined);
  }

  // Only upload_images uses it, and that method is broken in 2.2.1 (relative URL); we never call it.
  upload(): Promise<Output> {
    return Promise.reject(new Error('wechatpay transport: upload is not supported'));
  }

  private async call(
    method: string,
    url: string,
    headers: Record<string, unknown>,
    body: string | undefined,
  ): Promise<Output> {
    const raw = await this.exchange(method, url, headers, body);
    this.verify(raw, this.o.keys);
    return { status: raw.status, data: parseJson(raw) };
  }

  /** One HTTP exchange. Resolves only for 2xx; everything else throws a coded WechatPayError. */
  async exchange(
    method: string,
    url: string,
    headers: Record<string, unknown>,
    body: string | undefined,
  ): Promise<RawResponse> {
    const target = this.rewrite(url);
    const path = new URL(target).pathname;
    const started = performance.now();
    const log = (status: number | null, requestId: string | undefined, code?: string) =>
      this.o.logger.debug(
        {
          wechatpay: {
            method,
            path,
            status,
            durationMs: Math.round(performance.now() - started),
            requestId,
            code,
          },
        },
        'wechatpay call',
      );
    let res: Response;
    let text: string;
    try {
      res = await fetch(target, {
        method,
        headers: this.headersFor(headers),
        body,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      text = await res.text(); // the timeout signal also covers a body that stalls
    } catch (err) {
      const { code, detail } = classifyFetchFailure(err);
      log(null, undefined, code);
      throw new WechatPayError(
        code,
        `WeChat Pay ${method} ${path}: ${detail === 'timed out' ? `no answer within ${this.o.timeoutMs} ms` : `network error (${detail})`}`,
      );
    }
    const requestId = res.headers.get('request-id') ?? undefined;
    if (res.status < 200 || res.status > 299) {
      const error = httpError(method, path, res.status, text, requestId);
      log(res.status, requestId, error.code);
      throw error;
    }
    log(res.status, requestId);
    return { status: res.status, headers: res.headers, text, requestId, path };
  }

  /** §5 over the raw body; throws before the body is trusted. */
  verify(raw: RawResponse, keys: VerifierKeySet): void {
    const failure = checkSignature(
      readSignatureHeaders((n) => raw.headers.get(n) ?? undefined),
      raw.text,
      { keys, nowMs: this.o.now() },
    );
    if (!failure) return;
    const code = RESPONSE_CODES[failure];
    this.o.logger.warn(
      { wechatpay: { path: raw.path, status: raw.status, requestId: raw.requestId, code } },
      'wechatpay response rejected',
    );
    throw new WechatPayError(
      code,
      `WeChat Pay response to ${raw.path} rejected: ${failure.toLowerCase().replace(/_/g, ' ')}`,
      {
        httpStatus: raw.status,
        ...(raw.requestId ? { requestId: raw.requestId } : {}),
      },
    );
  }

  private rewrite(url: string): string {
    // Refuse anything but the production origin: a signed request must never go somewhere we did not configure.
    if (!url.startsWith(`${PROD_BASE_URL}/`)) throw new Error('wechatpay transport: unexpected URL origin');
    return this.o.baseUrl + url.slice(PROD_BASE_URL.length);
  }

  private headersFor(headers: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') out[k] = v;
    // The library asks for gzip; fetch decodes it anyway, and the signature covers the decoded body.
    delete out['Accept-Encoding'];
    out['Accept'] = 'application/json';
    if (this.o.requestSerial) out['Wechatpay-Serial'] = this.o.requestSerial;
    return out;
  }
}

export function parseJson(raw: RawResponse): unknown {
  if (raw.text === '') return undefined;
  try {
    return JSON.parse(raw.text) as unknown;
  } catch {
    throw new WechatPayError('RESPONSE_MALFORMED', `WeChat Pay response to ${raw.path} is not JSON`, {
      httpStatus: raw.status,
      ...(raw.requestId ? { requestId: raw.requestId } : {}),
    });
  }
}

/**
 * §3.4 error body `{code, message, detail?}`. Only the code, WeChat's generic message and the detail's
 * field name are kept: `detail.value` can echo request data (an openid), so it is dropped.
 */
function httpError(
  method: string,
  path: string,
  status: number,
  text: string,
  requestId: string | undefined,
): WechatPayError {
  let code = 'HTTP_ERROR';
  let said = '';
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown; detail?: { field?: unknown } };
    if (typeof body.code === 'string' && body.code.trim() !== '') code = body.code;
    if (typeof body.message === 'string') said = body.message.slice(0, 120);
    if (typeof body.detail?.field === 'string') said += ` (field ${body.detail.field.slice(0, 60)})`;
  } catch {
    // not JSON: a proxy page or an empty body; HTTP_ERROR with the status says enough
  }
  const normalised = normaliseCode(code);
  return new WechatPayError(
    normalised,
    `WeChat Pay ${method} ${path} failed: HTTP ${status} ${normalised}${said ? ` — ${said}` : ''}`,
    {
      httpStatus: status,
      ...(requestId ? { requestId } : {}),
    },
  );
}
