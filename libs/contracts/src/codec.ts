import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { EventDefinition, EventOf, PayloadOf } from './envelope.js';

export const CODEC_ERRORS = ['UNDECODABLE', 'SCHEMA_INVALID', 'KEY_MISMATCH', 'TYPE_MISMATCH'] as const;
export type CodecErrorCode = (typeof CODEC_ERRORS)[number];

/** A message that can never be processed: retrying cannot help, so it goes to the DLQ. */
export class CodecError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: CodecErrorCode,
    message: string,
    readonly issues: readonly z.core.$ZodIssue[] = [],
  ) {
    super(message);
    this.name = 'CodecError';
  }
}

export interface EncodedMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

export function newEvent<D extends EventDefinition>(
  def: D,
  fields: {
    orderId: string;
    correlationId: string;
    causationId: string | null;
    payload: PayloadOf<D>;
    occurredAt?: string;
    eventId?: string;
  },
): EventOf<D> {
  return def.schema.parse({
    eventId: fields.eventId ?? randomUUID(),
    type: def.type,
    version: def.version,
    occurredAt: fields.occurredAt ?? new Date().toISOString(),
    orderId: fields.orderId,
    correlationId: fields.correlationId,
    causationId: fields.causationId,
    payload: fields.payload,
  }) as EventOf<D>;
}

/** Producers validate before sending: an invalid event is a bug and never reaches the broker. */
export function encodeEvent<D extends EventDefinition>(def: D, event: EventOf<D>): EncodedMessage {
  const parsed = def.schema.safeParse(event);
  if (!parsed.success) {
    throw new CodecError('SCHEMA_INVALID', `refusing to encode invalid ${def.type}`, parsed.error.issues);
  }
  const e = parsed.data as EventOf<D>;
  return {
    key: e.orderId,
    value: JSON.stringify(e),
    headers: {
      'content-type': 'application/json',
      'event-type': def.type,
      'event-version': String(def.version),
      'event-id': e.eventId,
      'correlation-id': e.correlationId,
    },
  };
}

/** Consumers decode defensively; every failure carries a code and, for schema errors, zod's issues. */
export function decodeEvent<D extends EventDefinition>(
  def: D,
  message: { key: string | null; value: string | null },
): EventOf<D> {
  if (message.value === null) throw new CodecError('UNDECODABLE', 'message has no value (tombstone)');
  let json: unknown;
  try {
    json = JSON.parse(message.value);
  } catch {
    throw new CodecError('UNDECODABLE', 'message value is not valid JSON');
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (type !== def.type) {
    throw new CodecError('TYPE_MISMATCH', `expected event type ${def.type}, got ${JSON.stringify(type)}`);
  }
  const parsed = def.schema.safeParse(json);
  if (!parsed.success) {
    const summary = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new CodecError('SCHEMA_INVALID', `invalid ${def.type}: ${summary}`, parsed.error.issues);
  }
  const event = parsed.data as EventOf<D>;
  if (message.key !== null && message.key !== event.orderId) {
    throw new CodecError('KEY_MISMATCH', `message key ${message.key} differs from orderId ${event.orderId}`);
  }
  return event;
}
