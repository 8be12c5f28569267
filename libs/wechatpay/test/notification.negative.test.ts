/**
 * Every way a notification can be wrong, each observed as its own NotificationError code (§5, §6).
 * Notifications are built per §6.2 with the Go test platform key (§10.3) and signed per §5.
 */
import crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  createNotificationVerifier,
  NotificationError,
  publicKeyPem,
  type NotificationErrorCode,
} from '@wxpay-saga/wechatpay';
import { buildNotification, GO_SERIAL, signedHeaders } from './helpers.js';
import { goPlatformCert, officialMerchantKey } from './vectors-keys.js';

const KEY = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
const NOW_S = 1_704_081_606;
const MCHID = '1900007291';
const APPID = 'wxd678efh567hg6787';
const TRANSACTION = {
  appid: APPID,
  mchid: MCHID,
  out_trade_no: 'order_0001',
  transaction_id: '4200000000202401010000000001',
  trade_type: 'JSAPI',
  trade_state: 'SUCCESS',
  trade_state_desc: '支付成功',
  success_time: '2024-01-01T12:00:05+08:00',
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
};
const REFUND = {
  mchid: MCHID,
  out_trade_no: 'order_0001',
  transaction_id: '4200000000202401010000000001',
  refund_id: '50200207182018070300011301001',
  out_refund_no: 'refund_0001',
  refund_status: 'SUCCESS',
  success_time: '2024-01-02T10:34:56+08:00',
  user_received_account: '招商银行信用卡0403',
  amount: { total: 100, refund: 100, payer_total: 100, payer_refund: 100 },
};

const verifier = createNotificationVerifier({
  apiV3Key: KEY,
  verifierKeys: { [GO_SERIAL]: publicKeyPem(goPlatformCert) },
  mchid: MCHID,
  appid: APPID,
  now: () => NOW_S * 1000,
});
const ts = (offset = 0) => String(NOW_S + offset);
const valid = (over: Partial<Parameters<typeof buildNotification>[0]> = {}, sign = {}) =>
  buildNotification(
    { plaintext: JSON.stringify(TRANSACTION), apiV3Key: KEY, ...over },
    { timestamp: ts(), ...sign },
  );

function codeOf(fn: () => unknown): { code: NotificationErrorCode; httpStatus: number; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NotificationError);
    const e = err as NotificationError;
    return { code: e.code, httpStatus: e.httpStatus, message: e.message };
  }
  throw new Error('expected a NotificationError');
}

describe('a valid notification (control for every negative case below)', () => {
  it('verifies as a transaction', () => {
    const n = valid();
    expect(verifier.verifyTransaction(n.headers, n.body).transaction.out_trade_no).toBe('order_0001');
  });
  it('verifies as a refund (§6.3, refund_status, AAD "" allowed)', () => {
    const n = buildNotification(
      {
        plaintext: JSON.stringify(REFUND),
        apiV3Key: KEY,
        eventType: 'REFUND.SUCCESS',
        originalType: 'refund',
        aad: '',
      },
      { timestamp: ts() },
    );
    expect(verifier.verifyRefund(n.headers, n.body).refund).toMatchObject({
      refund_status: 'SUCCESS',
      out_refund_no: 'refund_0001',
    });
  });
  it('accepts exactly ±300 s (§5)', () => {
    for (const off of [-300, 300]) {
      const n = valid({}, { timestamp: ts(off) });
      expect(verifier.verifyTransaction(n.headers, n.body).id).toBeTruthy();
    }
  });
});

