/**
 * §6 notification verification, on the raw body, entirely offline: an unknown serial is rejected, never
 * fetched (the library's verifySign would download certificates for any forged serial, and its decipher_gcm
 * skips the GCM tag). Checks run in a fixed order and each failure has its own code:
 * headers → timestamp window → serial known → probe prefix → RSA over `ts\nnonce\nbody\n` → JSON → outer
 * schema → algorithm → authenticated decrypt → zod on the plaintext → mchid/appid.
 */
import type { z } from 'zod';
import { aesGcmDecrypt } from './crypto.js';
import { NotificationError, type NotificationErrorCode } from './errors.js';
import {
  EncryptedResourceAlgorithm,
  NotificationEnvelopeSchema,
  RefundNotificationResourceSchema,
  TransactionSchema,
  type RefundNotificationResource,
  type Transaction,
} from './schemas.js';
import {
  buildVerifierKeySet,
  checkSignature,
  readSignatureHeaders,
  recordHeaderReader,
  type SignatureFailure,
  type VerifierKeySet,
} from './signature.js';

export type NotificationHeaders = Record<string, string | string[] | undefined>;

interface NotificationMeta {
  id: string;
  createTime: string;
  eventType: string;
  summary: string;
}
export interface VerifiedTransactionNotification extends NotificationMeta {
  transaction: Transaction;
}
export interface VerifiedRefundNotification extends NotificationMeta {
  refund: RefundNotificationResource;
}
/** Signature-checked and decrypted, before the plaintext is interpreted (what both verify* share). */
export interface DecryptedNotification extends NotificationMeta {
  resourceType: string | undefined;
  originalType: string | undefined;
  plaintext: string;
}

export interface NotificationVerifier {
  verifyTransaction(headers: NotificationHeaders, rawBody: string): VerifiedTransactionNotification;
  verifyRefund(headers: NotificationHeaders, rawBody: string): VerifiedRefundNotification;
}

export interface NotificationVerifierConfig {
  apiV3Key: string;
  verifierKeys: Record<string, string>;
  mchid: string;
  appid: string;
  /** Milliseconds since the epoch, like Date.now (the default). */
  now?: () => number;
  /** Allowed |now − Wechatpay-Timestamp|; default 300 (§5). */
  maxSkewSeconds?: number;
}

const SIGNATURE_CODES: Record<SignatureFailure, NotificationErrorCode> = {
  HEADER_MISSING: 'NOTIFY_HEADER_MISSING',
  UNSUPPORTED_ALGORITHM: 'NOTIFY_UNSUPPORTED_ALGORITHM',
  TIMESTAMP_SKEW: 'NOTIFY_TIMESTAMP_SKEW',
  UNKNOWN_SERIAL: 'NOTIFY_UNKNOWN_SERIAL',
  PROBE_SIGNATURE: 'NOTIFY_PROBE_SIGNATURE',
  SIGNATURE_INVALID: 'NOTIFY_SIGNATURE_INVALID',
};

const SIGNATURE_MESSAGES: Record<SignatureFailure, string> = {
  HEADER_MISSING: 'Wechatpay-Timestamp/Nonce/Signature/Serial header missing or malformed',
  UNSUPPORTED_ALGORITHM: 'unsupported Wechatpay-Signature-Type',
  TIMESTAMP_SKEW: 'Wechatpay-Timestamp outside the allowed window',
  UNKNOWN_SERIAL: 'Wechatpay-Serial is not a configured verifier key',
  PROBE_SIGNATURE: 'signature-probe traffic (WECHATPAY/SIGNTEST/)',
  SIGNATURE_INVALID: 'signature does not verify',
};

export interface VerifyAndDecryptOptions {
  readonly keys: VerifierKeySet;
  readonly apiV3Key: string;
  readonly nowMs: number;
  readonly maxSkewSeconds?: number;
}

