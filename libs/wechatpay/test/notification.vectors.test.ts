/**
 * Notification verification against the published and derived vectors of wechatpay-v3.md §10.3(b) and §10.6.
 */
import { describe, expect, it } from 'vitest';
import { createNotificationVerifier, publicKeyPem } from '@wxpay-saga/wechatpay';
import { verifyAndDecrypt } from '../src/notification.js';
import { buildVerifierKeySet } from '../src/signature.js';
import { goPlatformCert } from './vectors-keys.js';

const GO_KEYS = { D7CE59D1F522D701: publicKeyPem(goPlatformCert) };

describe('§10.3(b) wechatpay-go signed + encrypted notification (PAYSCORE, AES-128 test key)', () => {
  const body =
    '{"id":"3119dfba-e649-5eec-ab1e-3412bc4d2e17","create_time":"2021-06-24T16:37:26+08:00","resource_type":"encrypt-resource","event_type":"PAYSCORE.USER_OPEN_SERVICE","summary":"签约成功","resource":{"original_type":"payscore","algorithm":"AEAD_AES_256_GCM","ciphertext":"YDS3lKPaC4Y52Gf3uhft5qUBlIa8b428AWTtTauHQfQrRw+X1WpiuHIDy0vo1Vd6VEq67aVyqPdDYMkRVSDaZL3iZttevRMOoPKMifozg6XPWjIZumks/GpT48lI4NizyeaqLBokNebthah3o1H76qSlO9NkDjp9bzmKLEYYH9TEklFUpsvPqOTOcgSLgh21YJXYR7dEBXFgRLiNIKRgO5JdXh1hccRUAlyVWxE54PXpnQ==","associated_data":"payscore","nonce":"Kj7QIyUiYx1q"}}';
  const headers = {
    'wechatpay-nonce': 'EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz',
    'wechatpay-timestamp': '1624523846',
    'wechatpay-serial': 'D7CE59D1F522D701',
    'wechatpay-signature':
      'tJHIiIS9eB2hAYstmAmbbD3ZE5LiIm/Ug5tuL4fC0YOFRWIHV39UFIZXC0e9Wl6lBu6sKvkqDkzpqzBsVHyXFlbYZTOQrVdG4b6LfTnK4mikv9++ixJMd3vTf2yCqvBkh98zs3Ds5zsYQakzbcwhmw4fMJs4nPLws28H0UW9FjDR//rxELLwXvV1VEA1IBLX70xptjL8hrfUjEE8kkry6yNJTHZRU8CAc7qHli2Ng1V1qb9ARbK8A3ThmFmPQvRGrapI/jS2laKKgYUmfdEdkNO6B2Cke5e8VTxY406ArAmQ90GAihDwIcb16TQMnzCMBoutnwZKNiKRACrFmtxw2Q==',
  };
  const opts = { keys: buildVerifierKeySet(GO_KEYS), apiV3Key: 'testMchAPIv3Key0', nowMs: 1624523846_000 };

  it('body is the published 568 bytes', () => {
    expect(Buffer.byteLength(body)).toBe(568);
  });

  it('signature and authenticated decryption give the exact plaintext', () => {
    const d = verifyAndDecrypt(headers, body, opts);
    expect(d.plaintext).toBe(
      '{"mchid":"1234567890","appid":"054aa7d7a2a54ab5898df65bd96f001c","create_time":"2020-06-30T12:12:00+08:00","out_contract_code":"21640bdbd08e473e828f3206a2741c6e"}',
    );
    expect(d).toMatchObject({
      id: '3119dfba-e649-5eec-ab1e-3412bc4d2e17',
      eventType: 'PAYSCORE.USER_OPEN_SERVICE',
      summary: '签约成功',
      originalType: 'payscore',
    });
  });

  it('the serial is matched case-insensitively (§2.1 of the library notes: lower-case serials occur)', () => {
    expect(
      verifyAndDecrypt({ ...headers, 'wechatpay-serial': 'd7ce59d1f522d701' }, body, opts).plaintext,
    ).toContain('1234567890');
  });

  it('with the real clock the 2021 timestamp is rejected (§5: ±300 s)', () => {
    expect(() => verifyAndDecrypt(headers, body, { ...opts, nowMs: Date.now() })).toThrow(
      expect.objectContaining({ code: 'NOTIFY_TIMESTAMP_SKEW' }),
    );
  });

  it('one byte more in the body breaks the signature', () => {
    expect(() => verifyAndDecrypt(headers, body + ' ', opts)).toThrow(
      expect.objectContaining({ code: 'NOTIFY_SIGNATURE_INVALID' }),
    );
  });
});

