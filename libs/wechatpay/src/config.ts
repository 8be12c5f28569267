/**
 * The WeChat Pay environment contract (composed into each service's config schema) and the step that turns
 * it into a client config by reading the key files. Secrets have no defaults and never appear in messages;
 * a file that cannot be read or parsed is reported by its variable name, never by its content.
 */
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, fields, type ConfigProblem } from '@wxpay-saga/config';
import { certificateSerial, publicKeyPem } from './crypto.js';

const optionalPath = () => z.string().min(1).optional();
const hexSerial = () => z.string().regex(/^[0-9A-Fa-f]{1,64}$/, 'must be a hexadecimal certificate serial');

const PLATFORM_KEY_ID = 'WECHATPAY_PLATFORM_PUBLIC_KEY_ID';
const PLATFORM_KEY_PATH = 'WECHATPAY_PLATFORM_PUBLIC_KEY_PATH';
const PLATFORM_CERT_SERIAL = 'WECHATPAY_PLATFORM_CERT_SERIAL';
const PLATFORM_CERT_PATH = 'WECHATPAY_PLATFORM_CERT_PATH';

export const wechatpayEnv = z
  .object({
    WECHATPAY_MCHID: z.string().regex(/^\d{1,32}$/, 'must be the numeric merchant id'),
    WECHATPAY_APPID: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be the mini program AppID'),
    WECHATPAY_APP_SECRET: fields.secret(),
    WECHATPAY_SERIAL_NO: hexSerial(),
    WECHATPAY_PRIVATE_KEY_PATH: z.string({ message: 'is required but not set' }).min(1),
    WECHATPAY_MERCHANT_CERT_PATH: optionalPath(),
    // §6.2: the APIv3 key is 32 bytes (AES-256). zod's message does not echo the value.
    WECHATPAY_APIV3_KEY: fields
      .secret()
      .refine((v) => Buffer.byteLength(v, 'utf8') === 32, 'must be exactly 32 bytes'),
    [PLATFORM_KEY_ID]: z.string().startsWith('PUB_KEY_ID_', 'must start with PUB_KEY_ID_').optional(),
    [PLATFORM_KEY_PATH]: optionalPath(),
    [PLATFORM_CERT_SERIAL]: hexSerial().optional(),
    [PLATFORM_CERT_PATH]: optionalPath(),
    WECHATPAY_BASE_URL: fields.httpUrl().default('https://api.mch.weixin.qq.com'),
    WECHAT_LOGIN_BASE_URL: fields.httpUrl().default('https://api.weixin.qq.com'),
    WECHATPAY_TIMEOUT_MS: fields.positiveInt(5000),
    WECHATPAY_MAX_RETRIES: fields.nonNegativeInt(2).pipe(z.number().max(10, 'must be <= 10')),
  })
  .superRefine((env, ctx) => {
    for (const p of verifierProblems(env))
      ctx.addIssue({ code: 'custom', path: [p.variable], message: p.message });
  });

export type WechatpayEnv = z.infer<typeof wechatpayEnv>;

export interface WechatPayConfig {
  mchid: string;
  appid: string;
  appSecret: string;
  serialNo: string;
  privateKey: string;
  merchantCertificate?: string;
  apiV3Key: string;
  baseUrl: string;
  loginBaseUrl: string;
  verifierKeys: Record<string, string>;
  timeoutMs: number;
  maxRetries: number;
  userAgent: string;
}

export const USER_AGENT = `wxpay-saga/0.1.0 (wechatpay-node-v3/2.2.1; node/${process.versions.node})`;

export type PlatformVars = Pick<
  WechatpayEnv,
  typeof PLATFORM_KEY_ID | typeof PLATFORM_KEY_PATH | typeof PLATFORM_CERT_SERIAL | typeof PLATFORM_CERT_PATH
>;

/** Each verifier key comes as a complete pair, and at least one pair is required (§2.8, §5). */
function verifierProblems(env: PlatformVars): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const pair = (a: keyof PlatformVars, b: keyof PlatformVars) => {
    if (env[a] && !env[b]) problems.push({ variable: b, message: `is required when ${a} is set` });
    if (env[b] && !env[a]) problems.push({ variable: a, message: `is required when ${b} is set` });
  };
  pair(PLATFORM_KEY_ID, PLATFORM_KEY_PATH);
  pair(PLATFORM_CERT_SERIAL, PLATFORM_CERT_PATH);
  const hasKey = env[PLATFORM_KEY_ID] && env[PLATFORM_KEY_PATH];
  const hasCert = env[PLATFORM_CERT_SERIAL] && env[PLATFORM_CERT_PATH];
  if (!hasKey && !hasCert && problems.length === 0) {
    problems.push({
      variable: PLATFORM_KEY_ID,
      message: `a verifier key is required: set ${PLATFORM_KEY_ID} and ${PLATFORM_KEY_PATH}, or ${PLATFORM_CERT_SERIAL} and ${PLATFORM_CERT_PATH}`,
    });
  }
  return problems;
}