/** Steps common to every notification type: signature, envelope, authenticated decryption. */
export function verifyAndDecrypt(
  headers: NotificationHeaders,
  rawBody: string,
  o: VerifyAndDecryptOptions,
): DecryptedNotification {
  const failure = checkSignature(readSignatureHeaders(recordHeaderReader(headers)), rawBody, {
    keys: o.keys,
    nowMs: o.nowMs,
    ...(o.maxSkewSeconds !== undefined ? { maxSkewSeconds: o.maxSkewSeconds } : {}),
  });
  if (failure) throw new NotificationError(SIGNATURE_CODES[failure], SIGNATURE_MESSAGES[failure]);
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new NotificationError('NOTIFY_BODY_MALFORMED', 'notification body is not JSON');
  }
  const envelope = NotificationEnvelopeSchema.safeParse(json);
  if (!envelope.success)
    throw new NotificationError(
      'NOTIFY_BODY_INVALID',
      `notification body invalid at ${issuePaths(envelope.error)}`,
    );
  const { resource } = envelope.data;
  if (resource.algorithm !== EncryptedResourceAlgorithm)
    throw new NotificationError('NOTIFY_UNSUPPORTED_ALGORITHM', 'unsupported resource algorithm');
  let plaintext: string;
  try {
    // final() checks the tag: a tampered ciphertext, nonce or AAD, or another APIv3 key, throws here.
    plaintext = aesGcmDecrypt(
      resource.ciphertext,
      o.apiV3Key,
      resource.nonce,
      resource.associated_data ?? '',
    );
  } catch {
    throw new NotificationError('NOTIFY_DECRYPT_FAILED', 'resource failed authenticated decryption');
  }
  const e = envelope.data;
  return {
    id: e.id,
    createTime: e.create_time,
    eventType: e.event_type,
    summary: e.summary,
    resourceType: e.resource_type,
    originalType: resource.original_type,
    plaintext,
  };
}

function issuePaths(error: z.ZodError): string {
  return [...new Set(error.issues.map((i) => i.path.join('.') || '(root)'))].slice(0, 5).join(', ');
}

function parseResource<S extends z.ZodType>(schema: S, plaintext: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(plaintext);
  } catch {
    throw new NotificationError('NOTIFY_RESOURCE_INVALID', 'decrypted resource is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new NotificationError(
      'NOTIFY_RESOURCE_INVALID',
      `decrypted resource invalid at ${issuePaths(parsed.error)}`,
    );
  return parsed.data;
}

export function createNotificationVerifier(cfg: NotificationVerifierConfig): NotificationVerifier {
  const keys = buildVerifierKeySet(cfg.verifierKeys);
  // 32 bytes in production (§6.2, enforced by the config schema); 16 only so the Go SDK vector (§10.3b) runs.
  const keyBytes = Buffer.byteLength(cfg.apiV3Key, 'utf8');
  if (keyBytes !== 32 && keyBytes !== 16) throw new Error('wechatpay: the APIv3 key must be 32 bytes');
  const now = cfg.now ?? Date.now;
  const decrypt = (headers: NotificationHeaders, rawBody: string) =>
    verifyAndDecrypt(headers, rawBody, {
      keys,
      apiV3Key: cfg.apiV3Key,
      nowMs: now(),
      ...(cfg.maxSkewSeconds !== undefined ? { maxSkewSeconds: cfg.maxSkewSeconds } : {}),
    });
  const meta = (d: DecryptedNotification): NotificationMeta => ({
    id: d.id,
    createTime: d.createTime,
    eventType: d.eventType,
    summary: d.summary,
  });

  return {
    verifyTransaction(headers, rawBody) {
      const d = decrypt(headers, rawBody);
      const transaction = parseResource(TransactionSchema, d.plaintext);
      // A notification for another merchant or mini program is authentic but not ours to act on.
      if (transaction.mchid !== cfg.mchid)
        throw new NotificationError('NOTIFY_MCHID_MISMATCH', 'mchid is not this merchant');
      if (transaction.appid !== cfg.appid)
        throw new NotificationError('NOTIFY_APPID_MISMATCH', 'appid is not this mini program');
      return { ...meta(d), transaction };
    },
    verifyRefund(headers, rawBody) {
      const d = decrypt(headers, rawBody);
      const refund = parseResource(RefundNotificationResourceSchema, d.plaintext);
      // §6.3: the refund plaintext carries mchid only.
      if (refund.mchid !== cfg.mchid)
        throw new NotificationError('NOTIFY_MCHID_MISMATCH', 'mchid is not this merchant');
      return { ...meta(d), refund };
    },
  };
}
