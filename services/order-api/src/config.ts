import { z } from 'zod';
import { commonEnv, fields, kafkaEnv, redisEnv } from '@wxpay-saga/config';

/** order-api's environment. Names are contracts with npm start, compose and CI: add, never rename. */
export const orderApiEnv = z.object({
  ...commonEnv.shape,
  ...kafkaEnv.shape,
  ...redisEnv.shape,
  HOST: z.string().default('127.0.0.1'),
  ORDER_API_PORT: fields.port(8080),
  /** How long a user has to pay (also WeChat's time_expire). */
  ORDER_TTL_SECONDS: fields.positiveInt(900),
  /** How long POST /v1/orders waits for the payment parameters before answering payment: null. */
  PAYMENT_WAIT_MS: fields.nonNegativeInt(2000),
  /** How long POST /v1/orders/{id}/sync waits for the reconciler's answer. */
  SYNC_WAIT_MS: fields.nonNegativeInt(2000),
  SESSION_TTL_SECONDS: fields.positiveInt(7200),
  /** HMAC key that derives order ids from (user, Idempotency-Key); secret, no default. */
  ORDER_ID_SECRET: fields.secret(16),
  WECHATPAY_APPID: z.string().min(1).max(32),
  WECHATPAY_APP_SECRET: fields.secret(),
  WECHAT_LOGIN_BASE_URL: fields.httpUrl().default('https://api.weixin.qq.com'),
  WECHATPAY_TIMEOUT_MS: fields.positiveInt(5000),
});

export type OrderApiConfig = z.infer<typeof orderApiEnv>;
