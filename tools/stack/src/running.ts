import { z } from 'zod';
import { readRunState } from '@wxpay-saga/infra';
import type { StackUrls } from './stack.js';

export interface RunningStackInfo {
  readonly urls: StackUrls;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly topicPrefix: string;
}

const StackState = z.object({
  urls: z.object({
    orderApi: z.string(),
    notifyGateway: z.string(),
    paymentWorker: z.string(),
    reconciler: z.string(),
    sandbox: z.string(),
  }),
  redis: z.object({ url: z.string() }),
  keyPrefix: z.string().default('wxpay:'),
  topicPrefix: z.string().default(''),
});

/** Finds the stack `npm start` recorded in .run/stack.json (no flags needed). */
export function findRunningStack(): RunningStackInfo {
  const parsed = StackState.safeParse(readRunState('stack'));
  if (!parsed.success) {
    throw new Error(
      'no running stack found (.run/stack.json): start it with `npm start` in another terminal',
    );
  }
  const s = parsed.data;
  return { urls: s.urls, redisUrl: s.redis.url, keyPrefix: s.keyPrefix, topicPrefix: s.topicPrefix };
}
