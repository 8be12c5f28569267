/** The two entry points as the root npm scripts run them: `sandbox` (main.ts) and `sandbox:env` (print-env.ts). */
import { describe, expect, it } from 'vitest';
import { control, runTs, tempDir } from './helpers.js';

const MAIN = 'tools/wechatpay-sandbox/src/main.ts';
const PRINT_ENV = 'tools/wechatpay-sandbox/src/print-env.ts';
const ENV_KEYS = [
  'WECHATPAY_MCHID',
  'WECHATPAY_APPID',
  'WECHATPAY_APP_SECRET',
  'WECHATPAY_SERIAL_NO',
  'WECHATPAY_PRIVATE_KEY_PATH',
  'WECHATPAY_MERCHANT_CERT_PATH',
  'WECHATPAY_APIV3_KEY',
  'WECHATPAY_PLATFORM_PUBLIC_KEY_ID',
  'WECHATPAY_PLATFORM_PUBLIC_KEY_PATH',
  'WECHATPAY_BASE_URL',
  'WECHAT_LOGIN_BASE_URL',
];
const keysOf = (out: string) =>
  out
    .split('\n')
    .filter((l) => /^[A-Z0-9_]+=/.test(l))
    .map((l) => l.slice(0, l.indexOf('=')));

describe('main.ts', () => {
  it('prints the env lines and SANDBOX READY <url>, serves, and exits 0 on SIGTERM', async () => {
    const p = await runTs(MAIN, { SANDBOX_PORT: '0', SANDBOX_KEY_DIR: tempDir(), SANDBOX_KEY_MODE: 'both' });
    try {
      const [, url] = await p.waitFor(/SANDBOX READY (http:\/\/127\.0\.0\.1:\d+)/);
      expect(keysOf(p.output())).toEqual([
        ...ENV_KEYS,
        'WECHATPAY_PLATFORM_CERT_SERIAL',
        'WECHATPAY_PLATFORM_CERT_PATH',
      ]);
      expect(p.output()).toContain(`WECHATPAY_BASE_URL=${url!}`);
      const health = await control({ url: url! } as never, 'GET', '/__sandbox/health');
      expect(health.json()).toEqual({ status: 'ok' });
      p.child.kill('SIGTERM');
      expect(await p.exited()).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
    }
  }, 60_000);

  it.each([
    ['SANDBOX_TIME_FACTOR', 'fast'],
    ['SANDBOX_KEY_MODE', 'rsa'],
    ['SANDBOX_PORT', '70000'],
    ['SANDBOX_STRICT_TIME_EXPIRE', 'maybe'],
    ['SANDBOX_ALLOW_HTTP_NOTIFY_HOSTS', 'http://notify-gateway:8081'],
  ])(
    'exits 1 naming %s for a bad value',
    async (variable, value) => {
      const p = await runTs(MAIN, { SANDBOX_KEY_DIR: tempDir(), SANDBOX_PORT: '0', [variable]: value });
      expect(await p.exited()).toBe(1);
      expect(p.output()).toContain(`config error: ${variable}`);
    },
    60_000,
  );
});

describe('print-env.ts', () => {
  it('prints exactly the env() keys without starting a server (publicKey mode: no certificate keys)', async () => {
    const p = await runTs(PRINT_ENV, { SANDBOX_KEY_DIR: tempDir() });
    expect(await p.exited()).toBe(0);
    expect(keysOf(p.output())).toEqual(ENV_KEYS);
    expect(p.output()).toContain('WECHATPAY_BASE_URL=http://127.0.0.1:8090');
    expect(p.output()).not.toContain('SANDBOX READY');
  }, 60_000);
});
