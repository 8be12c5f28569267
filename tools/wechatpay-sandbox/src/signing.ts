/**
 * The platform's signature on every 2xx response and every notification (§5): SHA256withRSA over
 * `timestamp\nnonce\nbody\n`, with either the "WeChat Pay public key" (serial `PUB_KEY_ID_…`, §2.8) or the
 * legacy platform certificate (hex serial, §2.7), depending on the key mode.
 */
import crypto, { type KeyObject } from 'node:crypto';
import {
  AUTH_SCHEME,
  PROBE_PREFIX,
  nonce,
  responseSignMessage,
  signSha256Rsa,
  unixSeconds,
} from '@wxpay-saga/wechatpay';
import type { KeyMode, PlatformKeys } from './merchants.js';

/** `valid`, or the two deliberate defects a notify fault can ask for (§5 probe, bad signature). */
export type SignatureVariant = 'valid' | 'bad' | 'probe';

interface SigningKey {
  readonly serial: string;
  readonly key: KeyObject;
}

/**
 * publicKey → the public key; certificate → the certificate; both → what the request's `Wechatpay-Serial`
 * names (staff answer in §2.8: the response key follows that header), defaulting to the public key.
 */
export function pickSigningKey(platform: PlatformKeys, mode: KeyMode, requestedSerial?: string): SigningKey {
  const pub = { serial: platform.publicKeyId, key: platform.publicKeySigner };
  const cert = { serial: platform.certSerial, key: platform.certSigner };
  if (mode === 'publicKey') return pub;
  if (mode === 'certificate') return cert;
  return requestedSerial?.trim().toUpperCase() === platform.certSerial.toUpperCase() ? cert : pub;
}

export function signatureHeaders(
  signer: SigningKey,
  body: string,
  nowMs: number,
  variant: SignatureVariant = 'valid',
): Record<string, string> {
  const timestamp = unixSeconds(nowMs);
  const nonceStr = nonce(32);
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonceStr,
    'Wechatpay-Signature': signatureFor(signer.key, timestamp, nonceStr, body, variant),
    'Wechatpay-Serial': signer.serial,
    'Wechatpay-Signature-Type': AUTH_SCHEME,
  };
}

function signatureFor(
  key: KeyObject,
  timestamp: string,
  nonceStr: string,
  body: string,
  variant: SignatureVariant,
): string {
  if (variant === 'probe') return PROBE_PREFIX + crypto.randomBytes(192).toString('base64');
  // A real RSA signature of the right length over a different message: only verification can catch it.
  const message = responseSignMessage(timestamp, nonceStr, variant === 'bad' ? `${body} ` : body);
  return signSha256Rsa(message, key);
}
