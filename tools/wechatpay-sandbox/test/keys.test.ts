/** Dev key material: generated once, reused, safe under concurrent starts; extra merchants via SANDBOX_CONFIG. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { certificateSerial } from '@wxpay-saga/wechatpay';
import { ensureDevKeys, readDevKeyConfig } from '../src/index.js';
import { control, jsapiBody, newUser, runTs, start, tempDir, v3, type Merchant } from './helpers.js';

const PRINT_ENV = 'tools/wechatpay-sandbox/src/print-env.ts';

describe('ensureDevKeys', () => {
  it('generates every file once (private ones 0600, merchant key PKCS#8, uppercase serial), then reuses them', () => {
    const dir = path.join(tempDir(), 'keys');
    const paths = ensureDevKeys(dir);
    const config = readDevKeyConfig(paths);
    expect(config.mchid).toBe('1900000109');
    expect(config.appid).toMatch(/^wx[0-9a-f]{16}$/);
    expect(config.apiV3Key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(config.platformPublicKeyId).toMatch(/^PUB_KEY_ID_\d+$/);
    const merchantCert = fs.readFileSync(paths.merchantCertPath, 'utf8');
    expect(certificateSerial(merchantCert)).toBe(config.merchantSerialNo);
    expect(config.merchantSerialNo).toMatch(/^[0-9A-F]{40}$/);
    // PKCS#8: Node reads it back as an RSA private key in that encoding.
    const merchantKey = fs.readFileSync(paths.merchantPrivateKeyPath, 'utf8');
    expect(
      crypto.createPrivateKey({ key: merchantKey, format: 'pem', type: 'pkcs8' }).asymmetricKeyType,
    ).toBe('rsa');
    expect(merchantKey.split('\n')[0]).toBe(['-----BEGIN', 'PRIVATE', 'KEY-----'].join(' '));
    for (const p of [
      paths.merchantPrivateKeyPath,
      paths.platformPublicKeyPrivatePath,
      paths.platformCertPrivateKeyPath,
      paths.configPath,
    ]) {
      expect(fs.statSync(p).mode & 0o777).toBe(0o600);
    }
    // The merchant key and certificate are a pair.
    const sig = crypto.sign(
      'sha256',
      Buffer.from('x'),
      fs.readFileSync(paths.merchantPrivateKeyPath, 'utf8'),
    );
    expect(
      crypto.verify('sha256', Buffer.from('x'), new crypto.X509Certificate(merchantCert).publicKey, sig),
    ).toBe(true);
    const snapshot = fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]);
    expect(ensureDevKeys(dir)).toEqual(paths);
    expect(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')])).toEqual(snapshot);
  });

  it('refuses an incomplete key dir instead of silently mixing keys', () => {
    const dir = path.join(tempDir(), 'keys');
    const paths = ensureDevKeys(dir);
    fs.rmSync(paths.platformCertPath);
    expect(() => ensureDevKeys(dir)).toThrow(/incomplete.*wechatpay_platform_cert\.pem/);
  });

  it('two processes starting at once on a fresh dir agree on one set of keys', async () => {
    const dir = path.join(tempDir(), 'keys');
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => runTs(PRINT_ENV, { SANDBOX_KEY_DIR: dir })));
    expect(await Promise.all([a!, b!, c!].map((p) => p.exited()))).toEqual([0, 0, 0]);
    expect(b!.output()).toBe(a!.output());
    expect(c!.output()).toBe(a!.output());
    expect(a!.output()).toContain(
      `WECHATPAY_SERIAL_NO=${readDevKeyConfig(ensureDevKeys(dir)).merchantSerialNo}`,
    );
    expect(fs.readdirSync(dir).filter((f) => f.includes('lock') || f.includes('.tmp-'))).toEqual([]);
  }, 60_000);
});

describe('SANDBOX_CONFIG extra merchants', () => {
  it('registers another merchant: its requests verify with its own key, /__sandbox/merchant?mchid= shows it', async () => {
    const dir = tempDir();
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.writeFileSync(path.join(dir, 'pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const extra = {
      mchid: '1900000222',
      appid: 'wx1111111111111111',
      appSecret: 's3cr3t',
      serialNo: 'abcdef0123',
      publicKeyPath: 'pub.pem',
      apiV3Key: 'k'.repeat(32),
    };
    fs.writeFileSync(path.join(dir, 'sandbox.json'), JSON.stringify({ merchants: [extra] }));
    const sb = await start({ configFile: path.join(dir, 'sandbox.json') });
    try {
      const m: Merchant = {
        mchid: extra.mchid,
        appid: extra.appid,
        serialNo: 'ABCDEF0123',
        privateKey,
        apiV3Key: extra.apiV3Key,
        appSecret: extra.appSecret,
      };
      const { openid } = await newUser(sb, { appid: extra.appid });
      expect((await v3(sb, m, 'POST', '/v3/pay/transactions/jsapi', jsapiBody(m, openid))).status).toBe(200);
      const info = (await control(sb, 'GET', `/__sandbox/merchant?mchid=${extra.mchid}`)).json();
      expect(info).toMatchObject({ mchid: extra.mchid, appid: extra.appid, serialNo: 'ABCDEF0123' });
      expect(JSON.stringify(info)).not.toContain(extra.appSecret);
      // The dev merchant is still there and still the default.
      expect(sb.merchant().mchid).toBe('1900000109');
    } finally {
      await sb.close();
    }
  });

  it('an invalid config file fails start with the offending field', async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'bad.json'),
      JSON.stringify({
        merchants: [
          {
            mchid: 'x',
            appid: 'wx',
            appSecret: 's',
            serialNo: 'AB',
            apiV3Key: 'short',
            publicKeyPath: 'p.pem',
          },
        ],
      }),
    );
    await expect(start({ configFile: path.join(dir, 'bad.json') })).rejects.toThrow(/merchants\.0\.mchid/);
  });
});
