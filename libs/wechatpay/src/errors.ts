/**
 * Every error this package throws, declared once with its code (append-only lists). Messages never carry
 * secrets or personal data: no request body, no openid, no Authorization, no keys, no session_key. The
 * `toJSON` of each class is what a logger sees, so nothing else (no library `errRaw`) can leak through it.
 */

/** WeChat's own codes in the current underscore spelling (wechatpay-v3.md §3.3, §3.5, §3.6). */
const WECHAT_CODES = [
  'PARAM_ERROR',
  'INVALID_REQUEST',
  'SIGN_ERROR',
  'SYSTEM_ERROR',
  'USER_PAYING',
  'APPID_MCHID_NOT_MATCH',
  'MCH_NOT_EXISTS',
  'ORDER_CLOSED',
  'ORDER_PAID',
  'ACCOUNT_ERROR',
  'NO_AUTH',
  'NOT_ENOUGH',
  'OUT_TRADE_NO_USED',
  'RULE_LIMIT',
  'TRADE_ERROR',
  'ORDER_NOT_EXIST',
  'FREQUENCY_LIMITED',
  'RATELIMIT_EXCEEDED',
  'RATE_LIMITED',
  'BANK_ERROR',
  'INVALID_TRANSACTIONID',
  'OPENID_MISMATCH',
  'USER_ACCOUNT_ABNORMAL',
  'RESOURCE_NOT_EXISTS',
  'REQUEST_BLOCKED',
  'SERVICE_UNAVAILABLE',
] as const;

/** Codes of our own: transport failures and response-verification failures. */
const CLIENT_CODES = [
  'TIMEOUT',
  'NETWORK_ERROR',
  'RESPONSE_SIGNATURE_INVALID',
  'RESPONSE_UNKNOWN_SERIAL',
  'RESPONSE_TIMESTAMP_SKEW',
  'RESPONSE_PROBE_SIGNATURE',
  'RESPONSE_MALFORMED',
  'HTTP_ERROR',
] as const;

export const WECHATPAY_ERROR_CODES = Object.freeze(
  Object.fromEntries([...WECHAT_CODES, ...CLIENT_CODES].map((c) => [c, c])) as {
    readonly [K in (typeof WECHAT_CODES)[number] | (typeof CLIENT_CODES)[number]]: K;
  },
);
export type KnownWechatPayCode = keyof typeof WECHATPAY_ERROR_CODES;

const BY_SQUASHED = new Map<string, string>(WECHAT_CODES.map((c) => [c.replace(/_/g, ''), c]));

/**
 * §3.5: WeChat uses two spellings (SYSTEMERROR / SYSTEM_ERROR, ORDERNOTEXIST / ORDER_NOT_EXIST …).
 * Upper-case, compare ignoring `_`, answer the current spelling; an unknown code comes back upper-cased.
 */
export function normaliseCode(code: string): string {
  const upper = code.trim().toUpperCase();
  return BY_SQUASHED.get(upper.replace(/_/g, '')) ?? upper;
}

/**
 * §3.5/§3.6 decide per code; the generic §3.3 rule (5xx and 429: retry with the same parameters) covers
 * codes not in the table. OPENID_MISMATCH and INVALID_TRANSACTIONID come as 500 but retrying is useless.
 * Response-verification failures are not retriable: a wrong key or clock does not fix itself.
 */
const RETRIABLE_BY_CODE: Readonly<Record<string, boolean>> = {
  SYSTEM_ERROR: true,
  BANK_ERROR: true,
  SERVICE_UNAVAILABLE: true,
  FREQUENCY_LIMITED: true,
  RATELIMIT_EXCEEDED: true,
  RATE_LIMITED: true,
  TIMEOUT: true,
  NETWORK_ERROR: true,
  OPENID_MISMATCH: false,
  INVALID_TRANSACTIONID: false,
  RESPONSE_SIGNATURE_INVALID: false,
  RESPONSE_UNKNOWN_SERIAL: false,
  RESPONSE_TIMESTAMP_SKEW: false,
  RESPONSE_PROBE_SIGNATURE: false,
  RESPONSE_MALFORMED: false,
};

