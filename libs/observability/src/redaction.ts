/**
 * The one redaction list for every process. Paths are fixed here and never come from input (pino compiles
 * them once). pino's `*` matches one level, so each secret is listed at the depths where our code puts it:
 * top level, one level down (e.g. `req.headers`), and request/response header objects.
 */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'privateKey',
  'private_key',
  'merchantPrivateKey',
  'apiV3Key',
  'apiv3Key',
  'apiv3_key',
  'appSecret',
  'app_secret',
  'secret',
  'token',
  'sessionToken',
  'session_token',
  'sessionKey',
  'session_key',
  'paySign',
  'signature',
  'password',
  'openid',
] as const;

const HEADER_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'wechatpay-signature',
  'x-session-token',
] as const;

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  ...HEADER_KEYS.map((k) => `req.headers["${k}"]`),
  ...HEADER_KEYS.map((k) => `res.headers["${k}"]`),
  ...HEADER_KEYS.map((k) => `headers["${k}"]`),
  ...HEADER_KEYS.map((k) => `*.headers["${k}"]`),
];

export const REDACTED = '[REDACTED]';
