/** The notification body (§6.1, §6.3): an outer JSON envelope around an AES-256-GCM encrypted resource. */
import { aesGcmEncrypt, nonce } from '@wxpay-saga/wechatpay';
import { notificationId, rfc3339 } from './ids.js';

export interface EnvelopeSpec {
  readonly event_type: 'TRANSACTION.SUCCESS' | 'REFUND.SUCCESS';
  readonly summary: string;
  readonly original_type: 'transaction' | 'refund';
  readonly associated_data: string;
  readonly plaintext: Record<string, unknown>;
}

export interface Envelope {
  readonly id: string;
  /** The exact bytes sent (and signed) on every attempt. */
  readonly body: string;
}

export const PAYMENT_NOTIFICATION = {
  event_type: 'TRANSACTION.SUCCESS',
  summary: '支付成功',
  original_type: 'transaction',
  associated_data: 'transaction',
} as const;
export const REFUND_NOTIFICATION = {
  event_type: 'REFUND.SUCCESS',
  summary: '退款成功',
  original_type: 'refund',
  associated_data: 'refund',
} as const;

/** Key order as in the §10.6 sample; nonce is 12 characters (§6.2), key = the merchant's APIv3 key. */
export function buildEnvelope(spec: EnvelopeSpec, apiV3Key: string, nowMs: number): Envelope {
  const id = notificationId();
  const resourceNonce = nonce(12);
  const body = JSON.stringify({
    id,
    create_time: rfc3339(nowMs),
    resource_type: 'encrypt-resource',
    event_type: spec.event_type,
    summary: spec.summary,
    resource: {
      original_type: spec.original_type,
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: aesGcmEncrypt(
        JSON.stringify(spec.plaintext),
        apiV3Key,
        resourceNonce,
        spec.associated_data,
      ),
      associated_data: spec.associated_data,
      nonce: resourceNonce,
    },
  });
  return { id, body };
}