describe('signature layer (§5) → 401', () => {
  it('missing headers → NOTIFY_HEADER_MISSING', () => {
    const n = valid();
    for (const h of ['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial']) {
      const headers: Record<string, string> = { ...n.headers };
      delete headers[h];
      expect(codeOf(() => verifier.verifyTransaction(headers, n.body))).toMatchObject({
        code: 'NOTIFY_HEADER_MISSING',
        httpStatus: 401,
      });
    }
    expect(
      codeOf(() => verifier.verifyTransaction({ ...n.headers, 'Wechatpay-Timestamp': 'yesterday' }, n.body))
        .code,
    ).toBe('NOTIFY_HEADER_MISSING');
  });
  it('stale timestamp → NOTIFY_TIMESTAMP_SKEW', () => {
    const n = valid({}, { timestamp: ts(-301) });
    expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body))).toMatchObject({
      code: 'NOTIFY_TIMESTAMP_SKEW',
      httpStatus: 401,
    });
  });
  it('future timestamp beyond 300 s → NOTIFY_TIMESTAMP_SKEW', () => {
    const n = valid({}, { timestamp: ts(301) });
    expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body)).code).toBe('NOTIFY_TIMESTAMP_SKEW');
  });
  it('unknown serial → NOTIFY_UNKNOWN_SERIAL, and nothing is fetched (the library would download certificates)', () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      const n = valid({}, { serial: 'PUB_KEY_ID_0000000000000024101100397200000006' });
      expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body))).toMatchObject({
        code: 'NOTIFY_UNKNOWN_SERIAL',
        httpStatus: 401,
      });
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });
  it('probe signature → NOTIFY_PROBE_SIGNATURE', () => {
    const n = valid({}, { signature: 'WECHATPAY/SIGNTEST/' + crypto.randomBytes(32).toString('base64') });
    expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body))).toMatchObject({
      code: 'NOTIFY_PROBE_SIGNATURE',
      httpStatus: 401,
    });
  });
  it('signed with another key → NOTIFY_SIGNATURE_INVALID', () => {
    const n = valid({}, { key: officialMerchantKey });
    expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body))).toMatchObject({
      code: 'NOTIFY_SIGNATURE_INVALID',
      httpStatus: 401,
    });
  });
  it('body changed after signing → NOTIFY_SIGNATURE_INVALID', () => {
    const n = valid();
    expect(
      codeOf(() => verifier.verifyTransaction(n.headers, n.body.replace('支付成功', '支付失败'))).code,
    ).toBe('NOTIFY_SIGNATURE_INVALID');
  });
  it('unsupported Wechatpay-Signature-Type (SM2) → NOTIFY_UNSUPPORTED_ALGORITHM', () => {
    const n = valid();
    expect(
      codeOf(() =>
        verifier.verifyTransaction(
          { ...n.headers, 'Wechatpay-Signature-Type': 'WECHATPAY2-SM2-WITH-SM3' },
          n.body,
        ),
      ).code,
    ).toBe('NOTIFY_UNSUPPORTED_ALGORITHM');
  });
});

