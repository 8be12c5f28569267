import { z } from 'zod';
import { commonEnv, fields, kafkaEnv } from '@wxpay-saga/config';
import { wechatpayEnv } from '@wxpay-saga/wechatpay';

const w = wechatpayEnv.shape;

export const notifyGatewayEnv = z.object({
  ...commonEnv.shape,
  ...kafkaEnv.shape,
  // Only what verifying and decrypting needs: the gateway faces the internet and never holds the
  // merchant private key or the app secret.
  WECHATPAY_MCHID: w.WECHATPAY_MCHID,
  WECHATPAY_APPID: w.WECHATPAY_APPID,
  WECHATPAY_APIV3_KEY: w.WECHATPAY_APIV3_KEY,
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: w.WECHATPAY_PLATFORM_PUBLIC_KEY_ID,
  WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: w.WECHATPAY_PLATFORM_PUBLIC_KEY_PATH,
  WECHATPAY_PLATFORM_CERT_SERIAL: w.WECHATPAY_PLATFORM_CERT_SERIAL,
  WECHATPAY_PLATFORM_CERT_PATH: w.WECHATPAY_PLATFORM_CERT_PATH,
  HOST: z.string().default('127.0.0.1'),
  NOTIFY_GATEWAY_PORT: fields.port(8081),
  /** WeChat waits 5 s for our answer (§6.4); publishing must give up well before that. */
  NOTIFY_PUBLISH_TIMEOUT_MS: fields
    .positiveInt(3000)
    .pipe(z.number().max(4500, 'must be <= 4500 (WeChat waits 5 s)')),
});
export type NotifyGatewayConfig = z.infer<typeof notifyGatewayEnv>;
