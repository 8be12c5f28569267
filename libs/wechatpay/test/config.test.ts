/**
 * The WeChat Pay env contract and loadWechatPayConfig: files are read, problems name the variable, secrets
 * never appear in messages (§6.2 for the 32-byte APIv3 key; §2.8 for the verifier key pairs).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseConfig } from '@wxpay-saga/config';
import { loadWechatPayConfig, publicKeyPem, wechatpayEnv } from '@wxpay-saga/wechatpay';
import {
  goPlatformCert,
  goPlatformKey,
  officialMerchantKey,
  responseSamplePublicKey,
} from './vectors-keys.js';

const dir = mkdtempSync(join(tmpdir(), 'wechatpay-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

const APIV3 = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
const APP_SECRET = 'app-secret-value-1234567890';
const PUB_KEY_ID = 'PUB_KEY_ID_0000000000000024101100397200000006';
// The Go test key pair stands in for a merchant key + certificate (serial D7CE59D1F522D701).
const BASE: Record<string, string> = {
  WECHATPAY_MCHID: '1900007291',
  WECHATPAY_APPID: 'wxd678efh567hg6787',
  WECHATPAY_APP_SECRET: APP_SECRET,
  WECHATPAY_SERIAL_NO: 'd7ce59d1f522d701',
  WECHATPAY_PRIVATE_KEY_PATH: file('apiclient_key.pem', goPlatformKey),
  WECHATPAY_MERCHANT_CERT_PATH: file('apiclient_cert.pem', goPlatformCert),
  WECHATPAY_APIV3_KEY: APIV3,
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: PUB_KEY_ID,
  WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: file('pub_key.pem', responseSamplePublicKey),
  WECHATPAY_PLATFORM_CERT_SERIAL: 'D7CE59D1F522D701',
  WECHATPAY_PLATFORM_CERT_PATH: file('platform_cert.pem', goPlatformCert),
};
const without = (...names: string[]) =>
  Object.fromEntries(Object.entries(BASE).filter(([k]) => !names.includes(k)));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.message).not.toContain(APIV3);
    expect(e.message).not.toContain(APP_SECRET);
    expect(e.message).not.toContain('PRIVATE KEY');
    expect(e.message).not.toContain('MIIE');
    return e;
  }
  throw new Error('expected a ConfigError');
}

describe('wechatpayEnv + loadWechatPayConfig', () => {
  it('reads every key file and applies defaults', () => {
    const cfg = loadWechatPayConfig(parseConfig(wechatpayEnv, BASE));
    expect(cfg).toMatchObject({
      mchid: '1900007291',
      appid: 'wxd678efh567hg6787',
      appSecret: APP_SECRET,
      serialNo: 'D7CE59D1F522D701',
      apiV3Key: APIV3,
      baseUrl: 'https://api.mch.weixin.qq.com',
      loginBaseUrl: 'https://api.weixin.qq.com',
      timeoutMs: 5000,
      maxRetries: 2,
    });
    expect(cfg.privateKey).toBe(goPlatformKey);
    expect(cfg.merchantCertificate).toBe(goPlatformCert);
    expect(cfg.verifierKeys).toEqual({
      [PUB_KEY_ID]: publicKeyPem(responseSamplePublicKey),
      D7CE59D1F522D701: publicKeyPem(goPlatformCert),
    });
    expect(Object.keys(cfg.verifierKeys)[0]).toBe(PUB_KEY_ID);
    expect(cfg.userAgent).toMatch(/^wxpay-saga\/\S+ \(wechatpay-node-v3\/2\.2\.1; node\//);
  });

  it('either verifier pair alone is enough; the merchant certificate is optional', () => {
    const pk = loadWechatPayConfig(
      parseConfig(
        wechatpayEnv,
        without(
          'WECHATPAY_PLATFORM_CERT_SERIAL',
          'WECHATPAY_PLATFORM_CERT_PATH',
          'WECHATPAY_MERCHANT_CERT_PATH',
        ),
      ),
    );
    expect(Object.keys(pk.verifierKeys)).toEqual([PUB_KEY_ID]);
    expect(pk.merchantCertificate).toBeUndefined();
    const cert = loadWechatPayConfig(
      parseConfig(
        wechatpayEnv,
        without('WECHATPAY_PLATFORM_PUBLIC_KEY_ID', 'WECHATPAY_PLATFORM_PUBLIC_KEY_PATH'),
      ),
    );
    expect(Object.keys(cert.verifierKeys)).toEqual(['D7CE59D1F522D701']);
  });

  it('URLs, timeout and retries are configurable', () => {
    const cfg = loadWechatPayConfig(
      parseConfig(wechatpayEnv, {
        ...BASE,
        WECHATPAY_BASE_URL: 'http://127.0.0.1:9999/',
        WECHAT_LOGIN_BASE_URL: 'http://127.0.0.1:9998',
        WECHATPAY_TIMEOUT_MS: '750',
        WECHATPAY_MAX_RETRIES: '0',
      }),
    );
    expect(cfg).toMatchObject({
      baseUrl: 'http://127.0.0.1:9999',
      loginBaseUrl: 'http://127.0.0.1:9998',
      timeoutMs: 750,
      maxRetries: 0,
    });
  });

  it('a missing key file → ConfigError naming the variable', () => {
    const env = parseConfig(wechatpayEnv, { ...BASE, WECHATPAY_PRIVATE_KEY_PATH: join(dir, 'nope.pem') });
    const e = configError(() => loadWechatPayConfig(env));
    expect(e.problems).toEqual([
      { variable: 'WECHATPAY_PRIVATE_KEY_PATH', message: expect.stringContaining('ENOENT') },
    ]);
  });

  it.each([
    'WECHATPAY_PLATFORM_PUBLIC_KEY_PATH',
    'WECHATPAY_PLATFORM_CERT_PATH',
    'WECHATPAY_MERCHANT_CERT_PATH',
  ])('unreadable %s → names it', (variable) => {
    const e = configError(() =>
      loadWechatPayConfig(parseConfig(wechatpayEnv, { ...BASE, [variable]: join(dir, 'missing', 'x.pem') })),
    );
    expect(e.problems[0]?.variable).toBe(variable);
  });

  it('a file that is not the expected PEM → names the variable, not the content', () => {
    const secretish = file('wrong.pem', `${APIV3}\n`);
    const e = configError(() =>
      loadWechatPayConfig(parseConfig(wechatpayEnv, { ...BASE, WECHATPAY_PRIVATE_KEY_PATH: secretish })),
    );
    expect(e.problems[0]).toMatchObject({
      variable: 'WECHATPAY_PRIVATE_KEY_PATH',
      message: expect.stringMatching(/not a PEM private key/),
    });
  });

  it('certificate serials are cross-checked', () => {
    const e1 = configError(() =>
      loadWechatPayConfig(parseConfig(wechatpayEnv, { ...BASE, WECHATPAY_PLATFORM_CERT_SERIAL: 'ABCDEF' })),
    );
    expect(e1.problems[0]?.variable).toBe('WECHATPAY_PLATFORM_CERT_SERIAL');
    const e2 = configError(() =>
      loadWechatPayConfig(parseConfig(wechatpayEnv, { ...BASE, WECHATPAY_SERIAL_NO: 'ABCDEF' })),
    );
    expect(e2.problems[0]?.variable).toBe('WECHATPAY_SERIAL_NO');
    const e3 = configError(() =>
      loadWechatPayConfig(
        parseConfig(wechatpayEnv, {
          ...BASE,
          WECHATPAY_PRIVATE_KEY_PATH: file('other_key.pem', officialMerchantKey),
        }),
      ),
    );
    expect(e3.problems[0]?.variable).toBe('WECHATPAY_PRIVATE_KEY_PATH');
  });

  it.each([
    ['31 bytes', APIV3.slice(1)],
    ['33 bytes', APIV3 + 'x'],
    ['16 bytes (the Go test key is only for vectors)', 'testMchAPIv3Key0'],
    ['32 characters but 34 bytes', APIV3.slice(2) + '中'],
  ])('APIv3 key of %s → rejected without echoing it', (_label, key) => {
    const e = configError(() => parseConfig(wechatpayEnv, { ...BASE, WECHATPAY_APIV3_KEY: key }));
    expect(e.problems).toEqual([{ variable: 'WECHATPAY_APIV3_KEY', message: 'must be exactly 32 bytes' }]);
    expect(e.message).not.toContain(key);
  });

  it('secrets are required and have no default', () => {
    const e = configError(() =>
      parseConfig(wechatpayEnv, without('WECHATPAY_APP_SECRET', 'WECHATPAY_APIV3_KEY')),
    );
    expect(e.problems.map((p) => p.variable).sort()).toEqual(['WECHATPAY_APIV3_KEY', 'WECHATPAY_APP_SECRET']);
  });

  it('the public key id must start PUB_KEY_ID_', () => {
    const e = configError(() =>
      parseConfig(wechatpayEnv, { ...BASE, WECHATPAY_PLATFORM_PUBLIC_KEY_ID: 'KEY_0001' }),
    );
    expect(e.problems[0]).toMatchObject({
      variable: 'WECHATPAY_PLATFORM_PUBLIC_KEY_ID',
      message: 'must start with PUB_KEY_ID_',
    });
  });

  it('at least one verifier pair is required, and halves of a pair are named', () => {
    const none = configError(() =>
      parseConfig(
        wechatpayEnv,
        without(
          'WECHATPAY_PLATFORM_PUBLIC_KEY_ID',
          'WECHATPAY_PLATFORM_PUBLIC_KEY_PATH',
          'WECHATPAY_PLATFORM_CERT_SERIAL',
          'WECHATPAY_PLATFORM_CERT_PATH',
        ),
      ),
    );
    expect(none.problems.map((p) => p.variable)).toEqual(['WECHATPAY_PLATFORM_PUBLIC_KEY_ID']);
    const half = configError(() =>
      parseConfig(
        wechatpayEnv,
        without(
          'WECHATPAY_PLATFORM_PUBLIC_KEY_PATH',
          'WECHATPAY_PLATFORM_CERT_SERIAL',
          'WECHATPAY_PLATFORM_CERT_PATH',
        ),
      ),
    );
    expect(half.problems.map((p) => p.variable)).toEqual(['WECHATPAY_PLATFORM_PUBLIC_KEY_PATH']);
  });

  it('a service schema that spreads the shape (dropping the refinement) is still checked by loadWechatPayConfig', () => {
    const serviceSchema = z.object({ ...wechatpayEnv.shape, PORT: z.string().default('8080') });
    const env = parseConfig(
      serviceSchema,
      without(
        'WECHATPAY_PLATFORM_PUBLIC_KEY_ID',
        'WECHATPAY_PLATFORM_PUBLIC_KEY_PATH',
        'WECHATPAY_PLATFORM_CERT_SERIAL',
        'WECHATPAY_PLATFORM_CERT_PATH',
      ),
    );
    const e = configError(() => loadWechatPayConfig(env));
    expect(e.problems).toEqual([
      {
        variable: 'WECHATPAY_PLATFORM_PUBLIC_KEY_ID',
        message: expect.stringMatching(/verifier key is required/),
      },
    ]);
    const half = parseConfig(
      serviceSchema,
      without(
        'WECHATPAY_PLATFORM_CERT_PATH',
        'WECHATPAY_PLATFORM_PUBLIC_KEY_ID',
        'WECHATPAY_PLATFORM_PUBLIC_KEY_PATH',
      ),
    );
    expect(configError(() => loadWechatPayConfig(half)).problems).toEqual([
      {
        variable: 'WECHATPAY_PLATFORM_CERT_PATH',
        message: 'is required when WECHATPAY_PLATFORM_CERT_SERIAL is set',
      },
    ]);
  });
});