describe('body and resource layer (§6)', () => {
  const signedBody = (body: string) => ({ body, headers: signedHeaders(body, { timestamp: ts() }) });

  it('malformed JSON (correctly signed) → NOTIFY_BODY_MALFORMED 400', () => {
    const n = signedBody('{"id":');
    expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body))).toMatchObject({
      code: 'NOTIFY_BODY_MALFORMED',
      httpStatus: 400,
    });
  });
  it('missing outer fields → NOTIFY_BODY_INVALID 400', () => {
    for (const drop of ['id', 'event_type', 'resource']) {
      const n = valid({ mutate: (e) => delete e[drop] });
      expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body))).toMatchObject({
        code: 'NOTIFY_BODY_INVALID',
        httpStatus: 400,
      });
    }
    const noNonce = valid({ mutate: (e) => delete (e['resource'] as Record<string, unknown>)['nonce'] });
    expect(codeOf(() => verifier.verifyTransaction(noNonce.headers, noNonce.body)).code).toBe(
      'NOTIFY_BODY_INVALID',
    );
  });
  it('unsupported resource algorithm → NOTIFY_UNSUPPORTED_ALGORITHM 400', () => {
    const n = valid({ algorithm: 'AEAD_SM4_GCM' });
    expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body))).toMatchObject({
      code: 'NOTIFY_UNSUPPORTED_ALGORITHM',
      httpStatus: 400,
    });
  });
  it('tampered ciphertext (re-signed, so only GCM can notice) → NOTIFY_DECRYPT_FAILED 401', () => {
    const n = valid({
      mutate: (e) => {
        const r = e['resource'] as Record<string, string>;
        const buf = Buffer.from(r['ciphertext']!, 'base64');
        buf[3] = buf[3]! ^ 0x01;
        r['ciphertext'] = buf.toString('base64');
      },
    });
    expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body))).toMatchObject({
      code: 'NOTIFY_DECRYPT_FAILED',
      httpStatus: 401,
    });
  });
  it('tampered associated_data → NOTIFY_DECRYPT_FAILED', () => {
    const n = valid({
      mutate: (e) => ((e['resource'] as Record<string, string>)['associated_data'] = 'refund'),
    });
    expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body)).code).toBe('NOTIFY_DECRYPT_FAILED');
  });
  it('encrypted with another APIv3 key → NOTIFY_DECRYPT_FAILED (the library would return garbage here)', () => {
    const n = valid({ apiV3Key: 'b'.repeat(32) });
    expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body)).code).toBe('NOTIFY_DECRYPT_FAILED');
  });
  it('plaintext missing trade_state → NOTIFY_RESOURCE_INVALID 400', () => {
    const { trade_state: _dropped, ...rest } = TRANSACTION;
    const n = valid({ plaintext: JSON.stringify(rest) });
    expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body))).toMatchObject({
      code: 'NOTIFY_RESOURCE_INVALID',
      httpStatus: 400,
    });
    const notJson = valid({ plaintext: 'not json' });
    expect(codeOf(() => verifier.verifyTransaction(notJson.headers, notJson.body)).code).toBe(
      'NOTIFY_RESOURCE_INVALID',
    );
  });
  it('wrong mchid → NOTIFY_MCHID_MISMATCH (transactions and refunds)', () => {
    const n = valid({ plaintext: JSON.stringify({ ...TRANSACTION, mchid: '1230000109' }) });
    expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body))).toMatchObject({
      code: 'NOTIFY_MCHID_MISMATCH',
      httpStatus: 400,
    });
    const r = buildNotification(
      { plaintext: JSON.stringify({ ...REFUND, mchid: '1230000109' }), apiV3Key: KEY, aad: '' },
      { timestamp: ts() },
    );
    expect(codeOf(() => verifier.verifyRefund(r.headers, r.body)).code).toBe('NOTIFY_MCHID_MISMATCH');
  });
  it('wrong appid → NOTIFY_APPID_MISMATCH', () => {
    const n = valid({ plaintext: JSON.stringify({ ...TRANSACTION, appid: 'wx0000000000000000' }) });
    expect(codeOf(() => verifier.verifyTransaction(n.headers, n.body))).toMatchObject({
      code: 'NOTIFY_APPID_MISMATCH',
      httpStatus: 400,
    });
  });
});

describe('error messages carry no personal data', () => {
  it('no openid, key or body in any message', () => {
    const cases = [
      valid({ plaintext: JSON.stringify({ ...TRANSACTION, appid: 'wx0000000000000000' }) }),
      valid({ plaintext: JSON.stringify({ ...TRANSACTION, trade_state: 'WHATEVER' }) }),
      valid({ apiV3Key: 'b'.repeat(32) }),
    ];
    for (const n of cases) {
      const { message } = codeOf(() => verifier.verifyTransaction(n.headers, n.body));
      expect(message).not.toContain(TRANSACTION.payer.openid);
      expect(message).not.toContain(KEY);
      expect(message).not.toContain('ciphertext');
    }
  });
});

describe('construction', () => {
  it('refuses an empty key set and an APIv3 key of the wrong length', () => {
    const base = {
      apiV3Key: KEY,
      verifierKeys: { [GO_SERIAL]: publicKeyPem(goPlatformCert) },
      mchid: MCHID,
      appid: APPID,
    };
    expect(() => createNotificationVerifier({ ...base, verifierKeys: {} })).toThrow(/verifier key/);
    expect(() => createNotificationVerifier({ ...base, apiV3Key: 'x'.repeat(20) })).toThrow(/32 bytes/);
  });
});
