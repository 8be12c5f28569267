/**
 * §2.7 GET /v3/certificates. Each certificate is decrypted with the APIv3 key by our authenticated GCM
 * (the library's get_certificates uses its decipher_gcm, which never checks the tag). The response is signed
 * by a platform certificate that may be in the very list it carries — the bootstrap step: when the serial is
 * not among our keys, the response is verified against the freshly decrypted set, which only a holder of the
 * APIv3 key could have produced.
 */
import crypto from 'node:crypto';
import { aesGcmDecrypt, certificateSerial } from './crypto.js';
import { WechatPayError } from './errors.js';
import { CertificatesResponseSchema, EncryptedResourceAlgorithm } from './schemas.js';
import { mergeKeySets, type VerifierKeySet } from './signature.js';
import { parseJson, type FetchPayRequest, type RawResponse } from './transport.js';

export interface PlatformCertificate {
  serialNo: string;
  effectiveTime: string;
  expireTime: string;
  certificatePem: string;
}

interface FetchArgs {
  readonly transport: FetchPayRequest;
  readonly keys: VerifierKeySet;
  readonly apiV3Key: string;
  readonly url: string;
  readonly headers: Record<string, string>;
}

function malformed(raw: RawResponse, why: string): WechatPayError {
  return new WechatPayError('RESPONSE_MALFORMED', `WeChat Pay certificates response: ${why}`, {
    httpStatus: raw.status,
    ...(raw.requestId ? { requestId: raw.requestId } : {}),
  });
}

export async function fetchCertificates(a: FetchArgs): Promise<PlatformCertificate[]> {
  const raw = await a.transport.exchange('GET', a.url, a.headers, undefined);
  const serial = raw.headers.get('wechatpay-serial')?.trim().toUpperCase();
  const knownSigner = serial !== undefined && a.keys.has(serial);
  // A signer we already trust is checked before the body is even parsed.
  if (knownSigner) a.transport.verify(raw, a.keys);
  const certificates = decryptAll(raw, a.apiV3Key);
  if (!knownSigner) {
    const fresh = new Map(certificates.map((c) => [c.serialNo, crypto.createPublicKey(c.certificatePem)]));
    a.transport.verify(raw, mergeKeySets(a.keys, fresh));
  }
  return certificates;
}

function decryptAll(raw: RawResponse, apiV3Key: string): PlatformCertificate[] {
  const parsed = CertificatesResponseSchema.safeParse(parseJson(raw));
  if (!parsed.success) throw malformed(raw, 'does not match the schema');
  return parsed.data.data.map((item) => {
    const enc = item.encrypt_certificate;
    if (enc.algorithm !== EncryptedResourceAlgorithm)
      throw malformed(raw, `unsupported algorithm ${enc.algorithm.slice(0, 40)}`);
    let certificatePem: string;
    try {
      certificatePem = aesGcmDecrypt(enc.ciphertext, apiV3Key, enc.nonce, enc.associated_data ?? '');
    } catch {
      throw malformed(
        raw,
        'a certificate failed authenticated decryption (tampered, or a different APIv3 key)',
      );
    }
    let serialNo: string;
    try {
      serialNo = certificateSerial(certificatePem);
    } catch {
      throw malformed(raw, 'a decrypted certificate is not a PEM certificate');
    }
    if (serialNo !== item.serial_no.toUpperCase())
      throw malformed(raw, 'serial_no does not match the certificate');
    return { serialNo, effectiveTime: item.effective_time, expireTime: item.expire_time, certificatePem };
  });
}