/** Reads one PEM file; failures name the variable and the OS error code, never the content. */
function readPem(variable: string, path: string, kind: 'private' | 'public' | 'certificate'): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new ConfigError([
      { variable, message: `cannot read ${path} (${typeof code === 'string' ? code : 'error'})` },
    ]);
  }
  try {
    if (kind === 'private') crypto.createPrivateKey(text);
    else if (kind === 'public') crypto.createPublicKey(text);
    else new crypto.X509Certificate(text);
  } catch {
    throw new ConfigError([
      { variable, message: `${path} is not a PEM ${kind === 'certificate' ? 'certificate' : `${kind} key`}` },
    ]);
  }
  return text;
}

/**
 * Env → client config. Re-checks the verifier pairs (a service may spread `wechatpayEnv.shape` into its own
 * schema, which drops the object-level refinement) and cross-checks certificates against their serials.
 */
export function loadWechatPayConfig(env: WechatpayEnv): WechatPayConfig {
  const problems = verifierProblems(env);
  if (problems.length > 0) throw new ConfigError(problems);
  const privateKey = readPem('WECHATPAY_PRIVATE_KEY_PATH', env.WECHATPAY_PRIVATE_KEY_PATH, 'private');
  const serialNo = env.WECHATPAY_SERIAL_NO.toUpperCase();
  let merchantCertificate: string | undefined;
  if (env.WECHATPAY_MERCHANT_CERT_PATH) {
    merchantCertificate = readPem(
      'WECHATPAY_MERCHANT_CERT_PATH',
      env.WECHATPAY_MERCHANT_CERT_PATH,
      'certificate',
    );
    if (certificateSerial(merchantCertificate) !== serialNo) {
      throw new ConfigError([
        {
          variable: 'WECHATPAY_SERIAL_NO',
          message: 'does not match the serial of WECHATPAY_MERCHANT_CERT_PATH',
        },
      ]);
    }
    if (
      !new crypto.X509Certificate(merchantCertificate).checkPrivateKey(crypto.createPrivateKey(privateKey))
    ) {
      throw new ConfigError([
        {
          variable: 'WECHATPAY_PRIVATE_KEY_PATH',
          message: 'does not belong to WECHATPAY_MERCHANT_CERT_PATH',
        },
      ]);
    }
  }
  const verifierKeys = loadVerifierKeys(env);
  return {
    mchid: env.WECHATPAY_MCHID,
    appid: env.WECHATPAY_APPID,
    appSecret: env.WECHATPAY_APP_SECRET,
    serialNo,
    privateKey,
    ...(merchantCertificate ? { merchantCertificate } : {}),
    apiV3Key: env.WECHATPAY_APIV3_KEY,
    baseUrl: env.WECHATPAY_BASE_URL,
    loginBaseUrl: env.WECHAT_LOGIN_BASE_URL,
    verifierKeys,
    timeoutMs: env.WECHATPAY_TIMEOUT_MS,
    maxRetries: env.WECHATPAY_MAX_RETRIES,
    userAgent: USER_AGENT,
  };
}

/**
 * The WeChat Pay keys that verify responses and notifications, by serial (public key id and/or platform
 * certificate serial). Needs no merchant private key, so the internet-facing notify gateway can load only
 * these.
 */
export function loadVerifierKeys(env: PlatformVars): Record<string, string> {
  const problems = verifierProblems(env);
  if (problems.length > 0) throw new ConfigError(problems);
  const verifierKeys: Record<string, string> = {};
  // Public-key mode first: it is the mode for new merchants, and the first key is what we ask WeChat to sign with.
  if (env[PLATFORM_KEY_ID] && env[PLATFORM_KEY_PATH]) {
    verifierKeys[env[PLATFORM_KEY_ID]] = publicKeyPem(
      readPem(PLATFORM_KEY_PATH, env[PLATFORM_KEY_PATH], 'public'),
    );
  }
  if (env[PLATFORM_CERT_SERIAL] && env[PLATFORM_CERT_PATH]) {
    const cert = readPem(PLATFORM_CERT_PATH, env[PLATFORM_CERT_PATH], 'certificate');
    const serial = env[PLATFORM_CERT_SERIAL].toUpperCase();
    if (certificateSerial(cert) !== serial) {
      throw new ConfigError([
        { variable: PLATFORM_CERT_SERIAL, message: `does not match the serial of ${PLATFORM_CERT_PATH}` },
      ]);
    }
    verifierKeys[serial] = publicKeyPem(cert);
  }
  return verifierKeys;
}
