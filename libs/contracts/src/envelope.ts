import { z } from 'zod';

/**
 * An order id is the WeChat Pay `out_trade_no` and the Kafka key: 6–32 characters of
 * `[0-9A-Za-z_-|*]` (wechatpay-v3.md §2.1).
 */
export const OrderId = z
  .string()
  .regex(/^[0-9A-Za-z_\-|*]{6,32}$/, 'must be 6-32 characters of 0-9 A-Z a-z _ - | *');

/** RFC 3339 with an explicit offset (`Z` or `+08:00`). */
export const Timestamp = z.iso.datetime({ offset: true });

/** Every event starts with these fields; the payload is typed per event. */
export const envelopeFields = {
  eventId: z.uuid(),
  occurredAt: Timestamp,
  orderId: OrderId,
  /** The id of the user request or timer that started the chain; shared by every event it causes. */
  correlationId: z.string().min(1).max(128),
  /** The eventId (or request id) that directly caused this event; null for a chain's first event. */
  causationId: z.string().min(1).max(128).nullable(),
};

export interface TopicDefinition {
  /** `<domain>.<event>.v<N>` */
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs: number;
}

export interface EventDefinition<
  T extends string = string,
  V extends number = number,
  P extends z.ZodType = z.ZodType,
> {
  readonly type: T;
  readonly version: V;
  readonly topic: TopicDefinition;
  readonly payload: P;
  readonly schema: z.ZodObject<{
    eventId: typeof envelopeFields.eventId;
    type: z.ZodLiteral<T>;
    version: z.ZodLiteral<V>;
    occurredAt: typeof envelopeFields.occurredAt;
    orderId: typeof envelopeFields.orderId;
    correlationId: typeof envelopeFields.correlationId;
    causationId: typeof envelopeFields.causationId;
    payload: P;
  }>;
}

export type EventOf<D extends EventDefinition> = z.infer<D['schema']>;
export type PayloadOf<D extends EventDefinition> = z.infer<D['payload']>;

export function defineEvent<T extends string, V extends number, P extends z.ZodType>(spec: {
  type: T;
  version: V;
  topic: TopicDefinition;
  payload: P;
}): EventDefinition<T, V, P> {
  const schema = z.object({
    eventId: envelopeFields.eventId,
    type: z.literal(spec.type),
    version: z.literal(spec.version),
    occurredAt: envelopeFields.occurredAt,
    orderId: envelopeFields.orderId,
    correlationId: envelopeFields.correlationId,
    causationId: envelopeFields.causationId,
    payload: spec.payload,
  });
  return { ...spec, schema };
}
