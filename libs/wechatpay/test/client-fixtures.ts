/** A client config around the §10.1 official merchant test key, pointed at a fake server. */
import crypto from 'node:crypto';
import { publicKeyPem, type WechatPayConfig } from '@wxpay-saga/wechatpay';
import { GO_SERIAL } from './helpers.js';
import { goPlatformCert, officialMerchantKey } from './vectors-keys.js';

export const MCHID = '1900007291';
export const APPID = 'wxd678efh567hg6787';
export const MERCHANT_SERIAL = '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB';
export const APIV3_KEY = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
export const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
export const merchantPublicKey = crypto
  .createPublicKey(officialMerchantKey)
  .export({ type: 'spki', format: 'pem' })
  .toString();

export function testConfig(baseUrl: string, over: Partial<WechatPayConfig> = {}): WechatPayConfig {
  return {
    mchid: MCHID,
    appid: APPID,
    appSecret: 'app-secret-not-used-here',
    serialNo: MERCHANT_SERIAL,
    privateKey: officialMerchantKey,
    apiV3Key: APIV3_KEY,
    baseUrl,
    loginBaseUrl: baseUrl,
    verifierKeys: { [GO_SERIAL]: publicKeyPem(goPlatformCert) },
    timeoutMs: 1000,
    maxRetries: 0,
    userAgent: 'wxpay-saga-test/1.0',
    ...over,
  };
}

export const NOTPAY = {
  appid: APPID,
  mchid: MCHID,
  out_trade_no: '1217752501201407033233368018',
  trade_state: 'NOTPAY',
  trade_state_desc: '订单未支付',
  amount: { total: 100, payer_currency: 'CNY' },
  promotion_detail: [],
  scene_info: { device_id: '' },
};

export const REFUND = {
  refund_id: '50000000382019052709732678859',
  out_refund_no: 'refund_0001',
  transaction_id: '4200000000202401010000000001',
  out_trade_no: '1217752501201407033233368018',
  channel: 'ORIGINAL',
  user_received_account: '支付用户零钱',
  create_time: '2024-01-02T10:00:00+08:00',
  status: 'PROCESSING',
  amount: {
    total: 100,
    refund: 100,
    payer_total: 100,
    payer_refund: 100,
    settlement_refund: 100,
    settlement_total: 100,
    discount_refund: 0,
    currency: 'CNY',
  },
};
