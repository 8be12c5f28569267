/**
 * §5 verification of a WeChat Pay signature over a raw body, shared by API responses and notifications.
 * Keys are chosen only by `Wechatpay-Serial` among the keys we were given (PUB_KEY_ID_… or certificate
 * serial, case-insensitively); an unknown serial is rejected, never fetched.
 */
import crypto, { type KeyObject } from 'node:crypto';
import { AUTH_SCHEME, MAX_CLOCK_SKEW_SECONDS, PROBE_PREFIX, responseSignMessage } from './crypto.js';

/** Serial (upper-cased) → public key, parsed once. */
export type VerifierKeySet = ReadonlyMap<string, KeyObject>;

export function buildVerifierKeySet(keys: Readonly<Record<string, string>>): VerifierKeySet {
  // Without a key nothing could ever verify; that is a configuration error, not a per-message failure.
  if (Object.keys(keys).length === 0)
    throw new Error('wechatpay: at least one verifier key (PUB_KEY_ID_… or certificate serial) is required');
  const set = new Map<string, KeyObject>();
  for (const [serial, pem] of Object.entries(keys))
    set.set(serial.trim().toUpperCase(), crypto.createPublicKey(pem));
  return set;
}

export function mergeKeySets(a: VerifierKeySet, b: VerifierKeySet): VerifierKeySet {
  return new Map([...b, ...a]);
}

export interface SignatureHeaders {
  readonly timestamp: string;
  readonly nonce: string;
  readonly signature: string;
  readonly serial: string;
  readonly signatureType: string | undefined;
}

export type SignatureFailure =
  | 'HEADER_MISSING'
  | 'UNSUPPORTED_ALGORITHM'
  | 'TIMESTAMP_SKEW'
  | 'UNKNOWN_SERIAL'
  | 'PROBE_SIGNATURE'
  | 'SIGNATURE_INVALID';

export type HeaderReader = (lowerCaseName: string) => string | undefined;

/** Reads the four required headers; a malformed timestamp counts as missing. */
export function readSignatureHeaders(get: HeaderReader): SignatureHeaders | null {
  const timestamp = get('wechatpay-timestamp');
  const nonce = get('wechatpay-nonce');
  const signature = get('wechatpay-signature');
  const serial = get('wechatpay-serial');
  if (!timestamp || !nonce || !signature || !serial || !/^\d{1,12}$/.test(timestamp)) return null;
  return { timestamp, nonce, signature, serial, signatureType: get('wechatpay-signature-type') };
}

export interface VerifyOptions {
  readonly keys: VerifierKeySet;
  readonly nowMs: number;
  readonly maxSkewSeconds?: number;
}

/**
 * The §5 checks in order: headers → algorithm → timestamp window → serial → probe prefix → RSA over
 * `ts\nnonce\nbody\n` (a 204's empty body gives `ts\nnonce\n\n`). Returns null when the signature holds.
 */
export function checkSignature(
  headers: SignatureHeaders | null,
  rawBody: string,
  opts: VerifyOptions,
): SignatureFailure | null {
  if (!headers) return 'HEADER_MISSING';
  // §5: a missing Signature-Type means the default RSA scheme (Go notify handler); anything else (SM2) we cannot check.
  if (headers.signatureType !== undefined && headers.signatureType !== AUTH_SCHEME)
    return 'UNSUPPORTED_ALGORITHM';
  const skew = Math.abs(Math.floor(opts.nowMs / 1000) - Number(headers.timestamp));
  if (skew > (opts.maxSkewSeconds ?? MAX_CLOCK_SKEW_SECONDS)) return 'TIMESTAMP_SKEW';
  const key = opts.keys.get(headers.serial.trim().toUpperCase());
  if (!key) return 'UNKNOWN_SERIAL';
  // §5: probe traffic is never a valid signature; reported separately so operators can tell it apart.
  if (headers.signature.startsWith(PROBE_PREFIX)) return 'PROBE_SIGNATURE';
  const message = responseSignMessage(headers.timestamp, headers.nonce, rawBody);
  let ok = false;
  try {
    ok = crypto.createVerify('RSA-SHA256').update(message, 'utf8').verify(key, headers.signature, 'base64');
  } catch {
    ok = false;
  }
  return ok ? null : 'SIGNATURE_INVALID';
}

/** Case-insensitive reader over a Node-style header record; repeated signature headers count as missing. */
export function recordHeaderReader(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): HeaderReader {
  const lower = new Map<string, string | string[] | undefined>();
  for (const [k, v] of Object.entries(headers)) lower.set(k.toLowerCase(), v);
  return (name) => {
    const v = lower.get(name);
    if (Array.isArray(v)) return v.length === 1 ? v[0] : undefined;
    return v;
  };
}
