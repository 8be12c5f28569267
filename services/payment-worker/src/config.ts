import { z } from 'zod';
import { commonEnv, fields, kafkaEnv, redisEnv } from '@wxpay-saga/config';
import { wechatpayEnv } from '@wxpay-saga/wechatpay';

export const paymentWorkerEnv = z.object({
  ...commonEnv.shape,
  ...kafkaEnv.shape,
  ...redisEnv.shape,
  ...wechatpayEnv.shape,
  HOST: z.string().default('127.0.0.1'),
  /** Health and metrics only. */
  PAYMENT_WORKER_PORT: fields.port(8082),
  /** Where WeChat sends payment notifications: notify-gateway's public HTTPS URL. */
  WECHATPAY_NOTIFY_URL: fields.httpUrl(),
  PAYMENT_WORKER_CONCURRENCY: fields.positiveInt(6),
});
export type PaymentWorkerConfig = z.infer<typeof paymentWorkerEnv>;
