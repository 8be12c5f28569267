import { z } from 'zod';
import { commonEnv, fields, kafkaEnv, redisEnv } from '@wxpay-saga/config';
import { wechatpayEnv } from '@wxpay-saga/wechatpay';

/** Seconds, decimals allowed (tests use sub-second ladders). */
const secondsList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) => v.split(',').map((s) => Number(s.trim())))
    .refine((l) => l.length > 0 && l.every((n) => Number.isFinite(n) && n > 0), {
      message: 'must be a comma-separated list of positive seconds',
    });

export const reconcilerEnv = z.object({
  ...commonEnv.shape,
  ...kafkaEnv.shape,
  ...redisEnv.shape,
  ...wechatpayEnv.shape,
  HOST: z.string().default('127.0.0.1'),
  /** Health and metrics only. */
  RECONCILER_PORT: fields.port(8083),
  /** Query delays while an order is payable; the last one repeats. */
  RECONCILE_QUERY_LADDER_SECONDS: secondsList('15,30,60,120,300,600'),
  /** How often due timers are claimed. */
  RECONCILE_TICK_MS: fields.positiveInt(500),
  /** A claimed timer (and the order's lock) is held this long; a dead instance's work is retaken after it. */
  RECONCILE_LEASE_MS: fields.positiveInt(60_000),
  /** How often the convergence sweep looks for open orders without a live timer. */
  RECONCILE_SWEEP_MS: fields.positiveInt(60_000),
  /** Cap on the back-off after WeChat answers 429/5xx. */
  RECONCILE_MAX_BACKOFF_MS: fields.positiveInt(600_000),
  RECONCILER_INSTANCE_ID: z.string().min(1).max(64).optional(),
});
export type ReconcilerConfig = z.infer<typeof reconcilerEnv>;
