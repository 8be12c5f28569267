import { z } from 'zod';
import { commonEnv, fields, kafkaEnv } from '@wxpay-saga/config';
import { wechatpayEnv } from '@wxpay-saga/wechatpay';

export const notifyGatewayEnv = z.object({
  ...commonEnv.shape,
  ...kafkaEnv.shape,
  ...wechatpayEnv.shape,
  HOST: z.string().default('127.0.0.1'),
  NOTIFY_GATEWAY_PORT: fields.port(8081),
  /** WeChat waits 5 s for our answer (§6.4); publishing must give up well before that. */
  NOTIFY_PUBLISH_TIMEOUT_MS: fields
    .positiveInt(3000)
    .pipe(z.number().max(4500, 'must be <= 4500 (WeChat waits 5 s)')),
});
export type NotifyGatewayConfig = z.infer<typeof notifyGatewayEnv>;
