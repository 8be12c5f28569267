import { describe, expect, it } from 'vitest';
import {
  ALL_EVENTS,
  CodecError,
  TOPICS,
  TOPIC_NAME,
  TestEvent,
  decodeEvent,
  dlqName,
  encodeEvent,
  newEvent,
} from '@wxpay-saga/contracts';

const sample = () =>
  newEvent(TestEvent, {
    orderId: 'order-000001',
    correlationId: 'corr-1',
    causationId: null,
    payload: { seq: 1, note: 'hi' },
  });

describe('event codec', () => {
  it('round-trips an event, keyed by orderId, with type headers', () => {
    const event = sample();
    const encoded = encodeEvent(TestEvent, event);
    expect(encoded.key).toBe('order-000001');
    expect(encoded.headers['event-type']).toBe('TestEvent');
    expect(encoded.headers['event-id']).toBe(event.eventId);
    expect(decodeEvent(TestEvent, { key: encoded.key, value: encoded.value })).toEqual(event);
  });

  it('rejects invalid JSON as UNDECODABLE', () => {
    expect(() => decodeEvent(TestEvent, { key: 'x', value: '{not json' })).toThrow(
      expect.objectContaining({ code: 'UNDECODABLE' }),
    );
  });

  it('rejects schema violations with the zod issues attached', () => {
    const bad = { ...sample(), payload: { seq: -1, note: 'x' } };
    try {
      decodeEvent(TestEvent, { key: bad.orderId, value: JSON.stringify(bad) });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CodecError);
      const e = err as CodecError;
      expect(e.code).toBe('SCHEMA_INVALID');
      expect(e.issues.map((i) => i.path.join('.'))).toContain('payload.seq');
    }
  });

  it('rejects a key that differs from the orderId, and another event type', () => {
    const e = sample();
    expect(() => decodeEvent(TestEvent, { key: 'other-key-1', value: JSON.stringify(e) })).toThrow(
      expect.objectContaining({ code: 'KEY_MISMATCH' }),
    );
    expect(() =>
      decodeEvent(TestEvent, { key: e.orderId, value: JSON.stringify({ ...e, type: 'OrderPlaced' }) }),
    ).toThrow(expect.objectContaining({ code: 'TYPE_MISMATCH' }));
  });

  it('refuses to encode an invalid event (producers validate before sending)', () => {
    const bad = { ...sample(), orderId: 'no spaces allowed' };
    expect(() => encodeEvent(TestEvent, bad)).toThrow(expect.objectContaining({ code: 'SCHEMA_INVALID' }));
  });

  it('names every topic <domain>.<event>.v<N> and gives each event a listed topic', () => {
    const names = Object.values(TOPICS).map((t) => t.name);
    for (const n of names) expect(n).toMatch(TOPIC_NAME);
    expect(new Set(names).size).toBe(names.length);
    for (const def of ALL_EVENTS) expect(names).toContain(def.topic.name);
    expect(dlqName(TOPICS.orderPlaced.name)).toBe('orders.order-placed.v1.dlq');
  });
});
