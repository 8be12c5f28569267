import type { Redis } from '@wxpay-saga/redis';
import type { SagaKeys } from './keys.js';
import { z } from 'zod';

/** The cached, signed wx.requestPayment parameters: written once by the payment worker, served by order-api. */
export const PaymentParamsRecord = z.object({
  orderId: z.string(),
  prepayId: z.string(),
  preparedAt: z.string(),
  expiresAt: z.string(),
  params: z.object({
    timeStamp: z.string().regex(/^\d{10}$/),
    nonceStr: z.string().min(1).max(32),
    package: z.string().startsWith('prepay_id='),
    signType: z.literal('RSA'),
    paySign: z.string().min(1),
  }),
});
export type PaymentParamsRecord = z.infer<typeof PaymentParamsRecord>;

/**
 * The one place that reads and writes the cached parameters: the payment worker stores them once
 * (SET NX, so a racing twin's signature is discarded), order-api reads them, the reconciler invalidates
 * them when it closes the order.
 */
export function createParamsStore(redis: Redis, keys: SagaKeys) {
  const read = async (orderId: string): Promise<PaymentParamsRecord | undefined> => {
    const raw = await redis.get(keys.paymentParams(orderId));
    return raw ? PaymentParamsRecord.parse(JSON.parse(raw)) : undefined;
  };
  return {
    read,
    /** Stores the record unless one exists, and returns the one that is stored. */
    storeOnce: async (record: PaymentParamsRecord, ttlMs: number): Promise<PaymentParamsRecord> => {
      const ok = await redis.set(
        keys.paymentParams(record.orderId),
        JSON.stringify(record),
        'PX',
        ttlMs,
        'NX',
      );
      return ok === 'OK' ? record : ((await read(record.orderId)) ?? record);
    },
    invalidate: async (orderId: string): Promise<void> => {
      await redis.del(keys.paymentParams(orderId));
    },
  };
}
export type ParamsStore = ReturnType<typeof createParamsStore>;
