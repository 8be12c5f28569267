/** Error codes of the messaging package (append-only). */
export const MESSAGING_ERRORS = {
  BROKER_UNAVAILABLE: 'BROKER_UNAVAILABLE',
  SEND_TIMEOUT: 'SEND_TIMEOUT',
  SEND_FAILED: 'SEND_FAILED',
  HANDLER_FAILED: 'HANDLER_FAILED',
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
  PROVISIONING_FAILED: 'PROVISIONING_FAILED',
} as const;
export type MessagingErrorCode = (typeof MESSAGING_ERRORS)[keyof typeof MESSAGING_ERRORS];

export class MessagingError extends Error {
  constructor(
    readonly code: MessagingErrorCode,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MessagingError';
  }
}

/**
 * A handler throws this (or any error with `retriable: true`) when trying again later may succeed:
 * a dependency is down, WeChat answered 5xx/429, a timeout.
 */
export class RetriableError extends Error {
  readonly retriable = true;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetriableError';
  }
}

/** A handler throws this (or any error with `retriable: false`) for a message that can never succeed. */
export class PermanentError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
const TRANSIENT_NAMES = new Set(['MaxRetriesPerRequestError', 'TimeoutError', 'AbortError']);

/**
 * Decides whether a handler error is worth retrying. An explicit boolean `retriable` wins; otherwise
 * network-level failures (a Redis or HTTP dependency down) are transient and anything else — a bug,
 * a broken invariant — is not: retrying a TypeError forever would block the partition for nothing.
 */
export function isRetriable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as {
    retriable?: unknown;
    code?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (typeof e.retriable === 'boolean') return e.retriable;
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  // ioredis reports a dropped connection without a code or a distinct class; its message is all there is.
  if (typeof e.message === 'string' && /Connection is closed|Stream isn't writeable/.test(e.message))
    return true;
  return e.cause !== undefined && e.cause !== err ? isRetriable(e.cause) : false;
}

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
