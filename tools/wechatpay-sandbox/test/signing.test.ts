/** Response signatures (§5) in each key mode, and the certificate download (§2.7). */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aesGcmDecrypt, certificateSerial } from '@wxpay-saga/wechatpay';
import type { MerchantPublicInfo, RunningSandbox } from '../src/index.js';
import { control, merchantOf, newUser, prepay, start, v3, verifiesWith, type Merchant } from './helpers.js';

async function publicMaterial(sb: RunningSandbox): Promise<MerchantPublicInfo> {
  return (await control(sb, 'GET', '/__sandbox/merchant')).json<MerchantPublicInfo>();
}

function expectSignedBy(res: Awaited<ReturnType<typeof v3>>, serial: string, pem: string): void {
  expect(res.headers.get('wechatpay-serial')).toBe(serial);
  expect(res.headers.get('wechatpay-signature-type')).toBe('WECHATPAY2-SHA256-RSA2048');
  expect(res.headers.get('wechatpay-timestamp')).toMatch(/^\d{10}$/);
  expect(res.headers.get('wechatpay-nonce')).toMatch(/^\w{32}$/);
  expect(res.headers.get('request-id')).toBeTruthy();
  expect(verifiesWith(res.headers, res.text, pem)).toBe(true);
}

describe('publicKey mode (default)', () => {
  let sb: RunningSandbox;
  let m: Merchant;
  beforeAll(async () => {
    sb = await start();
    m = merchantOf(sb);
  });
  afterAll(() => sb.close());

  it('/__sandbox/merchant shows public material only, equal to merchant()', async () => {
    const info = await publicMaterial(sb);
    expect(info).toEqual(sb.merchant());
    expect(info.platformPublicKeyId).toMatch(/^PUB_KEY_ID_\d+$/);
    expect(info).not.toHaveProperty('platformCertificate');
    expect(info.serialNo).toBe(certificateSerial(info.certificate!));
    const text = JSON.stringify(info);
    const env = sb.env();
    for (const secret of [env.WECHATPAY_APIV3_KEY!, env.WECHATPAY_APP_SECRET!, 'PRIVATE KEY'])
      expect(text).not.toContain(secret);
  });

  it('a 200 and a 204 are signed by PUB_KEY_ID (204: the body line is empty); errors are not signed', async () => {
    const info = await publicMaterial(sb);
    const { openid } = await newUser(sb);
    const { outTradeNo } = await prepay(sb, m, openid);
    const q = await v3(sb, m, 'GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${m.mchid}`);
    expectSignedBy(q, info.platformPublicKeyId, info.platformPublicKey);
    const c = await v3(sb, m, 'POST', `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`, {
      mchid: m.mchid,
    });
    expect(c.status).toBe(204);
    expectSignedBy(c, info.platformPublicKeyId, info.platformPublicKey);
    const err = await v3(sb, m, 'GET', `/v3/pay/transactions/out-trade-no/NoSuch123?mchid=${m.mchid}`);
    expect(err.status).toBe(404);
    expect(err.headers.get('wechatpay-signature')).toBeNull();
  });

  it('a tampered response body would not verify (the check above is not vacuous)', async () => {
    const info = await publicMaterial(sb);
    const { openid } = await newUser(sb);
    const { outTradeNo } = await prepay(sb, m, openid);
    const q = await v3(sb, m, 'GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${m.mchid}`);
    expect(verifiesWith(q.headers, q.text.replace('NOTPAY', 'SUCCESS'), info.platformPublicKey)).toBe(false);
  });

  it('/v3/certificates → 404 RESOURCE_NOT_EXISTS (documented choice; §2.7 UNCONFIRMED)', async () => {
    const res = await v3(sb, m, 'GET', '/v3/certificates');
    expect([res.status, res.json().code]).toEqual([404, 'RESOURCE_NOT_EXISTS']);
  });
});

describe('certificate mode', () => {
  let sb: RunningSandbox;
  let m: Merchant;
  beforeAll(async () => {
    sb = await start({ keyMode: 'certificate' });
    m = merchantOf(sb);
  });
  afterAll(() => sb.close());

  it('env() and /__sandbox/merchant add the platform certificate', async () => {
    const info = await publicMaterial(sb);
    expect(info.platformCertificateSerial).toMatch(/^[0-9A-F]{40}$/);
    expect(certificateSerial(info.platformCertificate!)).toBe(info.platformCertificateSerial);
    expect(sb.env().WECHATPAY_PLATFORM_CERT_SERIAL).toBe(info.platformCertificateSerial);
  });

  it('/v3/certificates decrypts with the APIv3 key to the certificate that signed the response (§2.7)', async () => {
    const res = await v3(sb, m, 'GET', '/v3/certificates?algorithm_type=RSA');
    expect(res.status).toBe(200);
    const [entry] = res.json<{
      data: Array<{
        serial_no: string;
        effective_time: string;
        expire_time: string;
        encrypt_certificate: Record<string, string>;
      }>;
    }>().data;
    expect(entry!.encrypt_certificate).toMatchObject({
      algorithm: 'AEAD_AES_256_GCM',
      associated_data: 'certificate',
    });
    expect(entry!.encrypt_certificate.nonce).toHaveLength(12);
    const enc = entry!.encrypt_certificate;
    const pem = aesGcmDecrypt(enc.ciphertext!, m.apiV3Key, enc.nonce!, enc.associated_data!);
    expect(certificateSerial(pem)).toBe(entry!.serial_no);
    expect(entry!.effective_time).toMatch(/\+08:00$/);
    // Bootstrap: the download itself verifies with the certificate it carries.
    expectSignedBy(
      res,
      entry!.serial_no,
      new crypto.X509Certificate(pem).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    );
    expect(() => aesGcmDecrypt(enc.ciphertext!, 'x'.repeat(32), enc.nonce!, enc.associated_data!)).toThrow();
  });

  it('responses carry the certificate serial even when the request names the public key', async () => {
    const info = await publicMaterial(sb);
    const res = await v3(sb, m, 'GET', '/v3/certificates', undefined, {
      headers: { 'Wechatpay-Serial': info.platformPublicKeyId },
    });
    expectSignedBy(res, info.platformCertificateSerial!, info.platformCertificate!);
  });
});

describe('both mode', () => {
  let sb: RunningSandbox;
  let m: Merchant;
  beforeAll(async () => {
    sb = await start({ keyMode: 'both' });
    m = merchantOf(sb);
  });
  afterAll(() => sb.close());

  it('honours the request Wechatpay-Serial (§2.8), defaulting to the public key', async () => {
    const info = await publicMaterial(sb);
    const path = '/v3/certificates';
    expectSignedBy(await v3(sb, m, 'GET', path), info.platformPublicKeyId, info.platformPublicKey);
    expectSignedBy(
      await v3(sb, m, 'GET', path, undefined, { headers: { 'Wechatpay-Serial': info.platformPublicKeyId } }),
      info.platformPublicKeyId,
      info.platformPublicKey,
    );
    const byCert = await v3(sb, m, 'GET', path, undefined, {
      headers: { 'Wechatpay-Serial': info.platformCertificateSerial!.toLowerCase() },
    });
    expectSignedBy(byCert, info.platformCertificateSerial!, info.platformCertificate!);
    expect(verifiesWith(byCert.headers, byCert.text, info.platformPublicKey)).toBe(false);
  });
});
