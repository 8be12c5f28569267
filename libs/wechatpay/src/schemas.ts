/**
 * zod schemas for what WeChat sends us, in WeChat's snake_case. Objects are loose (unknown fields pass
 * through) because §1 says new fields may appear; required fields are the ones the docs mark required and
 * the saga relies on.
 */
import { z } from 'zod';

const int = z.number().int();

/** §3.1 trade_state values (ACCEPT is Java-enum only, kept so a live value does not fail parsing). */
export const TRADE_STATES = [
  'SUCCESS',
  'REFUND',
  'NOTPAY',
  'CLOSED',
  'REVOKED',
  'USERPAYING',
  'PAYERROR',
  'ACCEPT',
] as const;
/** §3.2: refund `status` (create/query) and `refund_status` (notification). */
export const REFUND_STATUSES = ['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL'] as const;

/** §2.3 query response and §6.1 decrypted payment notification. */
export const TransactionSchema = z.looseObject({
  appid: z.string().min(1),
  mchid: z.string().min(1),
  out_trade_no: z.string().min(1),
  transaction_id: z.string().min(1).optional(),
  trade_type: z.string().optional(),
  trade_state: z.enum(TRADE_STATES),
  trade_state_desc: z.string(),
  bank_type: z.string().optional(),
  attach: z.string().optional(),
  success_time: z.string().optional(),
  payer: z.looseObject({ openid: z.string().min(1) }).optional(),
  amount: z
    .looseObject({
      total: int.optional(),
      payer_total: int.optional(),
      currency: z.string().optional(),
      payer_currency: z.string().optional(),
    })
    .optional(),
  promotion_detail: z.array(z.looseObject({})).optional(),
  scene_info: z.looseObject({ device_id: z.string().optional() }).optional(),
});
export type Transaction = z.infer<typeof TransactionSchema>;

/** §2.5 Refund object (create and query responses). */
export const RefundSchema = z.looseObject({
  refund_id: z.string().min(1),
  out_refund_no: z.string().min(1),
  transaction_id: z.string().min(1),
  out_trade_no: z.string().min(1),
  channel: z.string().optional(),
  user_received_account: z.string().optional(),
  success_time: z.string().optional(),
  create_time: z.string().min(1),
  status: z.enum(REFUND_STATUSES),
  funds_account: z.string().optional(),
  amount: z.looseObject({
    total: int,
    refund: int,
    payer_total: int,
    payer_refund: int,
    currency: z.string(),
    settlement_refund: int.optional(),
    settlement_total: int.optional(),
    discount_refund: int.optional(),
    from: z.array(z.looseObject({ account: z.string(), amount: int })).optional(),
  }),
  promotion_detail: z.array(z.looseObject({})).optional(),
});
export type Refund = z.infer<typeof RefundSchema>;

/** §6.3 decrypted refund notification: `refund_status`, not `status`; mchid but no appid. */
export const RefundNotificationResourceSchema = z.looseObject({
  mchid: z.string().min(1),
  out_trade_no: z.string().min(1),
  transaction_id: z.string().min(1),
  refund_id: z.string().min(1),
  out_refund_no: z.string().min(1),
  refund_status: z.enum(REFUND_STATUSES),
  success_time: z.string().optional(),
  user_received_account: z.string().optional(),
  amount: z.looseObject({ total: int, refund: int, payer_total: int, payer_refund: int }),
});
export type RefundNotificationResource = z.infer<typeof RefundNotificationResourceSchema>;

/** §6.1 outer notification JSON. associated_data may be absent or "" (§6.3 example). */
export const NotificationEnvelopeSchema = z.looseObject({
  id: z.string().min(1),
  create_time: z.string().min(1),
  event_type: z.string().min(1),
  resource_type: z.string().optional(),
  summary: z.string(),
  resource: z.looseObject({
    original_type: z.string().optional(),
    algorithm: z.string().min(1),
    ciphertext: z.string().min(1),
    associated_data: z.string().optional(),
    nonce: z.string().min(1),
  }),
});
export type NotificationEnvelope = z.infer<typeof NotificationEnvelopeSchema>;

export const EncryptedResourceAlgorithm = 'AEAD_AES_256_GCM';

/** §2.7 /v3/certificates response. */
export const CertificatesResponseSchema = z.looseObject({
  data: z.array(
    z.looseObject({
      serial_no: z.string().min(1),
      effective_time: z.string().min(1),
      expire_time: z.string().min(1),
      encrypt_certificate: z.looseObject({
        algorithm: z.string(),
        nonce: z.string().min(1),
        associated_data: z.string().optional(),
        ciphertext: z.string().min(1),
      }),
    }),
  ),
});

/** What wechatpay-node-v3's transactions_jsapi returns on 200 (wechatpay-node-v3.md §2.3). */
export const RequestPaymentSchema = z.object({
  appId: z.string().min(1),
  timeStamp: z.string().regex(/^\d{10}$/),
  nonceStr: z.string().min(1).max(32),
  package: z.string().regex(/^prepay_id=[^\s]{1,64}$/),
  signType: z.literal('RSA'),
  paySign: z.string().min(1),
});
