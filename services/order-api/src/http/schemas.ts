import { z } from 'zod';

export const ErrorResponse = z
  .object({ code: z.string(), message: z.string(), details: z.unknown().optional() })
  .describe('Every error: a stable code and a human-readable message');

export const RequestPaymentParams = z
  .object({
    timeStamp: z.string().describe('10-digit seconds, as a string'),
    nonceStr: z.string(),
    package: z.string().describe('prepay_id=…'),
    signType: z.literal('RSA'),
    paySign: z.string(),
  })
  .describe('Pass as is to wx.requestPayment()');

const Item = z.object({
  sku: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  unitPrice: z.number().int(),
  lineTotal: z.number().int(),
});

export const OrderViewSchema = z
  .object({
    id: z.string().describe('also the WeChat Pay out_trade_no'),
    status: z.enum(['PLACED', 'PAYABLE', 'PAID', 'FAILED', 'CLOSED']),
    items: z.array(Item),
    total: z.number().int().describe('fen'),
    currency: z.literal('CNY'),
    description: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    cancelRequested: z.boolean(),
    transaction: z
      .object({
        transactionId: z.string(),
        paidAt: z.string(),
        amount: z.number().int(),
        confirmedBy: z.enum(['NOTIFICATION', 'QUERY']),
      })
      .nullable(),
    closed: z.object({ reason: z.string(), closedAt: z.string() }).nullable(),
    failure: z.object({ code: z.string(), message: z.string() }).nullable(),
    flags: z.object({ paidAfterClose: z.boolean(), amountMismatch: z.boolean() }),
  })
  .describe('An order as its owner sees it');

export const OrderIdParam = z.object({ id: z.string().regex(/^[0-9A-Za-z_\-|*]{6,32}$/, 'not an order id') });
