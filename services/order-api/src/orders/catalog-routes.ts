import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Product } from '@wxpay-saga/orders';

export const catalogRoutes =
  (catalog: readonly Product[]): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/products',
      {
        schema: {
          tags: ['catalog'],
          summary: 'The catalog; prices are integer fen (分)',
          response: {
            200: z.object({
              products: z.array(
                z.object({
                  sku: z.string(),
                  name: z.string(),
                  unitPrice: z.number().int(),
                  currency: z.literal('CNY'),
                }),
              ),
            }),
          },
        },
      },
      async () => ({ products: catalog.map((p) => ({ ...p, currency: 'CNY' as const })) }),
    );
  };
