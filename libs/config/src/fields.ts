import { z } from 'zod';

/** Reusable field parsers for environment variables (all inputs are strings). */

export const port = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a port number' })
    .int('must be an integer port')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);

export const positiveInt = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .positive('must be > 0')
    .default(fallback);

export const nonNegativeInt = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .default(fallback);

export const positiveNumber = (fallback: number) =>
  z.coerce.number({ message: 'must be a number' }).positive('must be > 0').default(fallback);

export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .default(fallback);

export const httpUrl = () =>
  z
    .string()
    .url('must be a URL')
    .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL')
    .transform((v) => v.replace(/\/+$/, ''));

/** `host:port[,host:port…]`, e.g. Kafka bootstrap servers. */
export const hostPortList = () =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0 && list.every((hp) => /^[^\s:]+:\d{1,5}$/.test(hp)), {
      message: 'must be a comma-separated list of host:port',
    });

/** A comma-separated list of positive integers, e.g. a timer ladder in seconds. */
export const intList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) => v.split(',').map((s) => Number(s.trim())))
    .refine((list) => list.length > 0 && list.every((n) => Number.isFinite(n) && n > 0), {
      message: 'must be a comma-separated list of positive numbers',
    });

export const logLevel = () =>
  z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info');

/** A secret: required, no default, never echoed. */
export const secret = (minLength = 1) =>
  z.string({ message: 'is required but not set' }).min(minLength, `must be at least ${minLength} characters`);
