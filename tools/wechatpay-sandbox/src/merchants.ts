/**
 * Who the sandbox knows: merchants (keyed by mchid and, case-insensitively, by certificate serial — some
 * clients send lowercase serials, wechatpay-node-v3.md §2.1) and the platform's own signing keys.
 */
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { certificateSerial, publicKeyPem } from '@wxpay-saga/wechatpay';
import { readDevKeyConfig, type DevKeyConfig, type DevKeyPaths } from './keys.js';

export type KeyMode = 'publicKey' | 'certificate' | 'both';

export interface Merchant {
  readonly mchid: string;
  /** The one mini program bound to this merchant (APPID_MCHID_NOT_MATCH otherwise). */
  readonly appid: string;
  readonly appSecret: string;
  /** Uppercase hex. */
  readonly serialNo: string;
  /** Verifies the Authorization signature (§4) and paySign (§7). */
  readonly publicKey: KeyObject;
  readonly publicKeyPem: string;
  readonly certificatePem?: string;
  /** Encrypts this merchant's notifications and certificate downloads (§6.2, §2.7). */
  readonly apiV3Key: string;
}

export interface PlatformKeys {
  readonly publicKeyId: string;
  readonly publicKeyPem: string;
  readonly publicKeySigner: KeyObject;
  readonly certSerial: string;
  readonly certPem: string;
  readonly certSigner: KeyObject;
  readonly certNotBefore: number;
  readonly certNotAfter: number;
}

export interface DevMaterial {
  readonly paths: DevKeyPaths;
  readonly config: DevKeyConfig;
  readonly merchant: Merchant;
  readonly platform: PlatformKeys;
}

/** Public material only: what `/__sandbox/merchant` shows. Never private keys, the APIv3 key or app secret. */
export interface MerchantPublicInfo {
  readonly mchid: string;
  readonly appid: string;
  readonly serialNo: string;
  readonly publicKey: string;
  readonly certificate?: string;
  readonly platformPublicKeyId: string;
  readonly platformPublicKey: string;
  readonly platformCertificateSerial?: string;
  readonly platformCertificate?: string;
}

const read = (file: string) => fs.readFileSync(file, 'utf8');

export function loadDevMaterial(paths: DevKeyPaths): DevMaterial {
  const config = readDevKeyConfig(paths);
  const certPem = read(paths.merchantCertPath);
  const platformCertPem = read(paths.platformCertPath);
  const x509 = new crypto.X509Certificate(platformCertPem);
  return {
    paths,
    config,
    merchant: merchantFrom({ ...config, serialNo: certificateSerial(certPem), certificatePem: certPem }),
    platform: {
      publicKeyId: config.platformPublicKeyId,
      publicKeyPem: read(paths.platformPublicKeyPath),
      publicKeySigner: crypto.createPrivateKey(read(paths.platformPublicKeyPrivatePath)),
      certSerial: certificateSerial(platformCertPem),
      certPem: platformCertPem,
      certSigner: crypto.createPrivateKey(read(paths.platformCertPrivateKeyPath)),
      certNotBefore: Date.parse(x509.validFrom),
      certNotAfter: Date.parse(x509.validTo),
    },
  };
}

export interface MerchantInput {
  readonly mchid: string;
  readonly appid: string;
  readonly appSecret: string;
  readonly serialNo: string;
  readonly apiV3Key: string;
  /** A certificate or an SPKI public key, PEM. */
  readonly certificatePem?: string;
  readonly publicKeyPem?: string;
}

export function merchantFrom(m: MerchantInput): Merchant {
  const pem = m.certificatePem ?? m.publicKeyPem;
  if (!pem) throw new Error(`merchant ${m.mchid} needs a certificate or a public key`);
  const spki = publicKeyPem(pem);
  return {
    mchid: m.mchid,
    appid: m.appid,
    appSecret: m.appSecret,
    serialNo: m.serialNo.toUpperCase(),
    publicKey: crypto.createPublicKey(spki),
    publicKeyPem: spki,
    certificatePem: m.certificatePem,
    apiV3Key: m.apiV3Key,
  };
}

export class MerchantRegistry {
  private readonly byId = new Map<string, Merchant>();

  /** Later entries with the same mchid replace earlier ones (SANDBOX_CONFIG overrides the dev merchant). */
  constructor(
    merchants: readonly Merchant[],
    readonly defaultMchid: string,
  ) {
    for (const m of merchants) this.byId.set(m.mchid, m);
    if (!this.byId.has(defaultMchid)) throw new Error(`default merchant ${defaultMchid} is not registered`);
  }

  get default(): Merchant {
    return this.byId.get(this.defaultMchid)!;
  }

  byMchid(mchid: string): Merchant | undefined {
    return this.byId.get(mchid);
  }

  bySerial(serial: string): Merchant | undefined {
    const wanted = serial.toUpperCase();
    return [...this.byId.values()].find((m) => m.serialNo === wanted);
  }

  byAppid(appid: string): Merchant | undefined {
    return [...this.byId.values()].find((m) => m.appid === appid);
  }

  all(): Merchant[] {
    return [...this.byId.values()];
  }
}

export function publicInfo(merchant: Merchant, platform: PlatformKeys, mode: KeyMode): MerchantPublicInfo {
  const withCert = mode !== 'publicKey';
  return {
    mchid: merchant.mchid,
    appid: merchant.appid,
    serialNo: merchant.serialNo,
    publicKey: merchant.publicKeyPem,
    ...(merchant.certificatePem ? { certificate: merchant.certificatePem } : {}),
    platformPublicKeyId: platform.publicKeyId,
    platformPublicKey: platform.publicKeyPem,
    ...(withCert
      ? { platformCertificateSerial: platform.certSerial, platformCertificate: platform.certPem }
      : {}),
  };
}

/** The merchant-side settings the services read (names are a contract with libs/wechatpay and services). */
export function merchantEnv(material: DevMaterial, mode: KeyMode, url: string): Record<string, string> {
  const { config, paths } = material;
  const env: Record<string, string> = {
    WECHATPAY_MCHID: config.mchid,
    WECHATPAY_APPID: config.appid,
    WECHATPAY_APP_SECRET: config.appSecret,
    WECHATPAY_SERIAL_NO: material.merchant.serialNo,
    WECHATPAY_PRIVATE_KEY_PATH: paths.merchantPrivateKeyPath,
    WECHATPAY_MERCHANT_CERT_PATH: paths.merchantCertPath,
    WECHATPAY_APIV3_KEY: config.apiV3Key,
    WECHATPAY_PLATFORM_PUBLIC_KEY_ID: material.platform.publicKeyId,
    WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: paths.platformPublicKeyPath,
    WECHATPAY_BASE_URL: url,
    WECHAT_LOGIN_BASE_URL: url,
  };
  if (mode !== 'publicKey') {
    env.WECHATPAY_PLATFORM_CERT_SERIAL = material.platform.certSerial;
    env.WECHATPAY_PLATFORM_CERT_PATH = paths.platformCertPath;
  }
  return env;
}
