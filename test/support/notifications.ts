/**
 * Builds WeChat Pay notifications the way WeChat does (§6.1–§6.2): AES-256-GCM resource, signed headers.
 * Tests use it to play WeChat with the sandbox's dev keys — or to forge with the wrong ones.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { aesGcmEncrypt, nonce, responseSignMessage, signSha256Rsa, unixSeconds } from '@wxpay-saga/wechatpay';
import { devKeyPaths, readDevKeyConfig } from '@wxpay-saga/wechatpay-sandbox';

export interface NotificationParts {
  readonly transaction: Record<string, unknown>;
  readonly apiV3Key: string;
  readonly signingKey: crypto.KeyLike;
  readonly serial: string;
  readonly timestamp?: string;
  readonly signature?: string;
  readonly tamper?: (body: string) => string;
  readonly id?: string;
}

export function buildNotification(p: NotificationParts): { headers: Record<string, string>; body: string } {
  const resourceNonce = nonce(12);
  const body = JSON.stringify({
    id: p.id ?? crypto.randomUUID(),
    create_time: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: aesGcmEncrypt(JSON.stringify(p.transaction), p.apiV3Key, resourceNonce, 'transaction'),
      associated_data: 'transaction',
      nonce: resourceNonce,
    },
  });
  const ts = p.timestamp ?? unixSeconds();
  const headerNonce = nonce();
  const signature = p.signature ?? signSha256Rsa(responseSignMessage(ts, headerNonce, body), p.signingKey);
  return {
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': ts,
      'wechatpay-nonce': headerNonce,
      'wechatpay-serial': p.serial,
      'wechatpay-signature': signature,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
    body: p.tamper ? p.tamper(body) : body,
  };
}

/** The sandbox's WeChat-side secrets from its key dir: what WeChat signs and encrypts with. */
export function wechatSide(keyDir: string) {
  const paths = devKeyPaths(keyDir);
  const config = readDevKeyConfig(paths);
  return {
    config,
    platformKey: crypto.createPrivateKey(fs.readFileSync(paths.platformPublicKeyPrivatePath, 'utf8')),
    platformKeyId: config.platformPublicKeyId,
  };
}

/** A SUCCESS transaction resource for an order (§2.3 shape). */
export function successTransaction(o: {
  appid: string;
  mchid: string;
  outTradeNo: string;
  total: number;
  openid: string;
  transactionId?: string;
}) {
  return {
    appid: o.appid,
    mchid: o.mchid,
    out_trade_no: o.outTradeNo,
    transaction_id: o.transactionId ?? `42000${Date.now()}${Math.floor(Math.random() * 1e9)}`.slice(0, 28),
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    payer: { openid: o.openid },
    amount: { total: o.total, payer_total: o.total, currency: 'CNY', payer_currency: 'CNY' },
  };
}

export async function postNotification(
  gatewayUrl: string,
  n: { headers: Record<string, string>; body: string },
  kind = 'transaction',
) {
  const res = await fetch(`${gatewayUrl}/wechatpay/notify/${kind}`, {
    method: 'POST',
    headers: n.headers,
    body: n.body,
  });
  return { status: res.status, body: await res.text() };
}