describe('§10.6 derived end-to-end payment notification through verifyTransaction', () => {
  const body =
    '{"id":"EV-2018022511223320873","create_time":"2024-01-01T12:00:06+08:00","resource_type":"encrypt-resource","event_type":"TRANSACTION.SUCCESS","summary":"支付成功","resource":{"original_type":"transaction","algorithm":"AEAD_AES_256_GCM","ciphertext":"Y/YIblHbjBvKj2LLCZG2FKZVvwsit9Gy3+jXXaJfTf0leR4WCDpE9l2Ufa91GLEbwhCU90ZRIDRRP3k0Q8C6+HrJ5eTgbTaEORoE2mN6L4zvytbkDjceOOVX+PcO8zfSqWelbBn/HTARoR/IJ8vaYvibDUCkftT9CMoL36cXDNRe98MeVE1hdSpKJPMWc44QDRnfSbdOmoGrYDrGIuaq+H4d277delFR1T00HFNYZvZPuIms2CHx3sOaWHZLStwaZQMkwM7dTb2AZMK6kuek1ZhPBVPRl3r/wvKKx59r/dZSePKbSZ9QVvW4aaBMA4XS98rlzg37g5ULu4yU8oCYBGIeaCRgXYBPosViGRKHb1iX4E+c2TMlR3NVdckPH0fXzyCOrWyth6ceFG8ZVOYrX6+Srw3a0qrk7AG2pvIfy9WkbaOU+e4vTIhoO4k6LLQDSwsHgmXJV9kxFfLxrjEFktpQWAdJ2dFuMq1y5wPMTC/Svw+8b6V8tqfVBsxifA0josngM+SrMoQylk0ucQWvxQsPbjPH4RfLLytfnph5UBo4QtXds8tskhaoaXq4yozX39vG8i5JhgXvP1FSdrfj","associated_data":"transaction","nonce":"fdasflkja484"}}';
  const headers = {
    'Wechatpay-Timestamp': '1704081606',
    'Wechatpay-Nonce': '0123456789abcdef0123456789abcdef',
    'Wechatpay-Serial': 'D7CE59D1F522D701',
    'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
    'Wechatpay-Signature':
      'fuxsiAhyEjXnshXP4wVc2xq6tqeM8E4DqS9bJECR+22JV1EuAYhU51xlG1Vh7TxTWmGdexZLSf8IRpLj/wq/APWHoztySo638LA0G+nTX6oltHXEQMJUYbcOP4GhiLGI3/4LS+1n7HyWQATZpk1/kji0yrDfgy9N7gHOZuF2ZVEC+mDn9QelQt/SGxOnbE/GmDvn+Fes3PQJxm6Dh6LqOY4qx972Kg1vzhDbDXXXFaMVfD3+tspoMhtZWWkFqfIiCDF9uiazFo0LSFH2wSSKd2A+6G0YJns4lGJDV1oTRIDkRXE4B7FYpXz3sDvnCShf7f/C6LboHPK75qjoqXLKQA==',
  };
  const verifier = createNotificationVerifier({
    apiV3Key: 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb',
    verifierKeys: GO_KEYS,
    mchid: '1900007291',
    appid: 'wxd678efh567hg6787',
    now: () => 1704081606_000,
  });

  it('gives the exact transaction fields', () => {
    const n = verifier.verifyTransaction(headers, body);
    expect(n).toEqual({
      id: 'EV-2018022511223320873',
      createTime: '2024-01-01T12:00:06+08:00',
      eventType: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      transaction: {
        appid: 'wxd678efh567hg6787',
        mchid: '1900007291',
        out_trade_no: '1217752501201407033233368018',
        transaction_id: '4200000000202401010000000001',
        trade_type: 'JSAPI',
        trade_state: 'SUCCESS',
        trade_state_desc: '支付成功',
        bank_type: 'OTHERS',
        attach: '',
        success_time: '2024-01-01T12:00:05+08:00',
        payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
        amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
      },
    });
  });

  it('the same body parsed and re-serialised no longer verifies (§0.3: verify the raw body)', () => {
    const reserialised = JSON.stringify(JSON.parse(body), null, 1);
    expect(() => verifier.verifyTransaction(headers, reserialised)).toThrow(
      expect.objectContaining({ code: 'NOTIFY_SIGNATURE_INVALID' }),
    );
  });

  it('is not a refund notification (§6.3 needs refund_status etc.)', () => {
    expect(() => verifier.verifyRefund(headers, body)).toThrow(
      expect.objectContaining({ code: 'NOTIFY_RESOURCE_INVALID', httpStatus: 400 }),
    );
  });
});
