/**
 * `npm run sandbox:env`: the KEY=value merchant settings for the key dir, without starting a server
 * (generates the keys on first use). WECHATPAY_BASE_URL is where `npm run sandbox` would listen.
 */
import { loadConfig } from '@wxpay-saga/config';
import { printEnvSchema } from './config.js';
import { DEFAULT_KEY_DIR, ensureDevKeys } from './keys.js';
import { loadDevMaterial, merchantEnv } from './merchants.js';

const env = loadConfig(printEnvSchema);
const material = loadDevMaterial(ensureDevKeys(env.SANDBOX_KEY_DIR ?? DEFAULT_KEY_DIR));
const host = env.SANDBOX_HOST.includes(':') ? `[${env.SANDBOX_HOST}]` : env.SANDBOX_HOST;
const vars = merchantEnv(material, env.SANDBOX_KEY_MODE, `http://${host}:${env.SANDBOX_PORT}`);
process.stdout.write(
  Object.entries(vars)
    .map(([k, v]) => `${k}=${v}\n`)
    .join(''),
);
