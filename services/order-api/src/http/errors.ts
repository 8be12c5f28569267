/**
 * Every error the API answers with, declared once: code → HTTP status. Clients match on `code`,
 * never on the message. Append-only.
 */
export const API_ERRORS = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_TOKEN: 401,
  LOGIN_INVALID_CODE: 401,
  LOGIN_CODE_BLOCKED: 403,
  ORDER_NOT_FOUND: 404,
  NOT_FOUND: 404,
  ORDER_NOT_PAYABLE: 409,
  ORDER_NOT_CANCELLABLE: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  UNKNOWN_SKU: 422,
  DUPLICATE_SKU: 422,
  TOTAL_TOO_LARGE: 422,
  LOGIN_RATE_LIMITED: 429,
  INTERNAL: 500,
  LOGIN_UNAVAILABLE: 503,
  BROKER_UNAVAILABLE: 503,
  DEPENDENCY_UNAVAILABLE: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = API_ERRORS[code];
  }
}

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}
