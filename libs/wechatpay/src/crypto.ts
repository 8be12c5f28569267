/**
 * WeChat Pay v3 cryptographic primitives (wechatpay-v3.md §4–§7). Used by the merchant client and by the
 * sandbox, which plays the other side. Every function here is checked against the official vectors (§10).
 */
import crypto, { type KeyLike } from 'node:crypto';

export const PROD_BASE_URL = 'https://api.mch.weixin.qq.com';
export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
/** Signature-probe traffic (§5): never a valid signature, always rejected. */
export const PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';
/** Responses and callbacks older or newer than this are rejected (§5: Go/Java/axios all use 300 s). */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 characters of [0-9A-Za-z] from a CSPRNG, as the Go SDK does (§4). */
export function nonce(length = 32): string {
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

/** Unix seconds as the 10-digit string every v3 signature uses. */
export const unixSeconds = (nowMs: number = Date.now()): string => String(Math.floor(nowMs / 1000));

/** §4: METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n — the exact bytes sent; GET has an empty body line. */
export function requestSignMessage(
  method: string,
  pathAndQuery: string,
  timestamp: string,
  nonceStr: string,
  body: string,
): string {
  return `${method.toUpperCase()}\n${pathAndQuery}\n${timestamp}\n${nonceStr}\n${body}\n`;
}

/** §5: TIMESTAMP\nNONCE\nBODY\n over the raw response or callback body (empty for a 204). */
export function responseSignMessage(timestamp: string, nonceStr: string, body: string): string {
  return `${timestamp}\n${nonceStr}\n${body}\n`;
}

/** §7: appId\ntimeStamp\nnonceStr\npackage\n — what paySign covers. */
export function paySignMessage(appId: string, timeStamp: string, nonceStr: string, pkg: string): string {
  return `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
}

/** SHA256withRSA, PKCS#1 v1.5 (not PSS), base64 with padding. */
export function signSha256Rsa(message: string, privateKey: KeyLike): string {
  return crypto.createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
}

export function verifySha256Rsa(message: string, signatureBase64: string, publicKey: KeyLike): boolean {
  if (signatureBase64.startsWith(PROBE_PREFIX)) return false;
  try {
    return crypto
      .createVerify('RSA-SHA256')
      .update(message, 'utf8')
      .verify(publicKey, signatureBase64, 'base64');
  } catch {
    return false;
  }
}

export interface AuthorizationParts {
  readonly mchid: string;
  readonly nonce_str: string;
  readonly timestamp: string;
  readonly serial_no: string;
  readonly signature: string;
}

/** §4: scheme, one space, then five k="v" pairs joined by commas without spaces (Go/Java order). */
export function buildAuthorization(p: AuthorizationParts): string {
  return `${AUTH_SCHEME} mchid="${p.mchid}",nonce_str="${p.nonce_str}",timestamp="${p.timestamp}",serial_no="${p.serial_no}",signature="${p.signature}"`;
}

/** Parses an Authorization header (pairs in any order, §4); null when it is not well formed. */
export function parseAuthorization(header: string | undefined): AuthorizationParts | null {
  if (!header?.startsWith(`${AUTH_SCHEME} `)) return null;
  const pairs = new Map<string, string>();
  const re = /\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/gy;
  const rest = header.slice(AUTH_SCHEME.length + 1);
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest)) !== null) {
    pairs.set(m[1]!, m[2]!);
    consumed = re.lastIndex;
    if (consumed >= rest.length) break;
  }
  if (consumed < rest.trimEnd().length) return null;
  const get = (k: string) => pairs.get(k);
  const [mchid, nonce_str, timestamp, serial_no, signature] = [
    'mchid',
    'nonce_str',
    'timestamp',
    'serial_no',
    'signature',
  ].map(get);
  if (!mchid || !nonce_str || !timestamp || !serial_no || !signature) return null;
  return { mchid, nonce_str, timestamp, serial_no, signature };
}

/**
 * AEAD_AES_256_GCM (§6.2): key = APIv3 key as UTF-8 bytes, nonce and AAD as UTF-8, output
 * base64(ciphertext ‖ 16-byte tag). A 16-byte key selects AES-128-GCM, as Go's aes.NewCipher does — only
 * the Go SDK's test vectors use one; production keys are 32 bytes and callers enforce that.
 */
export function aesGcmEncrypt(plaintext: string, key: string, nonceStr: string, aad: string): string {
  const cipher = crypto.createCipheriv(
    gcmAlgorithm(key),
    Buffer.from(key, 'utf8'),
    Buffer.from(nonceStr, 'utf8'),
  );
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}

/** Authenticated decryption: `final()` checks the tag, so a tampered text or a wrong key throws. */
export function aesGcmDecrypt(ciphertextBase64: string, key: string, nonceStr: string, aad: string): string {
  const buf = Buffer.from(ciphertextBase64, 'base64');
  if (buf.length < 17) throw new Error('ciphertext shorter than the 16-byte GCM tag');
  const decipher = crypto.createDecipheriv(
    gcmAlgorithm(key),
    Buffer.from(key, 'utf8'),
    Buffer.from(nonceStr, 'utf8'),
  );
  decipher.setAuthTag(buf.subarray(buf.length - 16));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([decipher.update(buf.subarray(0, buf.length - 16)), decipher.final()]).toString(
    'utf8',
  );
}

function gcmAlgorithm(key: string): 'aes-256-gcm' | 'aes-128-gcm' {
  const len = Buffer.byteLength(key, 'utf8');
  if (len === 32) return 'aes-256-gcm';
  if (len === 16) return 'aes-128-gcm';
  throw new Error(`APIv3 key must be 32 bytes (got ${len})`);
}

/** §1/§2.1: WeChat accepts only 1–3-byte UTF-8 characters; 4-byte ones (most emoji) are rejected. */
export function hasFourByteUtf8(s: string): boolean {
  for (const ch of s) if (ch.codePointAt(0)! > 0xffff) return true;
  return false;
}

/** Uppercase hex serial of an X.509 certificate (what `openssl x509 -serial` prints). */
export function certificateSerial(certPem: string): string {
  return new crypto.X509Certificate(certPem).serialNumber.toUpperCase();
}

/** The SPKI public key (PEM) of a certificate or public key PEM. */
export function publicKeyPem(certOrKeyPem: string): string {
  const key = certOrKeyPem.includes('BEGIN CERTIFICATE')
    ? new crypto.X509Certificate(certOrKeyPem).publicKey
    : crypto.createPublicKey(certOrKeyPem);
  return key.export({ type: 'spki', format: 'pem' }).toString();
}
