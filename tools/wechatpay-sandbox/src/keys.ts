/**
 * Dev key material: generated once into a key dir (git-ignored `.dev-keys/` by default), reused after.
 * Two processes may start at once (a test run and `npm run sandbox`), so generation happens under an
 * exclusive lock file, every file is written to a temp name and renamed, and the JSON config is written
 * last: a key dir with a config file is complete by construction.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nonce } from '@wxpay-saga/wechatpay';
import { randomSerial, selfSignedCertificate } from './cert.js';

/** `<repo>/.dev-keys` — this file sits at tools/wechatpay-sandbox/{src,dist}/keys.*. */
export const DEFAULT_KEY_DIR = fileURLToPath(new URL('../../../.dev-keys/', import.meta.url));

export interface DevKeyPaths {
  readonly keyDir: string;
  /** JSON with the ids and the two dev secrets (see DevKeyConfig). */
  readonly configPath: string;
  /** Merchant API private key, PKCS#8 (the official file name is apiclient_key.pem). */
  readonly merchantPrivateKeyPath: string;
  readonly merchantCertPath: string;
  /** The "WeChat Pay public key" (PUB_KEY_ID mode, §2.8) and, sandbox-only, its private half. */
  readonly platformPublicKeyPath: string;
  readonly platformPublicKeyPrivatePath: string;
  /** The legacy platform certificate (§2.7) and, sandbox-only, its private key. */
  readonly platformCertPath: string;
  readonly platformCertPrivateKeyPath: string;
}

export interface DevKeyConfig {
  readonly version: 1;
  readonly mchid: string;
  readonly appid: string;
  readonly appSecret: string;
  readonly apiV3Key: string;
  readonly merchantSerialNo: string;
  readonly platformPublicKeyId: string;
  readonly platformCertSerial: string;
  readonly createdAt: string;
}

const DEV_MCHID = '1900000109';
const LOCK_WAIT_MS = 60_000;
const STALE_LOCK_MS = 60_000;

export function devKeyPaths(keyDir: string): DevKeyPaths {
  const dir = path.resolve(keyDir);
  const p = (name: string) => path.join(dir, name);
  return {
    keyDir: dir,
    configPath: p('wechatpay-sandbox.json'),
    merchantPrivateKeyPath: p('apiclient_key.pem'),
    merchantCertPath: p('apiclient_cert.pem'),
    platformPublicKeyPath: p('wechatpay_pub_key.pem'),
    platformPublicKeyPrivatePath: p('wechatpay_pub_key.private.pem'),
    platformCertPath: p('wechatpay_platform_cert.pem'),
    platformCertPrivateKeyPath: p('wechatpay_platform_cert.private.pem'),
  };
}

/** Generates the key material on first use, reuses it after; safe when several processes race. */
export function ensureDevKeys(keyDir: string): DevKeyPaths {
  const paths = devKeyPaths(keyDir);
  fs.mkdirSync(paths.keyDir, { recursive: true, mode: 0o700 });
  const lockPath = path.join(paths.keyDir, '.wechatpay-sandbox.lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!fs.existsSync(paths.configPath)) {
    if (tryLock(lockPath)) {
      try {
        if (!fs.existsSync(paths.configPath)) generate(paths);
      } finally {
        fs.rmSync(lockPath, { force: true });
      }
      break;
    }
    removeIfStale(lockPath);
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for another process to generate keys in ${paths.keyDir}`);
    sleepSync(50);
  }
  assertComplete(paths);
  return paths;
}

export function readDevKeyConfig(paths: DevKeyPaths): DevKeyConfig {
  return JSON.parse(fs.readFileSync(paths.configPath, 'utf8')) as DevKeyConfig;
}

function tryLock(lockPath: string): boolean {
  try {
    fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** A lock left by a process killed mid-generation must not block every later start. */
function removeIfStale(lockPath: string): void {
  try {
    if (Date.now() - fs.statSync(lockPath).mtimeMs > STALE_LOCK_MS) fs.rmSync(lockPath, { force: true });
  } catch {
    // vanished between the checks: the holder finished
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function assertComplete(paths: DevKeyPaths): void {
  const { keyDir: _dir, ...files } = paths;
  const missing = Object.values(files)
    .filter((file) => !fs.existsSync(file))
    .map((file) => path.basename(file));
  if (missing.length > 0) {
    throw new Error(
      `key dir ${paths.keyDir} is incomplete (missing ${missing.join(', ')}); delete it to regenerate`,
    );
  }
}

function writeAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

const rsa = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const pkcs8 = (k: crypto.KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }).toString();
const spki = (k: crypto.KeyObject) =>
  crypto.createPublicKey(k).export({ type: 'spki', format: 'pem' }).toString();

function generate(paths: DevKeyPaths): void {
  const now = Date.now();
  const validFrom = now - 24 * 3600_000;
  const merchantKey = rsa();
  const merchantSerial = randomSerial();
  const merchantCert = selfSignedCertificate(
    merchantKey,
    {
      commonName: DEV_MCHID,
      organization: '微信商户系统',
      organizationalUnit: 'wxpay-saga sandbox merchant',
    },
    merchantSerial,
    validFrom,
    5,
  );
  const pubKeyPair = rsa();
  const platformCertKey = rsa();
  const platformSerial = randomSerial();
  const platformCert = selfSignedCertificate(
    platformCertKey,
    {
      commonName: 'Tenpay.com sign',
      organization: 'Tenpay.com',
      organizationalUnit: 'wxpay-saga sandbox platform',
    },
    platformSerial,
    validFrom,
    5,
  );
  writeAtomic(paths.merchantPrivateKeyPath, pkcs8(merchantKey), 0o600);
  writeAtomic(paths.merchantCertPath, merchantCert, 0o644);
  writeAtomic(paths.platformPublicKeyPath, spki(pubKeyPair), 0o644);
  writeAtomic(paths.platformPublicKeyPrivatePath, pkcs8(pubKeyPair), 0o600);
  writeAtomic(paths.platformCertPath, platformCert, 0o644);
  writeAtomic(paths.platformCertPrivateKeyPath, pkcs8(platformCertKey), 0o600);
  const config: DevKeyConfig = {
    version: 1,
    mchid: DEV_MCHID,
    appid: `wx${crypto.randomBytes(8).toString('hex')}`,
    appSecret: crypto.randomBytes(16).toString('hex'),
    apiV3Key: nonce(32),
    merchantSerialNo: merchantSerial,
    platformPublicKeyId: `PUB_KEY_ID_01${DEV_MCHID}${String(crypto.randomInt(0, 1e11)).padStart(11, '0')}${String(crypto.randomInt(0, 1e11)).padStart(11, '0')}`,
    platformCertSerial: platformSerial,
    createdAt: new Date(now).toISOString(),
  };
  // Written last: its presence is what tells other processes the directory is complete.
  writeAtomic(paths.configPath, JSON.stringify(config, null, 2) + '\n', 0o600);
}