export function isRetriableWechatPayCode(code: string, httpStatus: number | null): boolean {
  const known = RETRIABLE_BY_CODE[normaliseCode(code)];
  if (known !== undefined) return known;
  if (httpStatus === null) return false;
  return httpStatus === 429 || httpStatus >= 500;
}

export class WechatPayError extends Error {
  readonly code: string;
  readonly httpStatus: number | null;
  readonly retriable: boolean;
  readonly requestId?: string;

  constructor(
    code: string,
    message: string,
    options: { httpStatus?: number | null; retriable?: boolean; requestId?: string } = {},
  ) {
    super(message);
    this.name = 'WechatPayError';
    this.code = normaliseCode(code);
    this.httpStatus = options.httpStatus ?? null;
    this.retriable = options.retriable ?? isRetriableWechatPayCode(this.code, this.httpStatus);
    if (options.requestId !== undefined) this.requestId = options.requestId;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      httpStatus: this.httpStatus,
      retriable: this.retriable,
      requestId: this.requestId,
      message: this.message,
    };
  }
}

/** Notification failures and the HTTP status the receiver answers (§6.4: any 4xx makes WeChat resend). */
export const NOTIFICATION_ERROR_STATUS = {
  NOTIFY_HEADER_MISSING: 401,
  NOTIFY_TIMESTAMP_SKEW: 401,
  NOTIFY_UNKNOWN_SERIAL: 401,
  NOTIFY_PROBE_SIGNATURE: 401,
  NOTIFY_SIGNATURE_INVALID: 401,
  NOTIFY_BODY_MALFORMED: 400,
  NOTIFY_BODY_INVALID: 400,
  NOTIFY_UNSUPPORTED_ALGORITHM: 400,
  NOTIFY_DECRYPT_FAILED: 401,
  NOTIFY_RESOURCE_INVALID: 400,
  NOTIFY_MCHID_MISMATCH: 400,
  NOTIFY_APPID_MISMATCH: 400,
} as const satisfies Record<string, 400 | 401>;
export type NotificationErrorCode = keyof typeof NOTIFICATION_ERROR_STATUS;

export class NotificationError extends Error {
  readonly httpStatus: 400 | 401;
  constructor(
    readonly code: NotificationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NotificationError';
    this.httpStatus = NOTIFICATION_ERROR_STATUS[code];
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, httpStatus: this.httpStatus, message: this.message };
  }
}

export const LOGIN_ERROR_CODES = [
  'LOGIN_INVALID_CODE',
  'LOGIN_RATE_LIMITED',
  'LOGIN_CODE_BLOCKED',
  'LOGIN_SYSTEM_BUSY',
  'LOGIN_MISCONFIGURED',
  'LOGIN_FAILED',
  'TIMEOUT',
  'NETWORK_ERROR',
] as const;
export type LoginErrorCode = (typeof LOGIN_ERROR_CODES)[number];

export class LoginError extends Error {
  constructor(
    readonly code: LoginErrorCode,
    message: string,
    readonly errcode: number | null,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'LoginError';
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      errcode: this.errcode,
      retriable: this.retriable,
      message: this.message,
    };
  }
}

/** A fetch failure as our code: AbortSignal.timeout rejects with a TimeoutError, anything else is the network. */
export function classifyFetchFailure(err: unknown): { code: 'TIMEOUT' | 'NETWORK_ERROR'; detail: string } {
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown; name?: unknown } } | null;
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError')
    return { code: 'TIMEOUT', detail: 'timed out' };
  const sysCode =
    typeof e?.cause?.code === 'string' ? e.cause.code : typeof e?.code === 'string' ? e.code : 'unknown';
  return { code: 'NETWORK_ERROR', detail: sysCode };
}
