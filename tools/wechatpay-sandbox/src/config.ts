/** The sandbox's environment variables (main.ts, print-env.ts) and the optional SANDBOX_CONFIG file. */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { fields } from '@wxpay-saga/config';
import { merchantFrom, type Merchant } from './merchants.js';

export const sandboxEnv = z.object({
  SANDBOX_PORT: fields.port(8090),
  SANDBOX_HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  SANDBOX_KEY_DIR: z.string().min(1).optional(),
  SANDBOX_KEY_MODE: z
    .enum(['publicKey', 'certificate', 'both'], { message: 'must be publicKey, certificate or both' })
    .default('publicKey'),
  SANDBOX_TIME_FACTOR: fields.positiveNumber(1),
  SANDBOX_STRICT_TIME_EXPIRE: fields.bool(true),
  SANDBOX_ALLOW_LOOPBACK_NOTIFY: fields.bool(false),
  /** Comma-separated host names whose plain-http notify URLs are accepted (compose: notify-gateway). */
  SANDBOX_ALLOW_HTTP_NOTIFY_HOSTS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine(
      (hosts) =>
        hosts.every((h) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(h)),
      {
        message: 'must be a comma-separated list of host names (no scheme, no port)',
      },
    ),
  SANDBOX_CLOSE_PAID: z.enum(['error', 'succeed'], { message: 'must be error or succeed' }).default('error'),
  SANDBOX_STATE_FILE: z.string().min(1).optional(),
  SANDBOX_CONFIG: z.string().min(1).optional(),
  LOG_LEVEL: fields.logLevel(),
});
export type SandboxEnv = z.infer<typeof sandboxEnv>;

/** Only what print-env needs: it must not fail on variables that matter only to a running server. */
export const printEnvSchema = sandboxEnv.pick({
  SANDBOX_PORT: true,
  SANDBOX_HOST: true,
  SANDBOX_KEY_DIR: true,
  SANDBOX_KEY_MODE: true,
});

const extraMerchant = z
  .strictObject({
    mchid: z.string().regex(/^\d{1,32}$/, 'must be 1-32 digits'),
    appid: z.string().min(1).max(32),
    appSecret: z.string().min(1),
    serialNo: z.string().regex(/^[0-9A-Fa-f]{1,40}$/, 'must be a hex certificate serial'),
    merchantCertPath: z.string().min(1).optional(),
    publicKeyPath: z.string().min(1).optional(),
    apiV3Key: z.string().refine((v) => Buffer.byteLength(v, 'utf8') === 32, 'must be 32 bytes (§6.2)'),
  })
  .refine(
    (m) => m.merchantCertPath !== undefined || m.publicKeyPath !== undefined,
    'needs merchantCertPath or publicKeyPath',
  );

export const sandboxConfigFile = z.strictObject({ merchants: z.array(extraMerchant).default([]) });

/** Reads SANDBOX_CONFIG: extra merchants or overrides of the dev one. Paths are relative to the file. */
export function loadMerchantsConfig(file: string): Merchant[] {
  const raw: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  const parsed = sandboxConfigFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`.trim());
  }
  const base = path.dirname(path.resolve(file));
  const pem = (p: string | undefined) =>
    p === undefined ? undefined : fs.readFileSync(path.resolve(base, p), 'utf8');
  return parsed.data.merchants.map((m) =>
    merchantFrom({
      mchid: m.mchid,
      appid: m.appid,
      appSecret: m.appSecret,
      serialNo: m.serialNo,
      apiV3Key: m.apiV3Key,
      certificatePem: pem(m.merchantCertPath),
      publicKeyPem: pem(m.publicKeyPath),
    }),
  );
}
