/**
 * Every error the sandbox answers with, declared once (append-only). API codes use the current underscore
 * spellings that live servers send (wechatpay-v3.md §3.5, §3.6); statuses follow the same tables.
 */
export const API_ERRORS = {
  PARAM_ERROR: { status: 400, message: '参数错误' },
  INVALID_REQUEST: { status: 400, message: '无效请求' },
  MCH_NOT_EXISTS: { status: 400, message: '商户号不存在' },
  APPID_MCHID_NOT_MATCH: { status: 400, message: 'appid和mchid不匹配' },
  ORDER_CLOSED: { status: 400, message: '订单已关闭' },
  /** Not in the domestic v3 tables (§2.4 UNCONFIRMED); v2 and global v3 use ORDERPAID. */
  ORDER_PAID: { status: 400, message: '订单已支付' },
  SIGN_ERROR: { status: 401, message: '错误的签名,验签失败' },
  NO_AUTH: { status: 403, message: '商户无权限' },
  ORDER_NOT_EXIST: { status: 404, message: '订单不存在' },
  RESOURCE_NOT_EXISTS: { status: 404, message: '资源不存在' },
  NOT_FOUND: { status: 404, message: '请求的资源不存在' },
  METHOD_NOT_ALLOWED: { status: 405, message: '请求方法不被允许' },
  FREQUENCY_LIMITED: { status: 429, message: '频率超限,请降低请求接口频率' },
  SYSTEM_ERROR: { status: 500, message: '系统繁忙,请稍后重试' },
  BANK_ERROR: { status: 500, message: '银行系统异常,请用相同参数重新调用' },
  /** §3.5: a 500 that retrying cannot fix. */
  OPENID_MISMATCH: { status: 500, message: 'openid和appid不匹配' },
  SERVICE_UNAVAILABLE: { status: 503, message: '服务不可用,请稍后重试' },
  /** Control API (`/__sandbox/*`) only. */
  SANDBOX_BAD_REQUEST: { status: 400, message: 'invalid sandbox control request' },
  SANDBOX_NOT_FOUND: { status: 404, message: 'not found in the sandbox ledger' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** The messages observed live for the header checks (§1, §3.4). */
export const MESSAGES = {
  missingAcceptOrUa: 'Http头缺少Accept或User-Agent',
  badAuthorization: 'Http头Authorization值格式错误,请参考《微信支付商户REST API签名规则》',
  outTradeNoReused: '201 商户订单号重复',
} as const;

/** §3.4: `detail.field` is a JSON pointer for body fields, the parameter name for path/query. */
export interface ErrorDetail {
  readonly field?: string;
  readonly value?: unknown;
  readonly issue?: string;
  readonly location?: 'body' | 'query' | 'path' | 'header' | 'authorization';
  readonly [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message?: string,
    readonly detail?: ErrorDetail,
    status?: number,
  ) {
    super(message ?? API_ERRORS[code].message);
    this.name = 'ApiError';
    this.status = status ?? API_ERRORS[code].status;
  }

  body(): { code: string; message: string; detail?: ErrorDetail } {
    return this.detail
      ? { code: this.code, message: this.message, detail: this.detail }
      : { code: this.code, message: this.message };
  }
}

export const paramError = (
  field: string,
  issue: string,
  value?: unknown,
  location: ErrorDetail['location'] = 'body',
) => new ApiError('PARAM_ERROR', '参数错误', { field, value, issue, location });

/** The code an injected `error` fault answers with when the rule names only a status. */
export function codeForStatus(status: number): ApiErrorCode {
  const byStatus: Record<number, ApiErrorCode> = {
    400: 'INVALID_REQUEST',
    401: 'SIGN_ERROR',
    403: 'NO_AUTH',
    404: 'ORDER_NOT_EXIST',
    405: 'METHOD_NOT_ALLOWED',
    429: 'FREQUENCY_LIMITED',
    502: 'SERVICE_UNAVAILABLE',
    503: 'SERVICE_UNAVAILABLE',
  };
  return byStatus[status] ?? 'SYSTEM_ERROR';
}

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(API_ERRORS, code);
}

/** code2Session errcodes (§8); errmsg always gets ", rid: …" appended like the live server. */
export const LOGIN_ERRORS = {
  SYSTEM_BUSY: { errcode: -1, errmsg: 'system error' },
  INVALID_APPID: { errcode: 40013, errmsg: 'invalid appid' },
  INVALID_CODE: { errcode: 40029, errmsg: 'invalid code' },
  INVALID_SECRET: { errcode: 40125, errmsg: 'invalid appsecret' },
  APPID_MISSING: { errcode: 41002, errmsg: 'appid missing' },
  SECRET_MISSING: { errcode: 41004, errmsg: 'appsecret missing' },
  CODE_MISSING: { errcode: 41008, errmsg: 'missing code' },
  RATE_LIMITED: { errcode: 45011, errmsg: 'api minute-quota reach limit  mustslower  retry next minute' },
} as const;

/** `wx.requestPayment` fail reasons (§7); each becomes `requestPayment:fail <reason>`. */
export const PAY_FAIL_REASONS = {
  cancel: 'cancel',
  invalidTimeStamp: 'invalid timeStamp',
  invalidSignType: 'invalid signType',
  invalidPackage: 'invalid package',
  invalidParams: 'invalid params',
  prepayNotFound: 'prepay_id not found',
  prepayExpired: 'prepay_id expired',
  invalidPaySign: 'invalid paySign',
  payerMismatch: 'payer mismatch',
  orderClosed: 'order closed',
  orderPaid: 'order paid',
  orderExpired: 'order expired',
} as const;
export type PayFailReason = (typeof PAY_FAIL_REASONS)[keyof typeof PAY_FAIL_REASONS];
