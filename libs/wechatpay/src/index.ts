export * from './crypto.js';
export {
  WECHATPAY_ERROR_CODES,
  WechatPayError,
  normaliseCode,
  isRetriableWechatPayCode,
  NotificationError,
  NOTIFICATION_ERROR_STATUS,
  LoginError,
  LOGIN_ERROR_CODES,
  type KnownWechatPayCode,
  type NotificationErrorCode,
  type LoginErrorCode,
} from './errors.js';
export {
  wechatpayEnv,
  loadWechatPayConfig,
  loadVerifierKeys,
  type WechatpayEnv,
  type WechatPayConfig,
  type PlatformVars,
} from './config.js';
export {
  TransactionSchema,
  RefundSchema,
  RefundNotificationResourceSchema,
  TRADE_STATES,
  REFUND_STATUSES,
  type Transaction,
  type Refund,
  type RefundNotificationResource,
} from './schemas.js';
export {
  createWechatPayClient,
  type WechatPayClient,
  type JsapiPrepayRequest,
  type JsapiPrepayResult,
  type RequestPaymentParams,
  type RefundRequest,
} from './client.js';
export type { PlatformCertificate } from './certificates.js';
export {
  createNotificationVerifier,
  type NotificationVerifier,
  type NotificationVerifierConfig,
  type NotificationHeaders,
  type VerifiedTransactionNotification,
  type VerifiedRefundNotification,
} from './notification.js';
export { createLoginClient, type LoginClient, type LoginClientConfig, type LoginSession } from './login.js';
