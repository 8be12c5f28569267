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
